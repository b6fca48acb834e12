"""Migrations and models agree: autogenerate against a migrated database finds nothing to do."""

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from learning import migrate
from learning.desk.models import CODE_ALPHABET, CODE_LENGTH
from learning.models import metadata


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


def test_existing_desk_questions_get_random_codes(tmp_path):
    """0015 gives every question already asked a code of its own (SQLite here; the step is plain SQL)."""
    url = f"sqlite:///{tmp_path / 'codes.db'}"
    migrate.upgrade(url, "0013")
    engine = create_engine(url)
    with engine.begin() as conn:
        for n in range(5):
            conn.execute(
                text(
                    "INSERT INTO desk_questions (claim_hash, category, body, status, locale, asked_at) "
                    "VALUES (:hash, 'other', 'q', 'new', 'ja', '2026-12-01 00:00:00')"
                ),
                {"hash": f"h{n}"},
            )
    migrate.upgrade(url)
    with engine.connect() as conn:
        codes = conn.scalars(text("SELECT code FROM desk_questions")).all()
    engine.dispose()
    assert len(codes) == len(set(codes)) == 5
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", code) for code in codes)
