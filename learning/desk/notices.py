"""A named asker is told on the home page that the desk has answered, until they open the question.

(They are also told by email when the desk replies: handling.desk_reply. Anonymous askers are told
nothing here: nothing ties their question to them.) Pure of Flask.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from learning import clock
from learning.desk.models import DeskMessage, DeskQuestion

_latest = (
    select(DeskMessage.question_id, func.max(DeskMessage.created_at).label("at"))
    .where(DeskMessage.author_kind == "desk")
    .group_by(DeskMessage.question_id)
    .subquery()
)
# Built once, the asker bound (the home page runs it on every view; building it is most of its cost).
_UNSEEN = (
    select(DeskQuestion)
    .join(_latest, _latest.c.question_id == DeskQuestion.id)
    .where(
        DeskQuestion.asker_id == bindparam("user_id"),
        or_(DeskQuestion.asker_seen_at.is_(None), DeskQuestion.asker_seen_at < _latest.c.at),
    )
    .order_by(_latest.c.at.desc(), DeskQuestion.code)
)


def unseen_answers(session: Session, user_id: int) -> list[DeskQuestion]:
    """The asker's questions with a desk reply they have not opened since, the newest reply first."""
    return list(session.scalars(_UNSEEN, {"user_id": user_id}))


def mark_seen(session: Session, question: DeskQuestion) -> None:
    """The asker has the thread in front of them: its answers are no longer news."""
    question.asker_seen_at = clock.now()
