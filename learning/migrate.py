"""Applying Alembic migrations from code (first run, `flask db upgrade`, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from learning.config import PROJECT_ROOT


def alembic_config(url: str) -> Config:
    """The scripts alembic.ini names, for this URL; made in code so that Alembic leaves the app's logging alone."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def current_is_head(url: str) -> bool:
    """True when the database is at the newest revision (so start-up can skip migrating)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads()) == heads
    finally:
        engine.dispose()


def reset_postgresql(url: str) -> None:
    """Drops every table of a PostgreSQL database (tests and benchmarks start from an empty schema)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
