"""What notices give the search index: every notice shown now, in both languages, to its audience only (everyone,
or its department subtrees). Put when a notice is published, removed when it is withdrawn, and all of them put
afresh by `flask search reindex` and by `jobs run` (a notice's window opens and closes by the clock, with no
step of anyone's). Flask-free.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.announcements.models import Notice
from learning.courses.search_feed import plain_text
from learning.search import index

KIND = "notice"
ENDPOINT = "notices.show"


def entries(notice: Notice) -> list[index.Entry]:
    departments = tuple(d.department_id for d in notice.departments)
    if notice.heads_only:  # found by the heads among its audience only
        audience = index.Audience(roles=("manager",)) if notice.everyone else index.Audience(managers_in=departments)
    else:
        audience = index.EVERYONE if notice.everyone else index.Audience(departments=departments)
    return [
        index.Entry(
            kind=KIND,
            key=f"notice:{notice.id}",
            language=lang,
            title=getattr(notice, f"title_{lang}") or notice.title_ja,
            body=plain_text(getattr(notice, f"body_{lang}") or notice.body_ja),
            endpoint=ENDPOINT,
            args={"notice_id": notice.id},
            trail=tuple(t for t in [getattr(notice, f"sender_{lang}") or notice.sender_ja] if t),
            audience=audience,
        )
        for lang in ("ja", "en")
    ]


def index_notice(session: Session, notice: Notice) -> None:
    """The notice as it stands: findable while it is published and in its window, gone otherwise."""
    from learning.announcements.services import shown_at  # services put through here: imported when called

    index.remove(session, KIND, key=f"notice:{notice.id}")
    if session.scalar(select(Notice.id).where(Notice.id == notice.id, shown_at(clock.now()))) is not None:
        index.put_all(session, entries(notice))


def rebuild(session: Session) -> None:
    """Every notice shown now (registered with the search room; called after the kind's entries were removed)."""
    from learning.announcements.services import shown_at

    for notice in session.scalars(select(Notice).where(shown_at(clock.now())).order_by(Notice.id)):
        index.put_all(session, entries(notice))
