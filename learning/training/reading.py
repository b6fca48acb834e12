"""Reading a module: when each section was opened (for a minimum reading time), and whether the quiz can be
taken now or what is still missing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.training.models import Assignment, SectionOpen


def note_opened(session: Session, assignment: Assignment, position: int) -> None:
    """Keeps when the learner first opened a section still to be read, if the module asks for a reading time.

    Written on the section's page (a GET): it records a fact about the reading, changes nothing the learner
    could be tricked into, and a reload keeps the first time (insert, or nothing on conflict).
    """
    if not assignment.edition.min_read_seconds or position <= assignment.sections_done or not assignment.is_open:
        return
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(SectionOpen.__table__).values(
        assignment_id=assignment.id, position=position, opened_at=clock.now()
    )
    session.execute(statement.on_conflict_do_nothing())


def seconds_left(session: Session, assignment: Assignment, position: int, now: datetime | None = None) -> int:
    """Seconds the learner still has to spend on a section before it may be marked read (0: none).

    A section never opened (a forced POST) has the whole minimum still to go.
    """
    minimum = assignment.edition.min_read_seconds
    if not minimum or position <= assignment.sections_done:
        return 0
    opened = session.scalar(
        select(SectionOpen.opened_at).where(
            SectionOpen.assignment_id == assignment.id, SectionOpen.position == position
        )
    )
    if opened is None:
        return minimum
    elapsed = ((now or clock.now()) - opened).total_seconds()
    return max(0, math.ceil(minimum - elapsed))


@dataclass(frozen=True)
class Readiness:
    """Whether an assignment's quiz can be started now; if not, the sections still to read (positions)."""

    unread: list[int] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.unread

    @property
    def unread_list(self) -> str:
        return ", ".join(map(str, self.unread))


def readiness(session: Session, assignments: Sequence[Assignment]) -> dict[int, Readiness]:
    """Each assignment's readiness for its quiz, from the section counts loaded with the editions (no query
    however many there are: the home page lists all).

        Every section read is the condition: reading time is enforced when a section is marked read, so a read
        section has had its time. Passing, completion and closed periods are the pages' own business.
    """
    return {a.id: Readiness(list(range(a.sections_done + 1, a.edition.section_count + 1))) for a in assignments}
