"""Reading the index: what a reader may find for what they typed, ranked within a bounded set, paged.

Every word typed (normalised as the index is, `search.text`) must occur in the entry's title or body as a
substring: 託送 finds 託送供給 and 託送コールセンター. The audience is part of the SQL (an entry restricted to
managers is never read for a learner), before any limit. At most CAP + 1 entries are read per language, the
reader's language first: a broad query ("の") stops there and asks to be narrowed; only those are ranked
(hits in the title first, then by kind) and paged.

Words of three characters or more: on SQLite through `search_fts` (FTS5, trigram tokenizer, migration 0036),
on PostgreSQL a `LIKE '%…%'` on the normalised text served by its pg_trgm GIN index. Words of one or two
characters have no trigram (託送 is two): they are matched exactly through the entry's bigrams
(`search.text.grams`; a two-character word is a bigram, a one-character word the prefix of one), on SQLite
the FTS5 table `search_grams`, on PostgreSQL the GIN-indexed tsvector `grams`. Flask-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, and_, cast, exists, false, or_, select, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from learning.accounts.models import User
from learning.accounts.tree import parent_map
from learning.search.models import KINDS, LANGUAGES, SearchAudience, SearchEntry
from learning.search.text import excerpt, gram_query, marked, normalise, words

CAP = 200  # a search that finds more asks to be narrowed
PAGE_SIZE = 20
_ESCAPE = "\\"
TRIGRAM = 3
EXCERPT = {"ja": 90, "en": 180}  # characters of excerpt: English words are longer


@dataclass(frozen=True)
class Reader:
    language: str
    departments: frozenset[int]  # the reader's department and every department above it
    roles: frozenset[str]
    permissions: frozenset[str]


def reader_of(session: Session, user: User, language: str) -> Reader:
    parents = parent_map(session)
    chain: list[int] = []
    current = user.department_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return Reader(
        language if language in LANGUAGES else "ja",
        frozenset(chain),
        frozenset(str(r) for r in user.roles),
        frozenset(str(p) for p in user.permissions),
    )


@dataclass(frozen=True)
class Hit:
    entry: SearchEntry
    title: list[tuple[str, bool]]
    excerpt: list[tuple[str, bool]]


@dataclass(frozen=True)
class Results:
    words: list[str]
    total: int  # at most CAP
    more: bool  # more than CAP found
    page: int
    pages: int
    hits: list[Hit]


def _visible(reader: Reader):
    groups = select(SearchAudience.entry_id).where(
        SearchAudience.entry_id == SearchEntry.id,
        or_(
            and_(SearchAudience.kind == "department", SearchAudience.value.in_(sorted(map(str, reader.departments)))),
            and_(SearchAudience.kind == "role", SearchAudience.value.in_(sorted(reader.roles))),
            and_(SearchAudience.kind == "permission", SearchAudience.value.in_(sorted(reader.permissions))),
            and_(SearchAudience.kind == "manager_in", SearchAudience.value.in_(sorted(map(str, reader.departments))))
            if "manager" in reader.roles
            else false(),
        ),
    )
    return or_(SearchEntry.restricted.is_(False), exists(groups))


def _pattern(word: str) -> str:
    escaped = word.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    return f"%{escaped}%"


def _matching(dialect: str, found: list[str]) -> list:
    if dialect == "sqlite":
        criteria = []
        long = [w for w in found if len(w) >= TRIGRAM]
        if long:
            phrase = " ".join('"' + w.replace('"', '""') + '"' for w in long)
            fts = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :phrase").bindparams(phrase=phrase)
            criteria.append(SearchEntry.id.in_(fts.columns(rowid=Integer)))
        for word in (w for w in found if len(w) < TRIGRAM):
            match = gram_query(word) + ("" if len(word) == 2 else "*")
            grams = text("SELECT rowid FROM search_grams WHERE search_grams MATCH :gram").bindparams(gram=match)
            criteria.append(SearchEntry.id.in_(grams.columns(rowid=Integer)))
        return criteria
    criteria = [SearchEntry.normalised.like(_pattern(w), escape=_ESCAPE) for w in found if len(w) >= TRIGRAM]
    for word in (w for w in found if len(w) < TRIGRAM):
        query = gram_query(word) + ("" if len(word) == 2 else ":*")
        criteria.append(SearchEntry.grams.op("@@")(cast(query, TSQUERY)))
    return criteria


def search(session: Session, reader: Reader, query: str | None, page: int = 1) -> Results:
    found = words(query)
    if not found:
        return Results([], 0, False, 1, 1, [])
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":  # plan for these words: a generic plan, blind to the pattern, reads every row
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    criteria = [*_matching(dialect, found), _visible(reader)]
    candidates = []
    for language in (reader.language, *(lang for lang in LANGUAGES if lang != reader.language)):
        room = CAP + 1 - len(candidates)
        if room <= 0:
            break
        candidates += session.execute(
            select(SearchEntry.id, SearchEntry.kind, SearchEntry.title, SearchEntry.language)
            .where(SearchEntry.language == language, *criteria)
            .limit(room)
        ).all()
    more = len(candidates) > CAP
    candidates = candidates[:CAP]

    ranked = sorted(
        candidates,
        key=lambda row: (
            row.language != reader.language,
            -sum(w in normalise(row.title) for w in found),
            KINDS.index(row.kind),
            row.id,
        ),
    )
    pages = max(1, -(-len(ranked) // PAGE_SIZE))
    page = min(max(1, page), pages)
    ids = [row.id for row in ranked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    fresh = select(SearchEntry).where(SearchEntry.id.in_(ids)).execution_options(populate_existing=True)
    entries = {e.id: e for e in session.scalars(fresh)} if ids else {}
    hits = [
        Hit(entries[i], marked(entries[i].title, found), excerpt(entries[i].body, found, EXCERPT[entries[i].language]))
        for i in ids
    ]
    return Results(found, len(ranked), more, page, pages, hits)
