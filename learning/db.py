"""SQLAlchemy 2.x base, UTC datetimes, engine set-up and the per-request session."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (SQLite keeps no zone), always hands back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012 - SQLAlchemy's declared form


def make_engine(url: str) -> Engine:
    """An engine that survives a database restart (a rested connection is pinged) and keeps SQLite honest about
    keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves. IMMEDIATE takes the
        # write lock up front, so a read-then-write (the audit chain, a quiz submission) cannot
        # interleave with another writer: the embedded default trades concurrency for safety.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # JIT compilation costs PostgreSQL tens of milliseconds per report query and saves less than that at
    # this product's sizes (bench/reports_scale.py): off for the app's connections.
    engine = create_engine(url, pool_size=10, max_overflow=10, connect_args={"options": "-c jit=off"})
    _ping_after_idle(engine)
    return engine


PING_AFTER_IDLE = 2.0  # seconds a pooled connection may rest before it is pinged at its next checkout


def _ping_after_idle(engine: Engine) -> None:
    """Pre-ping, only for a connection that has rested: SQLAlchemy's `pool_pre_ping` pings at every checkout, a
    round trip on every request (a tenth of a learner page's). A connection busy a moment ago is alive, or its
    failure was seen: a disconnect error invalidates the whole pool. One that rested (a database restarted while
    the portal was quiet) is pinged; a failed ping makes the pool discard it and connect afresh, as pre-ping
    does (raising DisconnectionError at checkout is the pool's documented way)."""

    @event.listens_for(engine, "checkin")
    def _rested_since(_dbapi_connection, record) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("checked_in")  # none: a connection just made (the info goes with the connection)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as failed:
            raise DisconnectionError("a rested connection failed its ping") from failed


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
