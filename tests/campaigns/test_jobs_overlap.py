"""`jobs run` under overlap and faults: one run at a time on PostgreSQL (the advisory lock), a rollover that
three runs at once make once, and a step that fails without stopping the ones after it."""

import logging
import threading
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from learning import clock
from learning.app import create_app
from learning.campaigns.extensions import extend
from learning.campaigns.jobs import JOBS_LOCK, SKIPPED_STATUS, run_jobs
from learning.campaigns.models import Campaign, ReminderLog
from learning.campaigns.reminders import queue_reminders
from learning.campaigns.running import roll_over
from learning.notify.models import OutboxMessage
from learning.training.models import Assignment
from tests.conftest import PG_URL, make_settings
from tests.factories import make_department, make_edition, make_launched_campaign, make_user

pg_only = pytest.mark.skipif(not PG_URL, reason="the advisory lock and row-lock waits are PostgreSQL's")
AFTER_THE_YEAR = datetime(2027, 4, 2, 1, tzinfo=UTC)  # 10:00 on 2 April in Tokyo: FY2026 has ended
PEOPLE = 6


def year_and_a_short_campaign(db) -> tuple[Campaign, list[str]]:
    """A yearly FY2026 campaign that has ended, and a one-off campaign due 10 April 2027 (a reminder is due),
    for PEOPLE people; returns the yearly campaign and the people's addresses."""
    clock.freeze(datetime(2026, 4, 1, 1, tzinfo=UTC))
    branch = make_department(db, code="BR")
    emails = [f"p{n}@example.jp" for n in range(PEOPLE)]
    for email in emails:
        make_user(db, department=branch, email=email)
    yearly = make_launched_campaign(db, [make_edition(db, slug="rules")])
    clock.freeze(datetime(2027, 3, 15, 1, tzinfo=UTC))
    make_launched_campaign(
        db,
        [make_edition(db, slug="gifts")],
        name_ja="贈答の臨時研修",
        name_en="Gifts, once",
        recurrence="none",
        opens_on=date(2027, 3, 15),
        due_on=date(2027, 4, 10),
    )
    db.commit()
    clock.freeze(AFTER_THE_YEAR)
    return yearly, emails


def with_smtp(app, tmp_path, smtp_server):
    """The test app's settings, sending through the test's SMTP server."""
    database_url = app.extensions["settings"].database_url
    return make_settings(database_url, tmp_path / "jobs", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port))


def fresh(db, campaign_id: int) -> Campaign:
    return db.get(Campaign, campaign_id, populate_existing=True)


def successors(db, yearly: Campaign) -> list[Campaign]:
    return db.scalars(select(Campaign).where(Campaign.series_id == yearly.id, Campaign.id != yearly.id)).all()


def assignments_of(db, campaign_id: int) -> int:
    return db.scalar(select(func.count()).select_from(Assignment).where(Assignment.campaign_id == campaign_id))


def all_at_once(count: int, work) -> list[Exception]:
    """Runs `work()` in `count` threads released together; returns what they raised."""
    barrier, errors = threading.Barrier(count), []

    def one():
        try:
            barrier.wait()
            work()
        except Exception as exc:  # collected and asserted by the caller
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_three_overlapping_job_runs_do_every_step_once(app, db, smtp_server, tmp_path):
    yearly, emails = year_and_a_short_campaign(db)
    settings = with_smtp(app, tmp_path, smtp_server)
    runs = []

    def run():
        session = app.extensions["db"].factory()
        try:
            runs.append(run_jobs(session, settings))
        finally:
            session.close()

    assert all_at_once(3, run) == []
    assert len(runs) == 3 and all(r.failed == [] for r in runs)
    done = [r for r in runs if not r.skipped]
    assert sum(r.steps["rollover"] for r in done) == 1
    assert sum(r.steps["emails queued"] for r in done) == PEOPLE
    assert sum(r.steps["emails sent"]["sent"] for r in done) == PEOPLE
    (successor,) = successors(db, yearly)
    assert successor.period_start == date(2027, 4, 1) and successor.status == "running"
    assert assignments_of(db, successor.id) == PEOPLE  # launched once: nobody assigned twice
    assert fresh(db, yearly.id).status == "closed"
    steps = db.execute(select(ReminderLog.step, func.count()).group_by(ReminderLog.step)).all()
    assert steps == [("before:14", PEOPLE)]  # each reminder claimed once
    assert db.scalars(select(OutboxMessage.status)).all() == ["sent"] * PEOPLE
    assert sorted(m["To"] for m in smtp_server.handler_messages) == sorted(emails)  # each sent once


def test_three_rollovers_at_once_make_one_successor_and_launch_it_once(app, db):
    """Without the jobs lock (roll_over called directly, or SQLite): the campaign's row lock and the unique
    (series, period_start) still make one successor."""
    yearly, _ = year_and_a_short_campaign(db)
    launched = []

    def rollover():
        session = app.extensions["db"].factory()
        try:
            launched.extend(c.id for c in roll_over(session))
            session.commit()
        finally:
            session.close()

    assert all_at_once(3, rollover) == []
    (successor,) = successors(db, yearly)
    assert launched == [successor.id]
    assert assignments_of(db, successor.id) == PEOPLE


@pg_only
def test_a_successor_made_meanwhile_counts_as_already_rolled_over(app, db, database_url):
    """The race the row lock does not cover: another transaction inserts this period's campaign after the
    rollover looked for it. The rollover waits on the unique index, then takes the conflict as done."""
    yearly, _ = year_and_a_short_campaign(db)
    rival_engine = create_engine(database_url)
    rival = Session(rival_engine)
    twin = Campaign(
        series_id=yearly.id,
        name_ja="2027年度",
        name_en="FY2027",
        status="draft",
        opens_on=date(2027, 4, 1),
        due_on=date(2027, 6, 30),
        period_start=date(2027, 4, 1),
        period_end=date(2028, 4, 1),
        recurrence="yearly",
        created_at=clock.now(),
    )
    rival.add(twin)
    rival.flush()  # inserted, not committed: the rollover's insert of the same period will wait for it
    twin_id = twin.id
    outcome = {}

    def rollover():
        session = app.extensions["db"].factory()
        try:
            outcome["launched"] = roll_over(session)
            session.commit()
        except Exception as exc:
            outcome["error"] = exc
        finally:
            session.close()

    thread = threading.Thread(target=rollover)
    thread.start()
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    for _ in range(400):  # until the rollover's insert is blocked on the rival's row (bounded, not timed)
        if db.scalar(text(waiting)):
            break
        time.sleep(0.025)
    else:
        pytest.fail("the rollover never waited for the rival insert")
    rival.commit()
    thread.join()
    rival.close()
    rival_engine.dispose()
    assert outcome == {"launched": []}
    assert [c.id for c in successors(db, yearly)] == [twin_id]
    assert fresh(db, yearly.id).status == "closed"
    assert assignments_of(db, twin_id) == 0  # the loser launched nothing


REFUSE = {
    "sqlite": [
        "CREATE TRIGGER test_refuse_campaigns BEFORE INSERT ON campaigns "
        "BEGIN SELECT RAISE(ABORT, 'no new campaigns today'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION test_refuse_campaigns() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no new campaigns today'; END $$",
        "CREATE TRIGGER test_refuse_campaigns BEFORE INSERT ON campaigns "
        "FOR EACH ROW EXECUTE FUNCTION test_refuse_campaigns()",
    ],
}
ALLOW = {
    "sqlite": ["DROP TRIGGER test_refuse_campaigns"],
    "postgresql": ["DROP TRIGGER test_refuse_campaigns ON campaigns", "DROP FUNCTION test_refuse_campaigns()"],
}


def test_a_failing_step_is_logged_and_the_following_steps_still_run(app, db, smtp_server, tmp_path, caplog):
    yearly, emails = year_and_a_short_campaign(db)
    jobs_app = create_app(with_smtp(app, tmp_path, smtp_server))
    dialect = db.get_bind().dialect.name
    for statement in REFUSE[dialect]:  # the database refuses the successor: the rollover step fails
        db.execute(text(statement))
    try:
        with caplog.at_level(logging.ERROR, logger="learning.jobs"):
            result = jobs_app.test_cli_runner().invoke(args=["jobs", "run"])
    finally:
        for statement in ALLOW[dialect]:
            db.execute(text(statement))
    assert result.exit_code == 1, result.output
    assert "rollover: failed: " in result.output and "no new campaigns today" in result.output
    assert "emails queued: 6\n" in result.output and "'sent': 6" in result.output
    assert "jobs run: failed steps: rollover (the other steps ran)" in result.output
    (logged,) = [r for r in caplog.records if r.name == "learning.jobs"]
    assert logged.message == "jobs run: the step 'rollover' failed; the following steps go on"
    assert "no new campaigns today" in str(logged.exc_info[1])
    assert sorted(m["To"] for m in smtp_server.handler_messages) == sorted(emails)  # sending went on
    assert successors(db, yearly) == [] and fresh(db, yearly.id).status == "running"  # undone whole

    again = jobs_app.test_cli_runner().invoke(args=["jobs", "run"])
    assert again.exit_code == 0, again.output
    assert "rollover: 1\n" in again.output and "emails queued: 0\n" in again.output
    assert len(successors(db, yearly)) == 1
    jobs_app.extensions["db"].engine.dispose()


@pg_only
def test_a_run_while_another_holds_the_lock_skips_and_says_so(app, db, database_url):
    yearly, _ = year_and_a_short_campaign(db)
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as other_run:
        assert other_run.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": JOBS_LOCK}) is True
        result = app.test_cli_runner().invoke(args=["jobs", "run"])
        other_run.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": JOBS_LOCK})
    engine.dispose()
    assert result.exit_code == SKIPPED_STATUS
    assert result.output == "jobs run: skipped, another run is in progress (it holds the jobs lock)\n"
    assert fresh(db, yearly.id).status == "running"  # nothing was done
    done = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert done.exit_code == 0, done.output
    assert "rollover: 1\n" in done.output
    held = db.scalar(
        text(
            "SELECT count(*) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database "
            "WHERE locktype = 'advisory' AND datname = current_database()"
        )
    )
    assert held == 0  # the run let go of the lock


@pg_only
def test_reminders_for_an_extended_due_date_are_claimed_once_by_runs_at_once(app, db):
    """Three reminder steps at once (no jobs lock: queue_reminders called directly), before and after an
    extension: the unique (assignment, due date, step) lets one claim each step of each due date."""
    year_and_a_short_campaign(db)
    gifts = db.scalar(select(Campaign).where(Campaign.name_en == "Gifts, once"))
    compliance = make_user(db, "compliance")
    db.commit()

    def remind():
        session = app.extensions["db"].factory()
        try:
            queue_reminders(session, "http://portal")
            session.commit()
        finally:
            session.close()

    clock.freeze(datetime(2027, 4, 9, 1, tzinfo=UTC))  # a day before 10 April
    assert all_at_once(3, remind) == []
    with app.extensions["db"].factory() as session:
        extend(session, gifts.id, "campaign", date(2027, 4, 30), "システム障害", compliance.id)
        session.commit()
    clock.freeze(datetime(2027, 4, 23, 1, tzinfo=UTC))  # seven days before the new date
    assert all_at_once(3, remind) == []
    db.expire_all()
    steps = db.execute(
        select(ReminderLog.step, ReminderLog.due_at, func.count()).group_by(ReminderLog.step, ReminderLog.due_at)
    ).all()
    assert sorted((step, due.astimezone(clock.TOKYO).date(), n) for step, due, n in steps) == [
        ("before:1", date(2027, 4, 10), PEOPLE),
        ("before:7", date(2027, 4, 30), PEOPLE),
    ]
    sent = db.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "reminder"))
    assert sent == 2 * PEOPLE  # one email per person and due date
