"""Exemptions are kept for good: the assignment holds only the one in force, the exemptions table every one ever
granted, with who granted it and how it ended (lifted by whom, replaced by a later one, expired by the job)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from learning import clock
from learning.campaigns.closing import close
from learning.campaigns.periods import end_of_day
from learning.training import services as training
from learning.training.models import Assignment, Exemption
from tests.factories import make_department, make_edition, make_launched_campaign, make_user


def at(month: int, day: int) -> datetime:
    moment = datetime(2026, month, day, 1, tzinfo=UTC)
    clock.freeze(moment)
    return moment


def test_every_exemption_is_kept_with_how_it_ended(db):
    at(4, 1)
    branch = make_department(db)
    person, office, other = make_user(db, department=branch), make_user(db, "compliance"), make_user(db, "compliance")
    campaign = make_launched_campaign(db, [make_edition(db)], office.id)
    assignment = db.scalar(select(Assignment).where(Assignment.campaign_id == campaign.id))
    granted = at(4, 10)
    training.exempt(db, assignment, "育児休業", end_of_day(date(2026, 6, 30)), office.id)
    replaced = at(4, 20)
    training.exempt(db, assignment, "育児休業（延長）", end_of_day(date(2026, 9, 30)), other.id)
    lifted = at(5, 1)
    training.end_exemption(db, assignment, office.id)
    training.end_exemption(db, assignment, office.id)  # not exempt any more: nothing to end, nothing written
    at(5, 2)
    training.exempt(db, assignment, "出向", end_of_day(date(2026, 5, 31)), office.id)
    expired = at(6, 1)
    assert training.end_expired_exemptions(db) == 1
    db.flush()
    rows = db.scalars(select(Exemption).order_by(Exemption.id)).all()
    assert [(r.reason, r.granted_by_id, r.ended_how, r.ended_by_id, r.ended_at) for r in rows] == [
        ("育児休業", office.id, "replaced", other.id, replaced),
        ("育児休業（延長）", other.id, "lifted", office.id, lifted),
        ("出向", office.id, "expired", None, expired),
    ]
    assert rows[0].granted_at == granted and rows[0].until == end_of_day(date(2026, 6, 30))
    assert {r.user_id for r in rows} == {person.id} and assignment.status == "assigned"


def test_a_closed_periods_exemption_is_neither_granted_nor_ended(db):
    at(4, 1)
    make_user(db, department=make_department(db))
    office = make_user(db, "compliance")
    campaign = make_launched_campaign(db, [make_edition(db)], office.id)
    assignment = db.scalar(select(Assignment).where(Assignment.campaign_id == campaign.id))
    training.exempt(db, assignment, "休職", end_of_day(date(2027, 6, 30)), office.id)
    close(db, campaign)
    db.refresh(assignment)
    with pytest.raises(training.TrainingError):
        training.end_exemption(db, assignment, office.id)
    (kept,) = db.scalars(select(Exemption)).all()
    assert kept.ended_at is None and kept.ended_how is None  # in force when the period closed, frozen with it


def test_an_exempt_person_who_completes_all_the_same_ends_the_exemption(db):
    at(4, 1)
    person = make_user(db, department=make_department(db))
    office = make_user(db, "compliance")
    campaign = make_launched_campaign(db, [make_edition(db)], office.id)
    assignment = db.scalar(select(Assignment).where(Assignment.campaign_id == campaign.id))
    training.exempt(db, assignment, "出向", end_of_day(date(2026, 9, 30)), office.id)
    done = at(4, 20)
    assignment.quiz_passed_at, assignment.best_score = done, 100
    training.attest(db, assignment, person.id)
    db.flush()
    (kept,) = db.scalars(select(Exemption)).all()
    assert (kept.ended_how, kept.ended_by_id, kept.ended_at, assignment.status) == (
        "completed",
        person.id,
        done,
        "completed",
    )
