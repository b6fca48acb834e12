"""Bulk loading for generated data (the demo history): COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from learning.db import UTCDateTime


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
            names, marks = ", ".join(columns), ", ".join("?" * len(columns))
            insert = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - model names; values bound
            driver.executemany(insert, rows)

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
