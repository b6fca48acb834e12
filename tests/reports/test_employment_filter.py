"""The people lists and the department's people page filtered by kind of employment (issue 19 item 3): the page,
its CSV and workbook hold only those people and say so in their heading, with the label, never the code."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from learning import clock
from learning.accounts.models import User
from learning.reports import lists
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_department, make_edition, make_launched_campaign, make_user


@pytest.fixture
def organisation(app, db):
    clock.freeze(datetime(2026, 7, 15, 1, tzinfo=UTC))
    sales = make_department(db, code="SALES")
    kinds = {"P1": "regular", "P2": "temporary", "P3": "temporary", "P4": "secondee", "P5": None}
    for no, kind in kinds.items():
        person = make_user(db, department=sales, employee_no=no, name=f"社員 {no}")
        person.employment_type = kind
    campaign = make_launched_campaign(db, [make_edition(db, slug="one")])
    done = db.scalar(select(Assignment).join(User, User.id == Assignment.user_id).where(User.employee_no == "P2"))
    done.status, done.completed_at = "completed", clock.now()
    compliance = make_user(db, "compliance")
    db.commit()
    client = app.test_client()
    sign_in(client, compliance.employee_no)
    yield client, campaign, sales
    clock.freeze(None)


def numbers(export) -> list[str]:
    return [row[0] for row in export.rows]


def test_the_people_list_and_its_exports_filter_by_employment_type(db, organisation):
    client, campaign, _sales = organisation
    assert [line.employee_no for line in lists.page(db, campaign, None, employment="temporary")[0]] == ["P2", "P3"]
    base = f"/reports/campaigns/{campaign.id}/people"
    page = client.get(f"{base}?employment=temporary").get_data(as_text=True)
    rows = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "社員 P2" in rows and "社員 P3" in rows and "社員 P1" not in rows and "社員 P4" not in rows
    assert 'aria-current="page" class="current">Temporary (agency) staff</a>' in page
    exported = read_csv(client.get(f"{base}.csv?employment=temporary&filter=not_finished"))
    assert numbers(exported) == ["P3"]
    assert exported.said("Employment type") == "Temporary (agency) staff"
    workbook = read_xlsx(client.get(f"{base}.xlsx?employment=secondee"))
    assert numbers(workbook) == ["P4"] and workbook.said("Employment type") == "Secondee"
    everyone = read_csv(client.get(f"{base}.csv?employment=intern"))  # not in the list: everyone
    assert numbers(everyone) == ["P1", "P2", "P3", "P4", "P5"]
    assert "Employment type" not in [line[0] for line in everyone.heading]


def test_the_department_people_page_and_its_export_filter_by_employment_type(db, organisation):
    client, campaign, sales = organisation
    base = f"/reports/campaigns/{campaign.id}/departments/{sales.id}"
    page = client.get(f"{base}?employment=secondee").get_data(as_text=True)
    rows = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "社員 P4" in rows and "社員 P1" not in rows
    exported = read_csv(client.get(f"{base}.csv?employment=temporary"))
    assert [row[1] for row in exported.rows] == ["P2", "P3"]
    assert exported.said("Employment type") == "Temporary (agency) staff"
    assert "temporary" in client.get(f"{base}.csv?employment=temporary").headers["Content-Disposition"]
