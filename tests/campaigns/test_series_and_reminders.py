"""Running a year: reminders follow an extended due date; a repeating campaign closed early still rolls over,
a cancelled one ends its series, and a copy made by hand is not doubled by the rollover."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learning import clock
from learning.campaigns import extensions, lifecycle
from learning.campaigns.models import Campaign, ReminderLog
from learning.campaigns.periods import end_of_day
from learning.campaigns.reminders import queue_reminders
from learning.campaigns.running import roll_over
from learning.campaigns.services import create_campaign
from learning.notify.models import OutboxMessage
from learning.training.models import Assignment
from tests.factories import make_department, make_edition, make_launched_campaign, make_user

APRIL = datetime(2026, 4, 1, 3, tzinfo=UTC)  # noon in Tokyo


def at(day: date) -> None:
    clock.freeze(datetime(day.year, day.month, day.day, 1, tzinfo=UTC))  # 10:00 in Tokyo


@pytest.fixture
def year(db):
    clock.freeze(APRIL)
    branch = make_department(db, code="BR")
    compliance = make_user(db, "compliance")  # in no department: not in the audience
    person = make_user(db, department=branch)
    campaign = make_launched_campaign(db, [make_edition(db, slug="rules")], compliance.id)
    db.commit()
    return {"campaign": campaign, "person": person, "compliance": compliance}


def steps(db) -> list[tuple[str, date]]:
    rows = db.execute(select(ReminderLog.step, ReminderLog.due_at).order_by(ReminderLog.id)).all()
    return [(step, due_at.astimezone(clock.TOKYO).date()) for step, due_at in rows]


def reminders(db) -> int:
    return db.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "reminder"))


def test_an_extension_re_arms_the_reminders_for_the_new_date_once_each(db, year):
    campaign, person = year["campaign"], year["person"]
    at(date(2026, 6, 29))  # one day before 30 June: the "1 day before" reminder
    queue_reminders(db, "http://portal")
    queue_reminders(db, "http://portal")  # the same day again: nothing more
    db.commit()
    assert steps(db) == [("before:1", date(2026, 6, 30))]
    assert reminders(db) == 1
    extensions.extend(db, campaign.id, "person", date(2026, 7, 31), "病気休暇", year["compliance"].id,
                      user_id=person.id)  # fmt: skip
    db.commit()
    for day in (date(2026, 6, 30), date(2026, 7, 17), date(2026, 7, 18), date(2026, 7, 24), date(2026, 7, 30)):
        at(day)
        queue_reminders(db, "http://portal")
        queue_reminders(db, "http://portal")
        db.commit()
    assert steps(db) == [
        ("before:1", date(2026, 6, 30)),
        ("before:14", date(2026, 7, 31)),
        ("before:7", date(2026, 7, 31)),
        ("before:1", date(2026, 7, 31)),
    ]
    assert reminders(db) == 4  # one email per step and due date, never two
    at(date(2026, 8, 1))  # overdue on the new date
    queue_reminders(db, "http://portal")
    queue_reminders(db, "http://portal")
    db.commit()
    assert steps(db)[-1] == ("overdue:0", date(2026, 7, 31))
    assert reminders(db) == 5


def test_the_same_step_and_due_date_is_refused_by_the_unique_key(db, year):
    assignment = db.scalar(select(Assignment))
    db.add(ReminderLog(assignment_id=assignment.id, step="before:7", due_at=assignment.due_at, at=clock.now()))
    db.commit()
    db.add(ReminderLog(assignment_id=assignment.id, step="before:7", due_at=assignment.due_at, at=clock.now()))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    later = end_of_day(date(2026, 7, 31))
    db.add(ReminderLog(assignment_id=assignment.id, step="before:7", due_at=later, at=clock.now()))
    db.commit()  # another due date: its own step


def series(db, campaign: Campaign) -> list[Campaign]:
    db.expire_all()
    return list(db.scalars(select(Campaign).where(Campaign.series_id == campaign.series_id).order_by(Campaign.id)))


def test_a_campaign_closed_early_rolls_over_when_its_period_ends(db, year):
    campaign = year["campaign"]
    at(date(2026, 12, 1))
    lifecycle.close_early(db, campaign.id, "年度途中で終了", year["compliance"].id)
    db.commit()
    assert roll_over(db) == []  # its period (FY2026) is still running
    db.commit()
    at(date(2027, 4, 1))
    (successor,) = roll_over(db)
    db.commit()
    assert roll_over(db) == []  # once
    db.commit()
    first, second = series(db, campaign)
    assert (first.id, second.id) == (campaign.id, successor.id)
    assert second.period_start == date(2027, 4, 1) and second.status == "running"
    assert second.name_en == "FY2027 conduct-rule training"
    assert db.scalar(select(func.count()).select_from(Assignment).where(Assignment.campaign_id == second.id)) == 1


def test_a_cancelled_campaign_ends_its_series(db, year):
    campaign = year["campaign"]
    at(date(2026, 12, 1))
    lifecycle.cancel(db, campaign.id, "誤って開始", year["compliance"].id)
    db.commit()
    at(date(2027, 4, 2))
    assert roll_over(db) == []
    db.commit()
    assert [c.id for c in series(db, campaign)] == [campaign.id]


def test_a_campaign_closed_early_and_copied_by_hand_is_not_rolled_over_again(db, year):
    campaign = year["campaign"]
    at(date(2026, 12, 1))
    lifecycle.close_early(db, campaign.id, "年度途中で終了", year["compliance"].id)
    proposal = lifecycle.copy_proposal(db.get(Campaign, campaign.id), date(2026, 12, 1))
    copy = create_campaign(db, proposal, year["compliance"].id, copy_of=campaign.id)
    db.commit()
    assert copy.period_start == date(2027, 4, 1)
    at(date(2027, 4, 2))
    assert roll_over(db) == []
    db.commit()
    assert [c.id for c in series(db, campaign)] == [campaign.id]  # nothing new in the old series
    assert db.scalar(select(func.count()).select_from(Campaign)) == 2  # the original and its copy


def test_a_next_period_already_past_is_not_made(db, year):
    campaign = year["campaign"]
    at(date(2026, 12, 1))
    lifecycle.close_early(db, campaign.id, "年度途中で終了", year["compliance"].id)
    db.commit()
    at(date(2028, 4, 2))  # FY2027 has ended too: nothing to launch for it now
    assert roll_over(db) == []
    db.commit()
    assert [c.id for c in series(db, campaign)] == [campaign.id]
