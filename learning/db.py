"""SQLAlchemy 2.x base, UTC datetimes, engine set-up and the per-request session."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, create_engine, event, func, select, text
from sqlalchemy.engine import Engine
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
    """An engine that survives a database restart (pre-ping) and keeps SQLite honest about keys."""
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
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args={"options": "-c jit=off"})


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


class BulkWriter:
    """Writes many rows with ids chosen here, fast: COPY on PostgreSQL, the driver's executemany on SQLite.

    For generated data (the demo history): it locks the tables it writes for the rest of the
    transaction, numbers rows from the highest id present, and moves each id sequence past them at the
    end, so that ordinary inserts afterwards carry on without collisions. Values go to the driver as
    the column types would send them (UTC datetimes naive, SQLite's text form), without the per-value
    cost of SQLAlchemy's bind processing.
    """

    def __init__(self, session: Session, tables):
        self.session = session
        self.postgresql = session.get_bind().dialect.name == "postgresql"
        self.counters: dict[str, itertools.count] = {}
        for table in tables:
            if self.postgresql:
                session.execute(text(f"LOCK TABLE {table.name} IN EXCLUSIVE MODE"))
            highest = session.scalar(select(func.max(table.c.id)))
            self.counters[table.name] = itertools.count((highest or 0) + 1)

    def next_id(self, table) -> int:
        return next(self.counters[table.name])

    def write(self, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        session_connection = self.session.connection()
        driver = session_connection.connection.driver_connection
        convert = [
            (i, _to_driver(table.c[name].type, self.postgresql))
            for i, name in enumerate(columns)
            if isinstance(table.c[name].type, UTCDateTime)
            or (not self.postgresql and table.c[name].type.python_type is bool)
        ]
        if convert:
            rows = [_converted(row, convert) for row in rows]
        if self.postgresql:
            with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            driver.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows)

    def finish(self) -> None:
        """Moves every sequence past the ids handed out (PostgreSQL; SQLite needs nothing)."""
        if self.postgresql:
            for name, counter in self.counters.items():
                self.session.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, false)"), {"t": name, "v": next(counter)}
                )


def _to_driver(column_type, postgresql: bool):
    if isinstance(column_type, UTCDateTime):
        # Generated times repeat (whole minutes, shared due dates): convert each distinct one once.
        if postgresql:
            return functools.cache(lambda v: v if v is None else v.astimezone(UTC).replace(tzinfo=None))
        # The text form SQLAlchemy's SQLite DateTime writes, so that comparisons in SQL stay right.
        return functools.cache(lambda v: v if v is None else v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
    return lambda v: v if v is None else int(v)


def _converted(row: tuple, convert) -> tuple:
    values = list(row)
    for i, to_driver in convert:
        values[i] = to_driver(values[i])
    return values
