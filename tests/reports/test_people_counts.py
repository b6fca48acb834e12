"""Every department figure gives people beside assignments: assigned, fully complete, not finished, overdue,
rolled up over the tree; exemptions and withdrawn assignments do not make anyone count."""

from datetime import UTC, datetime

from sqlalchemy import select

from learning import clock
from learning.reports.services import Scope, department_report
from learning.training.models import Assignment
from tests.factories import make_department, make_edition, make_launched_campaign, make_user


def test_people_are_counted_beside_assignments_and_rolled_up(db):
    clock.freeze(datetime(2026, 7, 15, 1, tzinfo=UTC))  # after the 30 June due date
    company = make_department(db, code="CO")
    sales, grid = make_department(db, code="SALES", parent=company), make_department(db, code="GRID", parent=company)
    both_done = make_user(db, department=sales)
    half_done = make_user(db, department=sales)
    exempt_only = make_user(db, department=grid)
    nothing = make_user(db, department=grid)
    editions = [make_edition(db, slug="one"), make_edition(db, slug="two")]
    campaign = make_launched_campaign(db, editions)
    rows = {a.user_id: [] for a in db.scalars(select(Assignment))}
    for assignment in db.scalars(select(Assignment).order_by(Assignment.id)):
        rows[assignment.user_id].append(assignment)
    for assignment in [*rows[both_done.id], rows[half_done.id][0]]:
        assignment.status, assignment.completed_at = "completed", clock.now()
    for assignment in rows[exempt_only.id]:
        assignment.status = "exempt"
    db.flush()

    report = {r.code: r.total for r in department_report(db, campaign.id, Scope(None, None))}
    assert (report["SALES"].people, report["SALES"].people_complete, report["SALES"].people_overdue) == (2, 1, 1)
    assert (report["GRID"].people, report["GRID"].people_not_finished, report["GRID"].people_overdue) == (1, 1, 1)
    top = report["CO"]
    assert (top.people, top.people_complete, top.people_not_finished, top.people_overdue) == (3, 1, 2, 2)
    assert (top.assigned, top.completed, top.exempt) == (8, 3, 2)
    assert len(rows[nothing.id]) == 2  # assigned both modules, started neither
