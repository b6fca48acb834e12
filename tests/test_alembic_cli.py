"""`alembic` from the project root (alembic.ini) migrates DATABASE_URL and finds models and migrations agree."""

import os
import subprocess
import sys
from pathlib import Path

from alembic.config import Config

from learning import migrate
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent


def alembic(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_upgrade_head_then_check_finds_nothing_to_generate(migrated_template, tmp_path):
    # PostgreSQL: the run's database, already at head; SQLite: an empty file, migrated from nothing.
    # `check` also fails when the database is not at head.
    url = PG_URL or f"sqlite:///{tmp_path / 'cli.db'}"
    for args in (("upgrade", "head"), ("check",)):
        result = alembic(url, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout


def test_the_app_and_the_command_run_the_same_scripts():
    from_ini = Config(str(ROOT / "alembic.ini")).get_main_option("script_location")
    from_app = migrate.alembic_config("sqlite://").get_main_option("script_location")
    assert Path(from_ini).resolve() == Path(from_app).resolve()
