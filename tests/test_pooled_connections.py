"""Pooled connections on PostgreSQL: one that rested is pinged at checkout and replaced when the server has
dropped it; one in steady use is not pinged (a round trip saved on every request)."""

import psycopg
import pytest
from sqlalchemy import text

import learning.db
from tests.conftest import PG_URL, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.skipif(not PG_URL, reason="the app's PostgreSQL pool")


def _pings(engine, monkeypatch) -> list[int]:
    pinged: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        pinged.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pinged


def test_a_connection_dropped_by_the_server_while_it_rested_is_replaced_without_an_error(app, db, monkeypatch):
    user = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    engine = app.extensions["db"].engine
    engine.dispose()  # one pooled connection from here on: the requests take it in turn
    assert client.get("/training").status_code == 200
    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (backend,)).fetchone()[0] is True
    monkeypatch.setattr(learning.db, "PING_AFTER_IDLE", 0.0)  # it has rested long enough
    pinged = _pings(engine, monkeypatch)
    assert client.get("/training").status_code == 200
    assert pinged, "the rested connection was pinged"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != backend


def test_a_connection_in_steady_use_is_not_pinged(app, db, monkeypatch):
    user = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    engine = app.extensions["db"].engine
    pinged = _pings(engine, monkeypatch)
    for _ in range(5):
        assert client.get("/training").status_code == 200
    assert pinged == []
    monkeypatch.setattr(learning.db, "PING_AFTER_IDLE", 0.0)
    assert client.get("/training").status_code == 200
    assert pinged
