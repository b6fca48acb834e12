"""Fixtures: a fresh database per test (SQLite file copy, or PostgreSQL emptied), an app, a client.

Set TEST_DATABASE_URL=postgresql+psycopg://… to run the same tests on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

# Cheap argon2 for the run and the processes it starts, set before the hasher is made on import
# (learning/accounts/passwords.py); production refuses this profile. `=standard` runs the real one.
os.environ.setdefault("PASSWORD_HASH_PROFILE", "test")

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from learning import clock, migrate
from learning.app import create_app
from learning.config import load_settings
from learning.models import metadata

PG_URL = os.environ.get("TEST_DATABASE_URL")
TEST_SECRET = "L9DGdRvSD-IzILhBnx_iVtLOEakq83RAY5pr1LmbACe3S75663e4qPgWzfG2sihz"  # secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """The schema built once by the real migrations: a template file (SQLite) or the test database (PG)."""
    if PG_URL:
        migrate.reset_postgresql(PG_URL)
        migrate.upgrade(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def pg_emptier(migrated_template):
    """Empties the PostgreSQL test database after each test (see _empty_all)."""
    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        guarded = sorted(
            conn.scalars(
                text(
                    "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
                    "WHERE NOT tgisinternal AND relnamespace = current_schema()::regnamespace"
                )
            )
        )
    yield lambda: _empty_all(engine, guarded)
    engine.dispose()


@pytest.fixture
def database_url(migrated_template, tmp_path, request) -> str:
    if PG_URL:
        empty = request.getfixturevalue("pg_emptier")
        yield PG_URL
        empty()
    else:
        target = tmp_path / "test.db"
        shutil.copyfile(migrated_template, target)
        yield f"sqlite:///{target}"


def _empty_all(engine, guarded: list[str]) -> None:
    """What TRUNCATE … RESTART IDENTITY did, in a fifth of the time: TRUNCATE makes new files for every
    table, index and sequence, where a test leaves a few rows. The tables whose triggers refuse DELETE
    (the audit trail) have them off inside this transaction only."""
    with engine.begin() as conn:
        for table in guarded:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        for table in guarded:
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        conn.execute(
            text(
                "SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, false) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
        )


def _fast_sqlite(engine) -> None:
    """No fsync on the throwaway test files: with WAL each commit would wait for the disk (~3 ms here)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA synchronous=OFF"))


class SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run: every test's app would otherwise compile each one anew.

    The `app` fixture's apps are all made alike, so code compiled for one serves them all; Jinja checks
    each entry against the template's source, so an edited template is compiled again.
    """

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


def _build_each_url_rule_once() -> None:
    """Werkzeug compiles two Python functions per URL rule for url_for, about 50 ms for each test's app.

    The generated code depends only on what the key holds (the rule text names its converters and their
    arguments), so the run's apps share it; each rule still binds it to itself.
    """
    compile_builder = Rule._compile_builder
    built = {}

    def shared(rule, append_unknown=True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in built:
            built[key] = compile_builder(rule, append_unknown)
        return built[key]

    Rule._compile_builder = shared


_build_each_url_rule_once()


def make_settings(database_url: str, instance: Path, **overrides):
    env = {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": TEST_SECRET,
        "LEARNING_DEMO": "1",
        # The test client does not close a response it has read (a server always does), so a download would
        # keep its slot: the suite gets slots enough; tests/reports/test_export_slots.py sets them to one.
        "EXPORT_SLOTS": "1000",
        **overrides,
    }
    return load_settings(env)


def production_env(tmp_path: Path, **overrides) -> dict[str, str]:
    """An environment production starts with, these settings changed (None: left out). Of this run's own
    environment only PATH: production refuses its PASSWORD_HASH_PROFILE=test, for one."""
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "LEARNING_ENV": "production",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "SECRET_KEY": TEST_SECRET,
        "PORTAL_URL": "https://portal.example.intra/",
        **overrides,
    }
    return {name: value for name, value in env.items() if value is not None}


class EnglishClient(FlaskClient):
    """A browser that asks for English, so tests read English; tests of Japanese drop the header."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path / "instance"))
    app.config["TESTING"] = True
    app.test_client_class = EnglishClient
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    _fast_sqlite(app.extensions["db"].engine)  # before its first connection
    yield app
    app.extensions["db"].engine.dispose()
    clock.freeze(None)


@pytest.fixture
def db(app, database_url):
    """A session of its own for arranging and checking data, outside any request.

    No app context is held open: requests made meanwhile must get their own `g` and session.
    """
    # Autocommit: every statement stands alone, so the test never holds a lock or a stale snapshot
    # while the app (which takes SQLite's write lock per request) works in between.
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    if database_url.startswith("sqlite"):
        event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    _fast_sqlite(engine)
    session = Session(engine, expire_on_commit=False)
    yield session
    session.close()
    engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, username: str, password: str = "correct-horse-battery"):
    """Signs in; for privileged test users also enters the current TOTP code (see factories.TOTP_SECRET)."""
    from learning.accounts.second_factor import current_code
    from tests.factories import TOTP_SECRET

    token = csrf_token(client)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    if response.status_code == 302 and response.location == "/login/code":
        code = current_code(TOTP_SECRET, clock.now())
        response = client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})
    return response


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST with a valid CSRF token taken from the home page of the signed-in client."""
    token = csrf_token(client, "/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


class CollectingHandler:
    """An SMTP server's handler that keeps what it receives and refuses addresses containing 'refuse'."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "refuse" in address:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port; `.messages` holds the parsed emails."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    controller.handler_messages = handler.messages
    yield controller
    controller.stop()
