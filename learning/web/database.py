"""The request's database session and its one commit point, and the unit of work of commands and jobs.

A view never commits. The pipeline (PortalFlask.dispatch_request) commits once after the view returned
a response below 400 that it did not mark refused; any exception, any 4xx/5xx and a refusal roll back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from learning.db import make_engine, make_session_factory


class Database:
    """The engine and session factory of one app, kept in app.extensions["db"]."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.factory = make_session_factory(self.engine)


def init_db(app: Flask, url: str) -> Database:
    database = Database(url)
    app.extensions["db"] = database
    app.teardown_appcontext(lambda _exc: discard())
    return database


def db() -> Session:
    """The session of the current request (or app context, for a command), opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db"].factory()
    return g.db_session


def refused() -> None:
    """The view turned a refusal into a notice and answers normally (say, a redirect): keep nothing it wrote."""
    g.refused = True


def finish(status: int) -> None:
    """The request's one commit point: commit a successful view's work, roll back anything else."""
    session = g.get("db_session")
    if session is None:
        return
    if status < 400 and not g.get("refused"):
        session.commit()
    else:
        discard()  # a rollback that cannot reach the database must not turn a refusal into an error


def discard() -> None:
    """Drops the request's session without a commit; never raises (the error path calls it)."""
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()  # rolls back whatever was not committed
        except SQLAlchemyError:
            session.invalidate()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One command's or job step's transaction: commits when the block ends normally, else rolls back."""
    session = db()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
