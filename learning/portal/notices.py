"""What the home page tells a person has happened for them: the notices and messages from management shown to
them now, drafts waiting for their review, desk answers they have not opened. Each room says what is news for
one person; this gathers it. Pure of Flask."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from learning import clock
from learning.announcements.services import Current, current_for
from learning.authoring.notices import Waiting, awaiting_review
from learning.desk.models import DeskQuestion
from learning.desk.notices import unseen_answers


@dataclass(frozen=True)
class Notices:
    reviews: list[Waiting]
    answers: list[DeskQuestion]
    announcements: list[Current] = ()

    def __bool__(self) -> bool:
        """Whether there is news "for you" (the announcements have their own panel)."""
        return bool(self.reviews or self.answers)


def gather(session: Session, user) -> Notices:
    return Notices(
        awaiting_review(session, user), unseen_answers(session, user.id), current_for(session, user, clock.now())
    )
