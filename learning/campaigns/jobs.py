"""`flask jobs run`: every time-driven step, each in its own transaction, each safe to repeat or overlap.

One run at a time: on PostgreSQL a run first takes a session-level advisory lock with
`pg_try_advisory_lock`, on a connection of its own held for the whole run, and a run that finds it taken
skips (the one holding it is doing the same work, and the next timer tick catches up). Session-level,
because each step commits: a transaction-level lock would be gone after the first step. The connection is
in autocommit, so that holding the lock holds no transaction open; if the process dies, PostgreSQL
closes the connection and the lock with it. SQLite has no such lock and needs none to stay correct: every
transaction begins IMMEDIATE (learning/db.py), so the steps of overlapping runs take turns at the one
write lock, and each step is idempotent (claims by conditional update, ON CONFLICT, the rollover's row
lock and unique period), so a second run does only what is left.

A step that raises is rolled back, logged with its traceback and reported as failed (`StepFailed`), and
the following steps still run: a broken rollover must not stop reminders or sending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from learning.accounts import reviews
from learning.accounts.grants import lapse_due
from learning.accounts.tokens import link_makers
from learning.campaigns.reminders import queue_reminders
from learning.campaigns.running import process_personnel_events, roll_over
from learning.config import Settings
from learning.notify.sender import send_pending
from learning.notify.services import SmtpSettings
from learning.search import index as search_index
from learning.training.services import end_expired_exemptions

log = logging.getLogger("learning.jobs")
# The advisory lock's key: one bigint for the whole database, the bytes of "jobs run".
JOBS_LOCK = int.from_bytes(b"jobs run", "big")
DATED_KINDS = ("notice", "rule")  # search kinds whose entries the clock changes (a window, an effective day)
SKIPPED_STATUS = 75  # EX_TEMPFAIL (sysexits.h): not done now, nothing wrong, try again later


@dataclass(frozen=True)
class StepFailed:
    """A step's outcome when it raised: its work was rolled back, the traceback is in the log."""

    error: str

    def __str__(self) -> str:
        return f"failed: {self.error}"


@dataclass
class JobsRun:
    """What a run did: each step's result (a count, a summary, or StepFailed), or that it was skipped."""

    steps: dict[str, object] = field(default_factory=dict)
    skipped: bool = False

    @property
    def failed(self) -> list[str]:
        return [name for name, result in self.steps.items() if isinstance(result, StepFailed)]


def smtp_settings(settings: Settings) -> SmtpSettings:
    return SmtpSettings(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_user,
        settings.smtp_password,
        settings.smtp_starttls,
        settings.mail_from,
    )


def run_jobs(session: Session, settings: Settings, report: Callable[[str, object], None] | None = None) -> JobsRun:
    """Runs every step in order unless another run holds the lock (then `skipped`). Each step is its own
    unit of work: the commit after it is this job runner's commit point, the rollback after a failure
    keeps the others' work."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("rollover", lambda: len(roll_over(session))),
        ("joiners and movers", lambda: process_personnel_events(session)),
        ("exemptions ended", lambda: end_expired_exemptions(session)),
        ("grants lapsed", lambda: lapse_due(session)),
        ("access review items lapsed", lambda: reviews.close_overdue(session)),
        ("access review reminders", lambda: reviews.remind(session, settings.portal_url)),
        # Notices and rules versions come into force and go by the clock: their search entries follow.
        ("search entries by date", lambda: sum(search_index.rebuild(session, DATED_KINDS).values())),
        ("emails queued", lambda: queue_reminders(session, settings.portal_url)),
        ("emails sent", lambda: send_pending(session, smtp_settings(settings), links=link_makers(settings.portal_url))),
    ]
    run = JobsRun()
    with one_run_at_a_time(session) as holding:
        if not holding:
            run.skipped = True
            return run
        for name, step in steps:
            try:
                run.steps[name] = step()
                session.commit()
            except Exception as exc:  # any failure of one step: logged, and the next steps still run
                session.rollback()
                log.exception("jobs run: the step %r failed; the following steps go on", name)
                run.steps[name] = StepFailed(f"{type(exc).__name__}: {next(iter(str(exc).splitlines()), '')}")
            if report:
                report(name, run.steps[name])
    return run


@contextmanager
def one_run_at_a_time(session: Session) -> Iterator[bool]:
    """Yields whether this run may go ahead: PostgreSQL's advisory lock taken (see the top), or SQLite."""
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        holding = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": JOBS_LOCK})
        try:
            yield holding
        finally:
            if holding:
                try:
                    connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": JOBS_LOCK})
                except DBAPIError:
                    # The connection is gone or broken: the server has dropped the lock, or will when this
                    # connection is closed, which it must be rather than go back to the pool holding it.
                    connection.invalidate()
