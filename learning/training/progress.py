"""A learner's way back in: each assignment once on the home page, and "continue where you left off".

The open quiz attempts are the quiz room's, above this one: it registers a finder here (`register_open_attempts`),
as campaigns register their describers in `sources`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from learning.courses.models import Section
from learning.training.models import Assignment
from learning.training.services import resume_position, section_at


@dataclass(frozen=True)
class OpenAttempt:
    attempt_id: int
    started_at: datetime
    answered: int  # questions with a saved pick
    questions: int


# (session, assignment ids) -> {assignment id: its open attempt}
AttemptFinder = Callable[[Session, list[int]], dict[int, OpenAttempt]]
_finders: list[AttemptFinder] = []


def register_open_attempts(finder: AttemptFinder) -> AttemptFinder:
    if finder not in _finders:
        _finders.append(finder)
    return finder


@dataclass(frozen=True)
class Continue:
    """The one link back: an open quiz attempt, an attestation still to give, the quiz to start, or a section."""

    assignment: Assignment
    step: str  # "attempt", "attest", "quiz" or "section"
    attempt: OpenAttempt | None = None
    section: Section | None = None
    sections: int = 0


def on_home(assignments: list[Assignment]) -> list[Assignment]:
    """Each assignment the home page shows, once, in the order given: per module the current one (the latest
    assigned, not withdrawn, not in a closed period), and an older one only while it is still the person's open
    duty, apart from the current one (another edition, or the current one is not open). A closed period's are
    history (My training and the history page): they can no longer change."""
    candidates = [a for a in assignments if a.withdrawn_at is None and a.frozen_at is None]
    current: dict[int, Assignment] = {}
    for a in candidates:
        held = current.get(a.edition.module_id)
        if held is None or (a.assigned_at, a.id) > (held.assigned_at, held.id):
            current[a.edition.module_id] = a
    shown = []
    for a in candidates:
        now_one = current[a.edition.module_id]
        if a is now_one:
            shown.append(a)
        elif a.is_open and not (now_one.is_open and now_one.edition_id == a.edition_id):
            shown.append(a)  # completing the current one would not complete this one
    return shown


def where_to_continue(session: Session, assignments: list[Assignment]) -> Continue | None:
    """Where the learner left off: the most recently started open quiz attempt; else a passed quiz awaiting
    attestation; else the module being read that is due first (the list is in due order), at the section after
    the furthest one read, or its quiz once every section is read. None when nothing is under way."""
    live = [a for a in assignments if a.is_open]
    if not live:
        return None
    attempts: dict[int, OpenAttempt] = {}
    for finder in _finders:
        attempts.update(finder(session, [a.id for a in live]))
    if attempts:
        by_id = {a.id: a for a in live}
        assignment_id, attempt = max(attempts.items(), key=lambda item: item[1].started_at)
        return Continue(by_id[assignment_id], "attempt", attempt=attempt)
    for a in live:
        if a.quiz_passed_at is not None:
            return Continue(a, "attest")
    for a in live:
        if a.status == "in_progress" or a.sections_done or a.last_section:
            total = a.edition.section_count
            if a.sections_done >= total:
                return Continue(a, "quiz", sections=total)
            section = section_at(session, a.edition_id, resume_position(a, total))
            return Continue(a, "section", section=section, sections=total)
    return None
