"""The rules library's domain: documents and their versions, the version in force, acknowledgements and the
record of what is looked up. Takes the session and the acting user, writes its audit record, never commits.

The version in force on a Tokyo day is the highest-numbered one whose effective day has come; versions are
numbered in the order they take effect (a new one never takes effect before the one before it), so "newest"
means the same by number and by day. A version not yet in force is scheduled: its managers may still edit
it; once in force it is never changed (a correction is a new version with its summary of changes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import record
from learning.errors import DomainError
from learning.rules import pdf
from learning.rules.messages import MESSAGES
from learning.rules.models import KINDS, SLUG_PATTERN, RuleAcknowledgement, RuleDocument, RuleVersion, RuleView

LANGS = ("ja", "en")
MAX_TITLE = 200
MAX_TEXT = 200_000
MOST_VIEWED_DAYS = 30


class RulesError(DomainError):
    """A request the rules library cannot take; the code says why (rules/messages.py)."""

    messages = MESSAGES

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code, field=field, **params)


@dataclass(frozen=True)
class VersionDraft:
    """What a manager typed or uploaded for a version: Markdown bodies, or a PDF per language."""

    effective_on: date | None
    changes_ja: str
    changes_en: str
    body_ja: str = ""
    body_en: str = ""
    pdf_ja: bytes | None = None
    pdf_en: bytes | None = None
    needs_acknowledgement: bool = False


# Reading -----------------------------------------------------------------------------------------


def in_force(document: RuleDocument, today: date) -> RuleVersion | None:
    """The version in force on `today` (Tokyo), or None when none has taken effect yet."""
    effective = [v for v in document.versions if v.effective_on <= today]
    return max(effective, key=lambda v: v.number) if effective else None


def scheduled(document: RuleDocument, today: date) -> list[RuleVersion]:
    return [v for v in document.versions if v.effective_on > today]


def by_slug(session: Session, slug: str) -> RuleDocument | None:
    return session.scalar(select(RuleDocument).where(RuleDocument.slug == slug))


def library(session: Session, today: date) -> list[tuple[RuleDocument, RuleVersion]]:
    """Every document with a version in force, in kind order, then by Japanese title."""
    documents = session.scalars(select(RuleDocument).order_by(RuleDocument.title_ja)).all()
    shown = [(d, v) for d in documents if (v := in_force(d, today)) is not None]
    return sorted(shown, key=lambda pair: KINDS.index(pair[0].kind))


def known_slugs(session: Session, slugs: set[str]) -> set[str]:
    """Which of `slugs` name a document (for the content check's links to rules)."""
    if not slugs:
        return set()
    return set(session.scalars(select(RuleDocument.slug).where(RuleDocument.slug.in_(sorted(slugs)))))


def search_entries(session: Session, today: date) -> Iterator[tuple[RuleDocument, RuleVersion, str, str, str]]:
    """(document, version in force, language, title, text) for every version in force and language, for a
    search index. A PDF version's text is its summary of changes (its file is not read here)."""
    for document, version in library(session, today):
        for language in LANGS:
            yield document, version, language, document.titles[language], version_text(version, language)


def version_text(version: RuleVersion, language: str) -> str:
    """What a version says in a language, for search: its Markdown, or a PDF version's summary of changes."""
    body = version.bodies[language] if version.format == "markdown" else None
    return body if body is not None else version.changes[language]


def _indexed(session: Session, document: RuleDocument) -> None:
    from learning.rules import search_feed  # it reads this module: imported when a version is saved

    search_feed.index_document(session, document)


# Views and what is looked up ------------------------------------------------------------------------


def record_view(session: Session, document_id: int, today: date) -> None:
    """Counts one view of a document on a Tokyo day: one row per document and day, counted up atomically."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = RuleView.__table__
    statement = module.insert(table).values(document_id=document_id, day=today, views=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.document_id, table.c.day], set_={"views": table.c.views + 1}
        )
    )


_total = func.sum(RuleView.views).label("total")
# Built once, the days and the limit bound: the front page runs it for everyone.
_MOST_VIEWED = (
    select(RuleDocument, _total)
    .join(RuleView, RuleView.document_id == RuleDocument.id)
    .where(RuleView.day > bindparam("since"), RuleView.day <= bindparam("today"))
    .group_by(RuleDocument.id)
    .order_by(_total.desc(), RuleDocument.id)
    .limit(bindparam("limit"))
)


def most_viewed(
    session: Session, today: date, limit: int, days: int = MOST_VIEWED_DAYS
) -> list[tuple[RuleDocument, int]]:
    """The documents most looked up in the `days` Tokyo days up to `today`, with their view counts: one query
    (the front page runs it for everyone)."""
    rows = session.execute(_MOST_VIEWED, {"since": today - timedelta(days=days), "today": today, "limit": limit}).all()
    return [(document, int(count)) for document, count in rows]


# Acknowledgement ---------------------------------------------------------------------------------


def acknowledged(session: Session, version_id: int, user_id: int) -> bool:
    return session.scalar(select(RuleAcknowledgement.id).filter_by(version_id=version_id, user_id=user_id)) is not None


def acknowledge(session: Session, version: RuleVersion, user_id: int, today: date) -> bool:
    """Records that the person has read the version in force; True when this is the first time. A double click
    or two tabs at once insert one row (the unique key; the loser's insert does nothing) and one audit event."""
    if not version.needs_acknowledgement:
        raise RulesError("no_acknowledgement")
    if in_force(version.document, today) is not version:
        raise RulesError("not_current")
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = RuleAcknowledgement.__table__
    inserted = session.execute(
        module.insert(table)
        .values(version_id=version.id, user_id=user_id, at=clock.now())
        .on_conflict_do_nothing(index_elements=[table.c.version_id, table.c.user_id])
        .returning(table.c.id)
    ).scalar()
    if inserted is None:
        return False
    record(
        session,
        "rule_acknowledged",
        actor_id=user_id,
        target=("rule_version", version.id),
        details={"document": version.document.slug, "version": version.number},
    )
    return True


def acknowledgement_count(session: Session, version_id: int) -> int:
    return session.scalar(select(func.count()).select_from(RuleAcknowledgement).filter_by(version_id=version_id))


# Managing ----------------------------------------------------------------------------------------


RESERVED_SLUGS = frozenset({"manage"})  # /rules/manage is the managers' page


def create_document(
    session: Session, actor_id: int, slug: str, kind: str, title_ja: str, title_en: str
) -> RuleDocument:
    slug = (slug or "").strip()
    if not re.match(SLUG_PATTERN, slug) or slug in RESERVED_SLUGS:
        raise RulesError("slug", "slug")
    if kind not in KINDS:
        raise RulesError("kind", "kind")
    title_ja, title_en = (title_ja or "").strip(), (title_en or "").strip()
    if not title_ja or not title_en or len(title_ja) > MAX_TITLE or len(title_en) > MAX_TITLE:
        raise RulesError("title", "title_ja" if not title_ja else "title_en")
    if by_slug(session, slug) is not None:
        raise RulesError("slug_taken", "slug", slug=slug)
    document = RuleDocument(
        slug=slug, kind=kind, title_ja=title_ja, title_en=title_en, created_at=clock.now(), created_by_id=actor_id
    )
    session.add(document)
    session.flush()
    record(
        session,
        "rule_document_created",
        actor_id=actor_id,
        target=("rule_document", document.id),
        details={"document": slug, "kind": kind},
    )
    return document


def add_version(
    session: Session, document: RuleDocument, actor_id: int, draft: VersionDraft, pdf_limit: int
) -> RuleVersion:
    """A new version, numbered after the last; it takes effect no earlier than the version before it. The
    document's row lock orders two managers adding at once (the unique number backs it)."""
    _lock(session, document)
    session.refresh(document, ["versions"])
    last = document.versions[-1] if document.versions else None
    version = RuleVersion(number=(last.number + 1) if last else 1, created_at=clock.now(), created_by_id=actor_id)
    _fill(version, draft, last, pdf_limit)
    version.document = document  # only once it is whole: a refused version never joins the document
    session.add(version)
    session.flush()
    record(
        session,
        "rule_version_added",
        actor_id=actor_id,
        target=("rule_version", version.id),
        details={
            "document": document.slug,
            "version": version.number,
            "effective_on": version.effective_on.isoformat(),
        },
    )
    _indexed(session, version.document)
    return version


def edit_version(
    session: Session, version: RuleVersion, actor_id: int, draft: VersionDraft, today: date, pdf_limit: int
) -> RuleVersion:
    """Changes a scheduled version (not yet in force); a PDF left out of the draft keeps the one stored."""
    _lock(session, version.document)
    if version.effective_on <= today:
        raise RulesError("not_future")
    before = [v for v in version.document.versions if v.number < version.number]
    kept = VersionDraft(
        draft.effective_on,
        draft.changes_ja,
        draft.changes_en,
        draft.body_ja,
        draft.body_en,
        draft.pdf_ja if draft.pdf_ja is not None else (version.pdf_ja if version.format == "pdf" else None),
        draft.pdf_en if draft.pdf_en is not None else (version.pdf_en if version.format == "pdf" else None),
        draft.needs_acknowledgement,
    )
    _fill(version, kept, before[-1] if before else None, pdf_limit)
    version.updated_at = clock.now()
    record(
        session,
        "rule_version_edited",
        actor_id=actor_id,
        target=("rule_version", version.id),
        details={
            "document": version.document.slug,
            "version": version.number,
            "effective_on": version.effective_on.isoformat(),
        },
    )
    _indexed(session, version.document)
    return version


def _lock(session: Session, document: RuleDocument) -> None:
    session.execute(select(RuleDocument.id).where(RuleDocument.id == document.id).with_for_update())


def _fill(version: RuleVersion, draft: VersionDraft, before: RuleVersion | None, pdf_limit: int) -> None:
    if draft.effective_on is None:
        raise RulesError("effective_on", "effective_on")
    if before is not None and draft.effective_on < before.effective_on:
        raise RulesError("past_day", "effective_on", day=before.effective_on.isoformat())
    changes = {"ja": (draft.changes_ja or "").strip(), "en": (draft.changes_en or "").strip()}
    for language in LANGS:
        if not changes[language] or len(changes[language]) > MAX_TEXT:
            raise RulesError("changes", f"changes_{language}")
    files = {"ja": draft.pdf_ja, "en": draft.pdf_en}
    bodies = {"ja": (draft.body_ja or "").strip(), "en": (draft.body_en or "").strip()}
    if any(files.values()):
        for language in LANGS:
            data = files[language]
            if not data:
                raise RulesError("body", f"pdf_{language}")
            found = pdf.problem(data, pdf_limit)
            if found is not None:
                code, params = found
                raise RulesError(code, f"pdf_{language}", language=language, **params)
        version.format = "pdf"
        version.pdf_ja, version.pdf_en = files["ja"], files["en"]
        version.pdf_ja_size, version.pdf_en_size = len(files["ja"]), len(files["en"])
        version.body_ja = version.body_en = None
    else:
        for language in LANGS:
            if not bodies[language] or len(bodies[language]) > MAX_TEXT:
                raise RulesError("body", f"body_{language}")
        version.format = "markdown"
        version.body_ja, version.body_en = bodies["ja"], bodies["en"]
        version.pdf_ja = version.pdf_en = version.pdf_ja_size = version.pdf_en_size = None
    version.effective_on = draft.effective_on
    version.changes_ja, version.changes_en = changes["ja"], changes["en"]
    version.needs_acknowledgement = draft.needs_acknowledgement
