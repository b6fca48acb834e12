"""Inspection rounds and findings: a round from assignment through answers (a refused file keeping the rest),
a submit naming the unanswered items, findings, a corrective action required to close one, the second
line's review and verification in its subtrees only, reminders and escalation once each; the database's
one inspection per department and period."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.models import AuditEvent
from learning.inspections import rounds, services
from learning.inspections.formats import read_tree
from learning.inspections.models import InspectionFinding, InspectionResponse
from learning.inspections.rounds import AnswerInput
from learning.inspections.services import InspectionError
from learning.notify.models import OutboxMessage
from tests.conftest import PG_URL
from tests.factories import make_department, make_user
from tests.inspections.test_templates import SHIPPED

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
MAX = 64 * 1024


def starter(db):
    specs, _ = read_tree(SHIPPED)
    services.import_templates(db, specs)
    return services.published(db, services.overview(db)[0][0].id)


def organisation(db):
    company = make_department(db)
    north, south = make_department(db, parent=company), make_department(db, parent=company)
    head_n = make_user(db, "manager", scope=north, department=north)
    head_s = make_user(db, "manager", scope=south, department=south)
    office = make_user(db, "business_office", scope=north)  # the second line for the north subtree only
    compliance = make_user(db, "compliance")
    return company, north, south, head_n, head_s, office, compliance


def test_period_rules():
    assert rounds.period_of(date(2026, 12, 3), "monthly") == (date(2026, 12, 1), date(2027, 1, 1))
    assert rounds.period_of(date(2027, 2, 3), "quarterly") == (date(2027, 1, 1), date(2027, 4, 1))
    assert rounds.period_of(date(2026, 12, 3), "half") == (date(2026, 10, 1), date(2027, 4, 1))
    assert rounds.period_of(date(2026, 3, 31), "yearly") == (date(2025, 4, 1), date(2026, 4, 1))


def test_a_round_from_assignment_through_a_finding_its_correction_and_verification(db):
    version = starter(db)
    company, north, _south, head_n, head_s, office, compliance = organisation(db)
    today = clock.tokyo_date(clock.now())
    rounds.create_round(db, version.id, [company.id], "quarterly", 30, today, compliance.id)
    assert rounds.open_periods(db, today) == 2  # the two departments with a head; the company has none
    assert rounds.open_periods(db, today) == 0
    inspection = db.scalar(select(InspectionResponse).where(InspectionResponse.department_id == north.id))
    items = version.items

    with pytest.raises(InspectionError) as not_theirs:
        rounds.save_answers(db, inspection.id, [AnswerInput(items[0].id, "conforms")], head_s.id, MAX)
    assert not_theirs.value.code == "not_yours"

    refused = rounds.save_answers(
        db,
        inspection.id,
        [
            AnswerInput(items[0].id, "conforms", evidence_name="ledger.exe", evidence=b"MZ\x90\x00"),
            AnswerInput(items[1].id, "does_not_conform", comment="A shortcut on two terminals"),
            AnswerInput(items[2].id, "not_applicable", comment=""),
        ],
        head_n.id,
        MAX,
    )
    assert {i: e.code for i, e in refused.items()} == {items[0].id: "evidence_type", items[2].id: "comment_required"}
    kept = rounds.answers_of(db, inspection.id)  # the rest kept; the refused file's item without it
    assert set(kept) == {items[0].id, items[1].id} and kept[items[0].id].evidence is None

    with pytest.raises(InspectionError) as missing:
        rounds.submit(db, inspection.id, head_n.id)
    assert missing.value.code == "unanswered"
    still_open = [i for i in items if i.id != items[1].id and (i.id != items[0].id or i.evidence_required)]
    assert missing.value.params["items"] == ", ".join(str(i.position) for i in still_open)

    answers = [
        AnswerInput(item.id, "conforms", evidence_name="e.png", evidence=PNG if item.evidence_required else None)
        for item in items
        if item.id != items[1].id
    ]
    assert rounds.save_answers(db, inspection.id, answers, head_n.id, MAX) == {}
    (finding,) = rounds.submit(db, inspection.id, head_n.id)
    assert (finding.item_id, finding.owner_id, finding.status) == (items[1].id, head_n.id, "open")
    with pytest.raises(InspectionError) as read_only:
        rounds.save_answers(db, inspection.id, answers, head_n.id, MAX)
    assert read_only.value.code == "submitted_read_only"

    # The second line of the north subtree returns it with comments, the head submits again, it is accepted.
    with pytest.raises(InspectionError) as no_comment:
        rounds.review(db, inspection.id, office.id, accept=False)
    assert no_comment.value.field == "comments"
    rounds.review(db, inspection.id, office.id, accept=False, comments="Attach the ledger for item 4 too")
    assert inspection.status == "open" and inspection.review_note
    assert rounds.submit(db, inspection.id, head_n.id) == []  # the finding is not made twice
    rounds.review(db, inspection.id, office.id, accept=True)
    assert inspection.accepted_at is not None

    with pytest.raises(InspectionError) as no_action:
        rounds.update_finding(db, finding.id, head_n.id, "done", "  ")
    assert (no_action.value.code, no_action.value.field) == ("action_required", "corrective_action")
    rounds.update_finding(db, finding.id, head_n.id, "in_progress", "")
    rounds.update_finding(db, finding.id, head_n.id, "done", "Shortcuts removed; terminals checked weekly")
    rounds.verify_finding(db, finding.id, office.id)
    assert finding.status == "verified" and finding.verified_by_id == office.id
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("inspection_%"))))
    for action in (
        "inspection_round_created",
        "inspection_answers_saved",
        "inspection_submitted_by_department",
        "inspection_returned",
        "inspection_accepted",
        "inspection_finding_updated",
        "inspection_finding_verified",
    ):
        assert action in actions
    # The report's lists: the north head sees their own; compliance everything.
    assert [f.id for f in rounds.findings_in(db, rounds.readable(db, head_n))] == [finding.id]
    assert rounds.findings_in(db, rounds.readable(db, head_s)) == []
    assert len(rounds.inspections_in(db, rounds.readable(db, compliance))) == 2


def test_the_second_line_reaches_its_subtrees_only(db):
    version = starter(db)
    company, north, south, _head_n, head_s, office, compliance = organisation(db)
    today = clock.tokyo_date(clock.now())
    rounds.create_round(db, version.id, [company.id], "monthly", 10, today, compliance.id)
    rounds.open_periods(db, today)
    south_inspection = db.scalar(select(InspectionResponse).where(InspectionResponse.department_id == south.id))
    assert rounds.reviewable_departments(db, office.id) == {north.id}
    answers = [
        AnswerInput(i.id, "conforms", evidence_name="e.png", evidence=PNG if i.evidence_required else None)
        for i in version.items
    ]
    rounds.save_answers(db, south_inspection.id, answers, head_s.id, MAX)
    rounds.submit(db, south_inspection.id, head_s.id)
    with pytest.raises(InspectionError) as outside:
        rounds.review(db, south_inspection.id, office.id, accept=True)
    assert outside.value.code == "not_in_scope"
    assert rounds.inspections_in(db, rounds.readable(db, office))[0].department_id == north.id


def test_a_deputy_answers_for_the_head(db):
    version = starter(db)
    _company, north, _south, head_n, head_s, _office, compliance = organisation(db)
    deputy = make_user(db, department=north)
    today = clock.tokyo_date(clock.now())
    rounds.create_round(db, version.id, [north.id], "yearly", 60, today, compliance.id)
    rounds.open_periods(db, today)
    inspection = db.scalar(select(InspectionResponse))
    with pytest.raises(InspectionError):
        rounds.delegate(db, north.id, deputy.id, head_s.id)  # not their department
    rounds.delegate(db, north.id, deputy.id, head_n.id)
    assert rounds.save_answers(db, inspection.id, [AnswerInput(version.items[1].id, "conforms")], deputy.id, MAX) == {}


def test_reminders_and_escalation_go_once_per_step_and_day(db):
    version = starter(db)
    _company, north, _south, head_n, head_s, office, compliance = organisation(db)
    today = clock.tokyo_date(clock.now())
    rounds.create_round(db, version.id, [north.id], "monthly", 1, today.replace(day=1), compliance.id)
    queued = rounds.remind_and_escalate(db, "https://portal.example", today + timedelta(days=1))
    assert queued == 1  # the head, overdue
    assert rounds.remind_and_escalate(db, "https://portal.example", today + timedelta(days=1)) == 0
    inspection = db.scalar(select(InspectionResponse))
    answers = [
        AnswerInput(i.id, "does_not_conform", comment="no")
        if n == 0
        else AnswerInput(i.id, "conforms", evidence_name="e.png", evidence=PNG if i.evidence_required else None)
        for n, i in enumerate(version.items)
    ]
    rounds.save_answers(db, inspection.id, answers, head_n.id, MAX)
    (finding,) = rounds.submit(db, inspection.id, head_n.id)
    later = finding.due_on + timedelta(days=1)
    assert rounds.remind_and_escalate(db, "https://portal.example", later) >= 2  # head and second line
    kinds = db.execute(select(OutboxMessage.kind, OutboxMessage.to_user_id)).all()
    assert ("inspection_finding_overdue", head_n.id) in kinds and ("inspection_finding_overdue", office.id) in kinds
    assert ("inspection_finding_overdue", head_s.id) not in kinds
    assert rounds.remind_and_escalate(db, "https://portal.example", later) == 0


def test_the_database_holds_one_inspection_per_department_and_period_and_an_action_when_done(db):
    version = starter(db)
    _company, north, _south, head_n, _head_s, _office, compliance = organisation(db)
    today = clock.tokyo_date(clock.now())
    made = rounds.create_round(db, version.id, [north.id], "monthly", 10, today, compliance.id)
    rounds.open_periods(db, today)
    start, _ = rounds.period_of(today, "monthly")
    db.commit()
    db.add(
        InspectionResponse(
            version_id=version.id, department_id=north.id, round_id=made.id, period_start=start, created_at=clock.now()
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
    inspection = db.scalar(select(InspectionResponse))
    db.add(
        InspectionFinding(
            response_id=inspection.id,
            item_id=version.items[0].id,
            department_id=north.id,
            owner_id=head_n.id,
            due_on=today,
            status="done",
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
def test_two_runs_at_once_open_each_inspection_once(app, db):
    version = starter(db)
    company, _north, _south, _head_n, _head_s, _office, compliance = organisation(db)
    today = clock.tokyo_date(clock.now())
    rounds.create_round(db, version.id, [company.id], "monthly", 10, today, compliance.id)
    db.commit()
    barrier, counts = threading.Barrier(2), []

    def run():
        with Session(db.get_bind()) as session:
            barrier.wait()
            counts.append(rounds.open_periods(session, today))
            session.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) in ([0, 2], [1, 1])
    assert len(db.scalars(select(InspectionResponse)).all()) == 2


def test_jobs_run_takes_the_step_the_room_registers(app, db):
    from learning.campaigns.jobs import run_jobs

    version = starter(db)
    _company, north, _south, _head_n, _head_s, _office, compliance = organisation(db)
    today = clock.tokyo_date(clock.now())
    rounds.create_round(db, version.id, [north.id], "monthly", 1, today.replace(day=1), compliance.id)
    db.commit()
    steps = app.extensions["jobs_steps"]
    assert "inspection rounds" in [name for name, _ in steps]  # beside other rooms' steps
    run = run_jobs(db, app.extensions["settings"], extra_steps=steps)
    assert run.failed == [] and run.steps["inspection rounds"] == 1  # the head, overdue or due within the week
    assert db.scalar(select(InspectionResponse.department_id)) == north.id


def test_the_second_line_is_granted_for_a_subtree_with_a_second_persons_approval(db):
    from learning.accounts import grants
    from learning.accounts.errors import AccountError

    department = make_department(db)
    person, admin, compliance = make_user(db), make_user(db, "admin"), make_user(db, "compliance")
    with pytest.raises(AccountError) as unscoped:
        grants.request_grant(db, person, "business_office", None, admin)
    assert unscoped.value.code == "scope"
    grant = grants.request_grant(db, person, "business_office", department.id, admin)
    assert grant.status == "pending"
    grants.approve(db, grant.id, compliance)
    assert grant.status == "active"
    assert rounds.reviewable_departments(db, person.id) == {department.id}
