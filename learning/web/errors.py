"""Error pages that never fail: every 4xx and 5xx, from any source, in the portal's layout and the user's
language (JSON under /api/), with the security headers and the request id, without touching the database.

Nothing here may load the signed-in person: during an outage that query is what fails. The page shows
the layout without the person's menu, in the language kept in the session cookie (see i18n.py).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from learning.web.database import discard
from learning.web.pipeline import resumable_message, stash_resumable
from learning.web.responses import wants_json

log = logging.getLogger("learning.errors")

TITLES = {
    400: lambda: _("The request could not be understood"),
    401: lambda: _("Please sign in"),
    403: lambda: _("You do not have access to this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    409: lambda: _("Someone else changed this at the same time"),
    413: lambda: _("What you sent is too large"),
    429: lambda: _("Too many requests; please wait a moment"),
    500: lambda: _("Something went wrong on our side"),
    503: lambda: _("The service is temporarily unavailable"),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SQLAlchemyError, _database_error)
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(Exception, _unexpected)


def _enter_error_path() -> None:
    """From here on, i18n and the layout leave the signed-in person alone, and the request's session goes."""
    g.error_page = True
    if "_login_user" not in g:
        # Flask-Login's template context would load the person from the database; an error page shows no
        # one's menu, so it is given the anonymous user instead.
        g._login_user = current_app.login_manager.anonymous_user()
    discard()


def error_response(code: int, message: str | None = None, title: str | None = None, link=None):
    """The error page; `link` is (address, words) of the way on, where there is a better one than home."""
    _enter_error_path()
    title = title or (TITLES.get(code) or TITLES[500 if code >= 500 else 400])()
    if wants_json():
        return jsonify({"error": title, "message": message or title, "request_id": g.get("request_id")}), code
    return render_template("error.html", code=code, title=title, message=message, link=link), code


def _http_error(exc: HTTPException):
    if isinstance(exc, InternalServerError) and exc.original_exception is not None:
        return _unexpected(exc.original_exception)
    _enter_error_path()
    code = exc.code or 500
    log.info("%s %s -> %s [%s]: %s", request.method, request.path, code, g.get("request_id"), exc.description)
    title = link = None
    if isinstance(exc, CSRFError) and not wants_json() and (resumed := resumable_message()):
        # The form's token went with the session (it ended, or another tab signed in again): not the form's fault.
        stash_resumable(None)  # whose form it was is not known here: only the signed-in owner's page takes it
        title = _("Your session has ended")
        message = resumed
        link = (url_for("accounts.login", next=request.path), _("Sign in again and continue"))
    elif isinstance(exc, CSRFError):
        message = _("The form has expired or came from another site. Go back, reload the page and try again.")
    else:
        message = exc.description if getattr(exc, "user_message", False) else None
    page, status = error_response(code, message, title, link)
    retry_after = getattr(exc, "retry_after", None)  # a busy server says when to come back (web/heavy.py)
    return (page, status, {"Retry-After": str(retry_after)}) if retry_after else (page, status)


def _database_error(exc: SQLAlchemyError):
    _enter_error_path()
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        _log_once(exc, logging.WARNING)
        return error_response(503, _("The database cannot be reached. Please try again in a few minutes."))
    if isinstance(exc, DataError):  # a value the database refuses (out of range, malformed): bad input
        log.info("%s %s -> 400 [%s]: %s", request.method, request.path, g.get("request_id"), _first_line(exc))
        return error_response(400, _("A value sent is out of range or malformed. Nothing was saved."))
    return _unexpected(exc)


def _out_of_range(exc: OverflowError):
    """SQLite's driver refuses an integer beyond 64 bits before the database sees it (PostgreSQL answers
    DataError): the same bad input, the same answer."""
    _enter_error_path()
    log.info("%s %s -> 400 [%s]: %s", request.method, request.path, g.get("request_id"), _first_line(exc))
    return error_response(400, _("A value sent is out of range or malformed. Nothing was saved."))


def _unexpected(exc: BaseException):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    _enter_error_path()
    _log_once(exc, logging.ERROR)
    return error_response(500, _("The error has been logged. Please try again; nothing was saved."))


_seen: dict[tuple[str, str], list[float | int]] = {}  # failure -> [when last logged, repeats since]
REPEAT_SECONDS = 60


def _log_once(exc: BaseException, level: int) -> None:
    """Each distinct failure once a minute at most, with its traceback and request id; the repeats in
    between are counted and named with the next line, so an outage does not fill the log."""
    key = (type(exc).__name__, _first_line(exc))
    now = time.monotonic()
    last, repeats = _seen.get(key, (-REPEAT_SECONDS, 0))
    if now - last < REPEAT_SECONDS:
        _seen[key] = [last, repeats + 1]
        return
    _seen[key] = [now, 0]
    where = f"{request.method} {request.path} [{g.get('request_id')}]"
    also = f" ({repeats} more since the last report)" if repeats else ""
    log.log(level, "%s: %s: %s%s", where, key[0], key[1], also, exc_info=exc)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]
