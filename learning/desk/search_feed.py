"""What the desk gives the search index: its published FAQ entries, in both languages, for everyone.
Put when an entry is published or a published one saved, removed when it is retired or back to draft, all
again by `flask search reindex` (registered in `desk.init_app`). Flask-free."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.desk.models import FaqEntry
from learning.search import index

LANGS = ("ja", "en")
TRAIL = {"ja": "よくある質問", "en": "FAQ"}  # the page's name, as its heading says in each language


def key(entry: FaqEntry) -> str:
    return f"faq:{entry.id}"


def entries(entry: FaqEntry) -> list[index.Entry]:
    return [
        index.Entry(
            kind="faq",
            key=key(entry),
            language=lang,
            title=getattr(entry, f"question_{lang}") or entry.question_ja,
            body=getattr(entry, f"answer_{lang}") or entry.answer_ja,
            endpoint="desk.faq",
            args={"entry": entry.id},
            anchor=f"faq-{entry.id}",
            trail=(TRAIL[lang],),
        )
        for lang in LANGS
    ]


def update(session: Session, entry: FaqEntry) -> None:
    """The entry findable while published, not otherwise."""
    if entry.status == "published":
        index.put_all(session, entries(entry))
    else:
        index.remove(session, "faq", key(entry))


def rebuild(session: Session) -> None:
    for entry in session.scalars(select(FaqEntry).where(FaqEntry.status == "published").order_by(FaqEntry.id)):
        index.put_all(session, entries(entry))
