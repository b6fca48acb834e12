"""`flask jobs run`: every time-driven step, each in its own transaction, each safe to repeat or overlap."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from learning.campaigns.services import process_personnel_events, roll_over
from learning.training.services import end_expired_exemptions


def steps() -> list[tuple[str, Callable[[Session], int]]]:
    """(name, step) in the order they run; each returns how many things it changed."""
    return [
        ("rollover", lambda session: len(roll_over(session))),
        ("joiners and movers", process_personnel_events),
        ("exemptions ended", end_expired_exemptions),
    ]


def run_jobs(session: Session, report: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Runs every step, committing after each so one failing step does not undo the others' work."""
    summary = {}
    for name, step in steps():
        summary[name] = step(session)
        session.commit()
        if report:
            report(name, summary[name])
    return summary
