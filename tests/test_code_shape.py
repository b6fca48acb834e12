"""Lint, format and the import direction of DESIGN.md, run with the suite so CI holds them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint():
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_direction():
    result = run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def _web_patterns() -> list:
    import tomllib

    from tools.import_contracts import _pattern

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "web_free")
    return [_pattern(p) for p in contract["web_modules"]]


def _modules() -> list[str]:
    import pkgutil

    import learning

    return sorted(m.name for m in pkgutil.walk_packages(learning.__path__, "learning."))


def test_services_models_and_pure_modules_load_no_flask():
    """In a fresh interpreter, every module that is not web code (room packages included) imports without
    loading Flask, and importing them registers no signal receiver and no describer."""
    patterns = _web_patterns()
    pure = [m for m in _modules() if not any(p.match(m) for p in patterns)]
    assert "learning.courses.formats.gift" in pure and "learning.campaigns.services" in pure
    script = (
        "import importlib, json, sys\n"
        f"for name in {pure!r}: importlib.import_module(name)\n"
        "from learning.courses.signals import edition_published\n"
        "from learning.training import sources\n"
        "web = sorted(m for m in ('flask', 'flask_login', 'flask_wtf', 'flask_babel', 'wtforms') if m in sys.modules)\n"
        "print(json.dumps([web, len(edition_published.receivers), len(sources._describers)]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[[], 0, 0]", f"{len(pure)} modules imported: {result.stdout}"


def test_the_app_registers_every_room_once():
    """Two apps in one process: the second has the same routes and commands, and the publish receivers are
    connected once each (registration is by init_app, idempotent, never by importing a module)."""
    from learning.app import create_app
    from learning.courses.signals import edition_published
    from tests.conftest import make_settings

    def build(tmp):
        app = create_app(make_settings(f"sqlite:///{tmp}/x.db", Path(tmp) / "instance"))
        return {r.endpoint for r in app.url_map.iter_rules()}, set(app.cli.commands)

    import tempfile

    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        first, second = build(one), build(two)
    assert first == second
    assert {"library.library", "editor.edit", "inbox.inbox", "audit.trail", "desk.ask"} <= first[0]
    assert first[1] == {
        "db",
        "audit",
        "content",
        "gift",
        "demo",
        "org",
        "roster",
        "jobs",
        "campaigns",
        "access",
        "inspections",
        "search",
    }
    # The re-attestation (training) and the search index (courses), each once.
    receivers = sorted(f"{r().__module__}.{r().__name__}" for r in edition_published.receivers.values())
    assert receivers == ["learning.courses.search_feed.on_published", "learning.training.reattest.on_published"]
