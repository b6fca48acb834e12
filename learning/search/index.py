"""Writing the index: the rooms that own content put and remove their entries; search knows none of them.

A room calls `put(session, Entry(...))` when a thing becomes findable or changes (an edition published, an FAQ
entry published), `remove(session, kind, key)` when it stops being findable (retired, unpublished), inside
its own transaction, and registers in its `init_app` a `rebuild(session)` that puts every entry of its kind
afresh (`register_source(kind, rebuild)`), which `flask search reindex` and the first run call. Kinds in
use: "section" (courses), "faq" (desk), "notice" (announcements, to its audience only) and "rule" (rules: the
version in force); the last two change by the clock, and `jobs run` puts them afresh.
Flask-free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select, text
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from learning import clock
from learning.search.models import AUDIENCE_KINDS, KINDS, LANGUAGES, SearchAudience, SearchEntry
from learning.search.text import grams, normalise


@dataclass(frozen=True)
class Audience:
    """Who may find a restricted entry: readers in any of these departments' subtrees (a company is its top
    department), holding any of these roles ("manager") or any of these permissions. Empty: everyone."""

    departments: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    managers_in: tuple[int, ...] = ()  # holders of a manager grant whose department is in one of these subtrees

    def rows(self) -> list[tuple[str, str]]:
        return [
            *(("department", str(d)) for d in self.departments),
            *(("manager_in", str(d)) for d in self.managers_in),
            *(("role", r) for r in self.roles),
            *(("permission", p) for p in self.permissions),
        ]


EVERYONE = Audience()


@dataclass(frozen=True)
class Entry:
    """One findable thing in one language. `endpoint` and `args` make its URL (url_for), `anchor` a
    fragment; `trail` is the breadcrumb (module title, section title). `body` is plain text as the reader
    reads it (Markdown stripped, organisation terms substituted)."""

    kind: str
    key: str
    language: str
    title: str
    body: str
    endpoint: str
    args: dict = field(default_factory=dict)
    trail: tuple[str, ...] = ()
    anchor: str | None = None
    audience: Audience = EVERYONE


_sources: dict[str, Callable[[Session], None]] = {}


def register_source(kind: str, rebuild: Callable[[Session], None]) -> None:
    """`rebuild(session)` puts every current entry of `kind` (called after the kind's entries were removed)."""
    if kind not in KINDS:
        raise ValueError(f"unknown search kind {kind!r}; add it to search.models.KINDS")
    _sources[kind] = rebuild


def sources() -> dict[str, Callable[[Session], None]]:
    return dict(_sources)


def put(session: Session, entry: Entry) -> None:
    """Adds or replaces the entry (kind, key, language): one INSERT … ON CONFLICT DO UPDATE, so that two
    transactions putting the same entry (a publish during `flask search reindex`) both succeed, the second
    waiting on the first's row (PostgreSQL) and leaving its own text; then the audience and the bigrams."""
    if entry.kind not in KINDS or entry.language not in LANGUAGES:
        raise ValueError(f"bad search entry {entry.kind!r} {entry.language!r}")
    dialect = session.get_bind().dialect.name
    body = " ".join(entry.body.split())
    audience = sorted({(kind, value) for kind, value in entry.audience.rows() if kind in AUDIENCE_KINDS})
    values = {
        "kind": entry.kind,
        "source_key": entry.key,
        "language": entry.language,
        "title": entry.title[:300],
        "body": body,
        "normalised": normalise(f"{entry.title}\n{body}"),
        "place": {"endpoint": entry.endpoint, "args": entry.args, "trail": list(entry.trail), "anchor": entry.anchor},
        "restricted": bool(audience),
        "updated_at": clock.now(),
    }
    before = None
    if dialect == "sqlite":  # the bigrams held are deleted by giving them again (SQLite serialises writers)
        before = session.scalar(
            select(SearchEntry.normalised).where(
                SearchEntry.kind == entry.kind,
                SearchEntry.source_key == entry.key,
                SearchEntry.language == entry.language,
            )
        )
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(SearchEntry).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "source_key", "language"],
        set_={name: statement.excluded[name] for name in values if name not in ("kind", "source_key", "language")},
    ).returning(SearchEntry.id)
    entry_id = session.execute(statement).scalar_one()
    session.execute(delete(SearchAudience).where(SearchAudience.entry_id == entry_id))
    if audience:
        session.execute(sa_insert(SearchAudience), [{"entry_id": entry_id, "kind": k, "value": v} for k, v in audience])
    if dialect == "postgresql" or values["normalised"] != before:
        write_grams(session, [(entry_id, before, values["normalised"])])


def write_grams(session: Session, rows: list[tuple[int, str | None, str]]) -> None:
    """The bigram index of entries (id, normalised before or None when new, normalised now): on PostgreSQL
    the `grams` column, on SQLite the FTS5 table `search_grams` (contentless: what it held is deleted by
    giving it again, recomputed from the text before)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("UPDATE search_entries SET grams = array_to_tsvector(CAST(:grams AS text[])) WHERE id = :id"),
            [{"id": id_, "grams": grams(now)} for id_, _before, now in rows],
        )
        return
    gone = [{"id": id_, "grams": " ".join(grams(before))} for id_, before, _now in rows if before is not None]
    if gone:
        session.execute(text(_GRAMS_DELETE), gone)
    session.execute(
        text("INSERT INTO search_grams (rowid, grams) VALUES (:id, :grams)"),
        [{"id": id_, "grams": " ".join(grams(now))} for id_, _before, now in rows],
    )


_GRAMS_DELETE = "INSERT INTO search_grams (search_grams, rowid, grams) VALUES ('delete', :id, :grams)"


def put_all(session: Session, entries: Iterable[Entry]) -> None:
    for entry in entries:
        put(session, entry)


def remove(session: Session, kind: str, key: str | None = None, prefix: str | None = None) -> None:
    """Removes the entries of `kind` with source key `key` (every language), or whose key starts with
    `prefix` (all of a module's sections: "section:<slug>:")."""
    statement = delete(SearchEntry).where(SearchEntry.kind == kind)
    if key is not None:
        statement = statement.where(SearchEntry.source_key == key)
    elif prefix is not None:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(SearchEntry.source_key.like(f"{escaped}%", escape="\\"))
    ids = select(SearchEntry.id).where(statement.whereclause)
    if session.get_bind().dialect.name == "sqlite":
        gone = session.execute(select(SearchEntry.id, SearchEntry.normalised).where(statement.whereclause)).all()
        if gone:
            session.execute(text(_GRAMS_DELETE), [{"id": id_, "grams": " ".join(grams(n))} for id_, n in gone])
    session.execute(delete(SearchAudience).where(SearchAudience.entry_id.in_(ids)))
    session.execute(statement.execution_options(synchronize_session=False))


def rebuild(session: Session, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Every registered source (or those of `kinds`) removed and put afresh; the count of entries per kind."""
    counts = {}
    for kind, source in _sources.items():
        if kinds is not None and kind not in kinds:
            continue
        remove(session, kind)
        source(session)
        session.flush()
        counts[kind] = len(session.scalars(select(SearchEntry.id).where(SearchEntry.kind == kind)).all())
    return counts


def is_empty(session: Session) -> bool:
    return session.scalar(select(SearchEntry.id).limit(1)) is None
