"""`flask jobs run`: every time-driven step, each in its own transaction, each safe to repeat or overlap."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from learning.accounts import reviews
from learning.accounts.grants import lapse_due
from learning.accounts.tokens import link_makers
from learning.campaigns.reminders import queue_reminders
from learning.campaigns.running import process_personnel_events, roll_over
from learning.config import Settings
from learning.notify.sender import send_pending
from learning.notify.services import SmtpSettings
from learning.training.services import end_expired_exemptions


def smtp_settings(settings: Settings) -> SmtpSettings:
    return SmtpSettings(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_user,
        settings.smtp_password,
        settings.smtp_starttls,
        settings.mail_from,
    )


def run_jobs(session: Session, settings: Settings, report: Callable[[str, object], None] | None = None) -> dict:
    """Runs every step in order, each step its own unit of work (the commit after it is this job runner's
    commit point), so that one failing step does not undo the others."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("rollover", lambda: len(roll_over(session))),
        ("joiners and movers", lambda: process_personnel_events(session)),
        ("exemptions ended", lambda: end_expired_exemptions(session)),
        ("grants lapsed", lambda: lapse_due(session)),
        ("access review items lapsed", lambda: reviews.close_overdue(session)),
        ("access review reminders", lambda: reviews.remind(session, settings.portal_url)),
        ("emails queued", lambda: queue_reminders(session, settings.portal_url)),
        ("emails sent", lambda: send_pending(session, smtp_settings(settings), links=link_makers(settings.portal_url))),
    ]
    summary = {}
    for name, step in steps:
        summary[name] = step()
        session.commit()
        if report:
            report(name, summary[name])
    return summary
