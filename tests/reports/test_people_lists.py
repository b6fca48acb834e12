"""The lists compliance works from: a parent department lists everyone under it (the union of its children's
lists), filters and sorting work, a manager sees only their subtrees, and the export carries everyone."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learning import clock
from learning.campaigns import extensions
from learning.reports import lists
from learning.reports.services import Scope
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.factories import make_department, make_edition, make_launched_campaign, make_user


@pytest.fixture
def organisation(app, db):
    clock.freeze(datetime(2026, 7, 15, 1, tzinfo=UTC))  # after the 30 June due date
    sales = make_department(db, code="SALES")
    east, west = make_department(db, code="EAST", parent=sales), make_department(db, code="WEST", parent=sales)
    grid = make_department(db, code="GRID")
    head = make_user(db, "manager", department=east, scope=east, employee_no="H1", name="東 部長")
    people = {
        "done": make_user(db, department=east, employee_no="P1", name="修了 一郎"),
        "half": make_user(db, department=west, employee_no="P2", name="途中 二郎"),
        "none": make_user(db, department=west, employee_no="P3", name="未着 三子"),
        "grid": make_user(db, department=grid, employee_no="P4", name="送配 四郎"),
    }
    editions = [make_edition(db, slug="one"), make_edition(db, slug="two")]
    campaign = make_launched_campaign(db, editions)
    mine = {p: db.scalars(select(Assignment).where(Assignment.user_id == u.id).order_by(Assignment.id)).all()
            for p, u in people.items()}  # fmt: skip
    for assignment in [*mine["done"], mine["half"][0]]:
        assignment.status, assignment.completed_at = "completed", clock.now()
    db.commit()
    return {"campaign": campaign, "sales": sales, "east": east, "west": west, "head": head, "people": people}


def names(lines) -> list[str]:
    return [line.employee_no for line in lines]


def test_a_parent_department_lists_everyone_under_it(db, organisation):
    campaign, everyone = organisation["campaign"], Scope(None, None)
    parent, _ = lists.page(db, campaign, {organisation[c].id for c in ("sales", "east", "west")})
    east, _ = lists.page(db, campaign, {organisation["east"].id})
    west, _ = lists.page(db, campaign, {organisation["west"].id})
    assert names(parent) == sorted(names(east) + names(west)) == ["H1", "P1", "P2", "P3"]
    whole, total = lists.page(db, campaign, everyone.departments)
    assert total == 5 and "P4" in names(whole)
    line = next(line for line in parent if line.employee_no == "P2")
    assert (line.status, line.completed, line.counted) == ("overdue", 1, 2)
    assert sorted(line.modules.values()) == ["completed", "overdue"]
    assert line.head == ""  # nobody heads WEST or SALES
    p1 = next(line for line in parent if line.employee_no == "P1")
    assert p1.head == "東 部長" and p1.status == "completed"


def test_each_module_has_its_own_cell_and_no_one_on_leave_is_late_in_the_running_period(app, db, organisation):
    """The cells come from the same row as the counts: a module each, lateness as the overdue count has it."""
    campaign, people = organisation["campaign"], organisation["people"]
    modules = [module_id for module_id, _titles in lists.modules_of(db, campaign)]
    people["none"].status = "leave"
    db.commit()
    lines = {line.employee_no: line for line in lists.page(db, campaign, None)[0]}
    assert [lines["P2"].modules.get(m) for m in modules] == ["completed", "overdue"]
    assert [lines["P3"].modules.get(m) for m in modules] == ["not_started", "not_started"]
    assert lines["P3"].status == "not_started" and lines["P3"].overdue == 0
    assert [lines["P1"].modules.get(m) for m in modules] == ["completed", "completed"]
    every = {
        line.employee_no: line
        for line in lists.every_line(app.extensions["db"].factory, campaign.id, None, "all", chunk=2)
    }
    assert {no: line.modules for no, line in every.items()} == {no: line.modules for no, line in lines.items()}


def test_filters_and_sorting(db, organisation):
    campaign = organisation["campaign"]
    assert names(lists.page(db, campaign, None, "not_finished")[0]) == ["H1", "P2", "P3", "P4"]
    assert names(lists.page(db, campaign, None, "overdue")[0]) == ["H1", "P2", "P3", "P4"]
    assert names(lists.page(db, campaign, None, "exempt")[0]) == []
    by_progress = lists.page(db, campaign, None, "all", "progress", descending=True)[0]
    assert names(by_progress)[:2] == ["P1", "P2"]


def test_a_manager_sees_only_their_subtree_and_the_export_has_everyone_in_it(app, db, organisation):
    head, campaign = organisation["head"], organisation["campaign"]
    client = app.test_client()
    sign_in(client, head.employee_no)
    page = client.get(f"/reports/campaigns/{campaign.id}/people").get_data(as_text=True)
    assert "修了 一郎" in page and "途中 二郎" not in page and "送配 四郎" not in page
    assert (
        client.get(f"/reports/campaigns/{campaign.id}/people?department={organisation['west'].id}").status_code == 403
    )
    exported = client.get(f"/reports/campaigns/{campaign.id}/people.csv?filter=all")
    rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
    header_at = next(i for i, row in enumerate(rows) if row[:2] == ["Employee number", "Full name"])
    assert [row[0] for row in rows[header_at + 1 :]] == ["H1", "P1"]
    assert "status_code" in rows[header_at]


def test_compliance_lists_the_whole_organisation_paged(app, db, organisation, monkeypatch):
    compliance = make_user(db, "compliance")
    db.commit()
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    client = app.test_client()
    sign_in(client, compliance.employee_no)
    first = client.get(f"/reports/campaigns/{organisation['campaign'].id}/people").get_data(as_text=True)
    second = client.get(f"/reports/campaigns/{organisation['campaign'].id}/people?page=2").get_data(as_text=True)
    assert "Page 1 of 3" in first
    # The list's rows only: a random token elsewhere on the page (the CSRF token) may contain "P2".
    first, second = (page[page.index("<tbody>") : page.index("</tbody>")] for page in (first, second))
    assert "H1" in first and "P2" not in first
    assert "P2" in second and "P3" in second and "P4" not in second


def test_each_person_shows_their_current_due_date_and_the_exports_carry_it(app, db, organisation):
    """The due date after an extension, with the one it replaced; finished people keep their due date; the
    CSV and the workbook have Tokyo dates in a due-date column."""
    campaign, people = organisation["campaign"], organisation["people"]
    compliance = make_user(db, "compliance", locale="ja")
    db.commit()
    extensions.extend(db, campaign.id, "person", date(2026, 8, 31), "病気休暇", compliance.id,
                      user_id=people["none"].id)  # fmt: skip
    db.commit()
    lines = {line.employee_no: line for line in lists.page(db, campaign, None)[0]}
    tokyo = {no: line.due_at.astimezone(clock.TOKYO).date() for no, line in lines.items()}
    assert tokyo == {"H1": date(2026, 6, 30), "P1": date(2026, 6, 30), "P2": date(2026, 6, 30),
                     "P3": date(2026, 8, 31), "P4": date(2026, 6, 30)}  # fmt: skip
    assert lines["P3"].extended_from.astimezone(clock.TOKYO).date() == date(2026, 6, 30)
    assert lines["P3"].status == "not_started"  # no longer overdue: its date moved
    assert all(lines[no].extended_from is None for no in ("H1", "P1", "P2", "P4"))
    by_due = lists.page(db, campaign, None, "all", "due", descending=True)[0]
    assert names(by_due)[0] == "P3"
    client = app.test_client()
    sign_in(client, compliance.employee_no)
    page = client.get(f"/reports/campaigns/{campaign.id}/people").get_data(as_text=True)
    assert "2026/08/31" in page and "2026/06/30 から延長" in page
    exported = client.get(f"/reports/campaigns/{campaign.id}/people.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
    header_at = next(i for i, row in enumerate(rows) if row[:1] == ["社員番号"])
    header = rows[header_at]
    due, before = header.index("期限"), header.index("延長前の期限")
    p3 = next(row for row in rows[header_at + 1 :] if row[0] == "P3")
    p1 = next(row for row in rows[header_at + 1 :] if row[0] == "P1")
    assert (p3[due], p3[before]) == ("2026-08-31", "2026-06-30")
    assert (p1[due], p1[before]) == ("2026-06-30", "")
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/campaigns/{campaign.id}/people.xlsx").get_data()))
    sheet = workbook.active
    header_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "社員番号")
    column = header_row.index("期限")
    p3_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "P3")
    assert p3_row[column] == datetime(2026, 8, 31)  # a real date cell, Tokyo's day


def _read_whole(app, campaign_id, departments, chosen, chunk):
    return [
        (line.employee_no, line.status, line.completed, line.counted, line.department_code, line.head,
         sorted(line.modules.items()))
        for line in lists.every_line(app.extensions["db"].factory, campaign_id, departments, chosen, chunk=chunk)
    ]  # fmt: skip


def test_an_export_read_in_small_chunks_has_every_line_once_in_order(app, db, organisation):
    """Chunks are ranges of employee numbers: read two people at a time, the lines are those read in one go, in
    order, each once, for the whole organisation, a subtree and a filter; nobody outside the scope slips in."""
    campaign = organisation["campaign"]
    sales = {organisation[c].id for c in ("sales", "east", "west")}
    for departments, chosen in (
        (None, "all"),
        (sales, "all"),
        (None, "not_finished"),
        ({organisation["west"].id}, "all"),
    ):
        whole = _read_whole(app, campaign.id, departments, chosen, chunk=1000)
        assert _read_whole(app, campaign.id, departments, chosen, chunk=2) == whole
        assert _read_whole(app, campaign.id, departments, chosen, chunk=1) == whole
        assert [row[0] for row in whole] == names(lists.page(db, campaign, departments, chosen)[0])
    assert [row[0] for row in _read_whole(app, campaign.id, sales, "all", chunk=2)] == ["H1", "P1", "P2", "P3"]
    assert [row[0] for row in _read_whole(app, campaign.id, {organisation["west"].id}, "all", 1)] == ["P2", "P3"]
