"""The search index: one row per searchable thing and language, with who may find it.

An entry is written by the room that owns the content (`search.index.put`), never edited by hand: its
`(kind, source_key, language)` is unique, and a put replaces what was there. `normalised` is title and body
as matching compares them (`search.text.normalise`); on PostgreSQL a trigram index (pg_trgm, GIN) serves
`LIKE '%…%'` on it, on SQLite an FTS5 table with the trigram tokenizer (`search_fts`, migration 0036: not
a model, kept in step by triggers). Words of one or two characters have no trigram: they are found through
the entry's bigrams (`grams`: a GIN-indexed tsvector on PostgreSQL, the FTS5 table `search_grams` on SQLite).

An entry with `restricted` false is for every signed-in reader; a restricted one only for readers matching
one of its `SearchAudience` rows: a department (a company is its top department) whose subtree holds the
reader's department, a role, or a permission.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base

KINDS = ("section", "faq", "rule", "notice")
LANGUAGES = ("ja", "en")
AUDIENCE_KINDS = ("department", "role", "permission", "manager_in")  # manager_in: a head within a subtree


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "source_key", "language", name="uq_search_entries_source"),
        CheckConstraint("language in ('ja', 'en')", name="language"),
        Index(
            "ix_search_entries_normalised_trgm",
            "normalised",
            postgresql_using="gin",
            postgresql_ops={"normalised": "gin_trgm_ops"},
        ),
        Index("ix_search_entries_grams", "grams", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300))
    # Where it is: {"endpoint": …, "args": {…}, "anchor": … or absent, "trail": [the breadcrumb's words]}.
    place: Mapped[dict] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)  # plain text, terms substituted, for the excerpt
    normalised: Mapped[str] = mapped_column(Text)  # title and body as matched
    # PostgreSQL: the bigrams of `normalised` (search.text.grams), for words of one or two characters, which
    # have no trigram; written by search.index. SQLite keeps them in the FTS5 table `search_grams` instead.
    grams: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), deferred=True)
    restricted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]

    audience: Mapped[list[SearchAudience]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class SearchAudience(Base):
    """One group a restricted entry is for; an entry is found by a reader in any of its groups."""

    __tablename__ = "search_audience"
    __table_args__ = (CheckConstraint("kind in ('department', 'role', 'permission', 'manager_in')", name="kind"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("search_entries.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(60), primary_key=True)


# Tables the database keeps for the index that are no models (SQLite's FTS5 table and its shadow tables):
# left out of the model/migration comparison (migrations/env.py, tests/test_migrations.py).
NOT_MODELS_PREFIXES = ("search_fts", "search_grams")


def is_model_object(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: False for the FTS5 tables (and their indexes) of the search index."""
    table = name if type_ == "table" else (parent_names or {}).get("table_name")
    return not (table or "").startswith(NOT_MODELS_PREFIXES)
