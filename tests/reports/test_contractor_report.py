"""The department report's contractors section (issue 19 item 5): figures per contractor company and sponsoring
department against a hand-computed fixture, apart from the departments; drill-down; exports with scope and as
of; a sponsoring department's manager sees the contractors they sponsor, a contractor supervisor only their own
company's staff; the annual report shows contractors separately; a closed period counts where they were."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learning import clock
from learning.accounts import contractor_moves
from learning.accounts.models import RoleGrant
from learning.authz import Role
from learning.campaigns.amendments import amend
from learning.campaigns.closing import close
from learning.campaigns.contractor_audience import Rule
from learning.campaigns.services import create_campaign, launch
from learning.reports import annual, annual_tables, contractors, services
from learning.reports.completion import organisation_total
from learning.training.models import Assignment
from tests.campaigns.contractor_world import build
from tests.conftest import sign_in
from tests.factories import make_user

JULY_5 = datetime(2026, 7, 5, 1, tzinfo=UTC)  # past the due date of 30 June


@pytest.fixture
def report(db):
    """Both companies and the employees in one campaign; by 5 July: M1 completed on time, M2 in progress and
    overdue, M3 exempt, T1 not started and overdue; EG completed, ER not started."""
    world = build(db)
    campaign = create_campaign(
        db,
        world.draft(Rule("company", world.meter.id), Rule("company", world.tele.id), whole_organisation=True),
        world.compliance.id,
    )
    launch(db, campaign, world.compliance.id)
    by_user = {a.user_id: a for a in db.scalars(select(Assignment).where(Assignment.campaign_id == campaign.id))}

    def mark(user, status, completed=None):
        assignment = by_user[user.id]
        assignment.status = status
        if completed:
            assignment.completed_at = completed
        if status == "exempt":
            assignment.exempt_reason = "長期休業"

    mark(world.staff["M1"], "completed", datetime(2026, 5, 1, 1, tzinfo=UTC))
    mark(world.staff["M2"], "in_progress")
    mark(world.staff["M3"], "exempt")
    mark(world.employees["EG"], "completed", datetime(2026, 5, 2, 1, tzinfo=UTC))
    db.commit()
    clock.freeze(JULY_5)
    yield world, campaign
    clock.freeze(None)


def figures(row):
    c = row.total
    return (
        c.people,
        c.people_complete,
        c.people_overdue,
        c.assigned,
        c.completed,
        c.in_progress,
        c.not_started,
        c.overdue,
        c.exempt,
        c.completion_rate,
    )


def test_the_figures_per_company_and_sponsor_against_a_hand_count(db, report):
    _world, campaign = report
    rows = contractors.section(db, campaign.id, contractors.ContractorScope(None), "en")
    by_key = {(r.company_code, r.sponsor_code): r for r in rows}
    assert list(by_key) == [("K-METER", "G-NET"), ("K-METER", "R-CC"), ("K-TELE", "R-CC")]
    # people, complete, overdue people; assigned, completed, in progress, not started, overdue, exempt; rate
    assert figures(by_key["K-METER", "G-NET"]) == (2, 1, 1, 2, 1, 1, 0, 1, 0, 0.5)
    assert figures(by_key["K-METER", "R-CC"]) == (0, 0, 0, 1, 0, 0, 0, 0, 1, None)
    assert figures(by_key["K-TELE", "R-CC"]) == (1, 0, 1, 1, 0, 0, 1, 1, 0, 0.0)
    assert by_key["K-METER", "G-NET"].contracts == ["C-G"] and by_key["K-METER", "G-NET"].company == "Meter Services"
    total = contractors.total(rows)
    assert (total.assigned, total.completed, total.counted) == (4, 1, 3)
    # The departments count the employees only: COMP, EG (completed) and ER.
    departments = organisation_total(services.department_report(db, campaign.id, services.Scope(None, None)))
    assert (departments.assigned, departments.completed) == (3, 1)


def test_a_closed_period_counts_contractors_on_the_contract_they_had(db, report):
    world, campaign = report
    close(db, campaign)
    db.commit()
    contractor_moves.move_to_contract(db, None, world.staff["M1"], world.retail_contract)
    db.commit()
    rows = contractors.section(db, campaign.id, contractors.ContractorScope(None), "en")
    by_key = {(r.company_code, r.sponsor_code): r for r in rows}
    assert figures(by_key["K-METER", "G-NET"]) == (2, 1, 1, 2, 1, 1, 0, 1, 0, 0.5)  # frozen where assigned


def test_a_closed_periods_amendment_corrects_the_contractors_figures_as_the_departments(db, report):
    """M2 (in progress, overdue at the close) is amended to completed: the contract's figures count the correction,
    as the department report counts an employee's; the figures as recorded stay in the amendment's trail."""
    world, campaign = report
    close(db, campaign)
    db.commit()
    db.expire_all()  # the bulk UPDATE of the close froze the rows the fixture holds
    m2 = db.scalar(select(Assignment).where(Assignment.campaign_id == campaign.id,
                                            Assignment.user_id == world.staff["M2"].id))  # fmt: skip
    amend(db, m2, "completed", "修了の記録漏れ（紙の記録で確認）", world.compliance.id, completed_on=date(2026, 6, 20))
    db.commit()
    rows = contractors.section(db, campaign.id, contractors.ContractorScope(None), "en")
    by_key = {(r.company_code, r.sponsor_code): r for r in rows}
    c = by_key["K-METER", "G-NET"].total
    assert (c.assigned, c.completed, c.in_progress, c.overdue, c.completion_rate) == (2, 2, 0, 0, 1.0)
    assert figures(by_key["K-TELE", "R-CC"]) == (1, 0, 1, 1, 0, 0, 1, 1, 0, 0.0)  # not amended: as recorded


def test_the_page_drill_down_and_exports_for_compliance(app, db, report):
    world, campaign = report
    client = app.test_client()
    sign_in(client, world.compliance.employee_no)
    page = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="contractors"' in page and "Meter Services" in page and "Demo Tele" in page
    drill = f"/reports/campaigns/{campaign.id}/contractors/{world.meter.id}?sponsor={world.network.id}"
    people = client.get(drill)
    body = people.get_data(as_text=True)
    assert people.status_code == 200 and "委託 M1" in body and "委託 M2" in body and "委託 M3" not in body
    exported = client.get(f"/reports/campaigns/{campaign.id}/contractors.csv")
    assert exported.status_code == 200
    assert 'filename="contractors-campaign' in exported.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    flat = [cell for line in lines for cell in line]
    assert "Completion by contractor" in flat and "Every contractor company" in flat
    assert any(cell.endswith("JST") for cell in flat)  # as of when, in Tokyo time
    header = next(line for line in lines if "Contractor code" in line)
    data = [line for line in lines[lines.index(header) + 1 :] if line]
    assert [(r[0], r[2]) for r in data] == [("K-METER", "G-NET"), ("K-METER", "R-CC"), ("K-TELE", "R-CC")]
    workbook = client.get(f"/reports/campaigns/{campaign.id}/contractors/{world.meter.id}.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.get_data())).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Staff number" in values and "M3" in values and "T1" not in values
    # One company's file names that company and its sponsor, not the reader's whole reach beside it.
    named = client.get(drill.replace("?", ".csv?")).get_data(as_text=True)
    assert "Meter Services" in named and "sponsored by" in named and "Every contractor company" not in named


def test_a_sponsoring_departments_manager_sees_only_the_contractors_they_sponsor(app, db, report):
    world, campaign = report
    head = make_user(db, "manager", department=world.call_centre, scope=world.retail, employee_no="HEAD")
    db.commit()
    scope = contractors.scope_of(db, head, services.scope_of(db, head))
    rows = contractors.section(db, campaign.id, scope, "en")
    assert [(r.company_code, r.sponsor_code) for r in rows] == [("K-METER", "R-CC"), ("K-TELE", "R-CC")]
    client = app.test_client()
    sign_in(client, head.employee_no)
    page = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Demo Tele" in page and "C-G" not in page
    meter = client.get(f"/reports/campaigns/{campaign.id}/contractors/{world.meter.id}").get_data(as_text=True)
    assert "委託 M3" in meter and "委託 M1" not in meter  # only the contract they sponsor
    grid_head = make_user(db, "manager", department=world.network, scope=world.network, employee_no="GHEAD")
    db.commit()
    other = app.test_client()
    sign_in(other, grid_head.employee_no)
    assert other.get(f"/reports/campaigns/{campaign.id}/contractors/{world.tele.id}").status_code == 403
    assert other.get(f"/reports/campaigns/{campaign.id}/contractors/{world.meter.id}").status_code == 200


def test_a_contractor_supervisor_sees_their_own_companys_campaign_status_only(app, db, report):
    world, campaign = report
    supervisor = world.staff["T1"]
    db.add(RoleGrant(user_id=supervisor.id, role=Role.CONTRACTOR_SUPERVISOR, granted_at=clock.now()))
    db.commit()
    client = app.test_client()
    assert sign_in(client, supervisor.employee_no).status_code == 302
    page = client.get("/contractors/mine")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and campaign.name_en in body and "Overdue" in body and "0 / 1" in body
    assert "委託 M1" not in body and "委託 M2" not in body
    assert client.get(f"/reports/campaigns/{campaign.id}").status_code == 403
    assert client.get(f"/reports/campaigns/{campaign.id}/contractors/{world.tele.id}").status_code == 403
    # The service's scope, had they the report: their own company's contracts only.
    scope = contractors.scope_of(db, supervisor, services.Scope(set(), set()))
    assert scope.contracts == {world.tele_contract.id}


def test_the_annual_report_shows_contractors_apart(app, db, report):
    session = app.extensions["db"].factory()  # in a transaction, as the app reads it (server-side cursors)
    try:
        found = annual.annual_report(session, 2026, clock.now(), "en")
    finally:
        session.close()
    sections = annual_tables.sections(found, "en", lambda s, **kw: s % kw if kw else s, lambda s: s)
    (section,) = [s for s in sections if s.title.endswith("Contractors' staff")]
    rows = list(section.table.rows)
    assert [(r[3], r[5]) for r in rows] == [
        ("K-METER", "Network Operations (G-NET)"),
        ("K-METER", "Customer Call Centre (R-CC)"),
        ("K-TELE", "Customer Call Centre (R-CC)"),
    ]
    companies = annual_tables.companies(found, "en", lambda s, **kw: s)
    whole = [r for r in companies.rows if r[1] == "Whole organisation"]
    assert whole[0][8] == 3  # "Assigned" of the whole organisation: the three employees, no contractor
