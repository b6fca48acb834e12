"""A fresh, migrated database with the shipped content, and an app on it: the start of every benchmark."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from learning import migrate
from learning.app import create_app
from learning.config import load_settings
from learning.courses.formats.content import read_tree
from learning.courses.services import import_modules
from learning.firstrun import CONTENT_DIR


def fresh_app(database_url: str | None, demo: bool):
    """Empties the named database (or makes a temporary SQLite one), migrates it and imports content/."""
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    if url.startswith("postgresql"):
        migrate.reset_postgresql(url)
    migrate.upgrade(url)
    app = create_app(
        load_settings({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), "LEARNING_DEMO": "1" if demo else "0"})
    )
    session = app.extensions["db"].factory()
    import_modules(session, read_tree(CONTENT_DIR))
    session.commit()
    session.close()
    return app, url


def existing_app(database_url: str):
    """An app on a database already filled by an earlier run (a benchmark's --reuse)."""
    settings = {"DATABASE_URL": database_url, "LEARNING_DEMO": "1", "INSTANCE_PATH": tempfile.mkdtemp()}
    return create_app(load_settings(settings))
