"""Security events that must stand although the request is refused: written by one helper, in a short
transaction of their own, after the refused request's own work has been dropped."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from learning.audit.services import Entry, record_many
from learning.web.database import discard, refused
from learning.web.responses import explain


def security_event(entry: Entry | None, write: Callable | None = None) -> None:
    """Records `entry` and whatever `write(session)` writes (a failed sign-in counted towards the throttle,
    say; either may be missing) and commits them at once.

    The request's session is dropped first: the refused request keeps nothing, and on SQLite its
    write lock is released before this transaction takes it. A database that cannot be reached
    raises as any other query would, and the request gets the 503 page."""
    discard()
    session = current_app.extensions["db"].factory()
    try:
        if write is not None:
            write(session)
        if entry is not None:
            record_many(session, [entry])
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        raise
    finally:
        session.close()


def refuse(error) -> str:
    """A view caught a service's DomainError and answers with a message: keep nothing the request wrote,
    write what the refusal must leave on record (error.audit), if anything, and return the message in
    the user's language."""
    if getattr(error, "audit", None) is not None:
        security_event(error.audit)
    refused()
    return explain(error)
