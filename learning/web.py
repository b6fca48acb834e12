"""Request plumbing shared by every room: permission checks, sessions' lifetimes, headers, errors."""

from __future__ import annotations

import re
import secrets

from flask import Flask, abort, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from learning import clock
from learning.audit.services import RequestContext, current_request, record
from learning.authz import PUBLIC, declared_permission
from learning.db import make_engine, make_session_factory

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class Database:
    """The engine and session factory of one app, kept in app.extensions["db"]."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.factory = make_session_factory(self.engine)


def init_db(app: Flask, url: str) -> Database:
    database = Database(url)
    app.extensions["db"] = database

    @app.teardown_appcontext
    def _close_session(_exc):
        session_ = g.pop("db_session", None)
        if session_ is not None:
            session_.close()  # rolls back whatever was not committed

    return database


def db():
    """The session of the current request (or app context), opened on first use."""
    from flask import current_app

    if "db_session" not in g:
        g.db_session = current_app.extensions["db"].factory()
    return g.db_session


db_session = db


def accepts_upload(limit: int):
    """Lets a view take a request body up to `limit` bytes instead of the app's 2 MB (a module zip, say),
    for those allowed to use it; everyone else keeps the small limit, so size is never a way in."""

    def mark(view):
        view.upload_limit = limit
        return view

    return mark


def init_upload_limits(app: Flask) -> None:
    """Before the CSRF check reads the form: the limit must be raised before the body is parsed."""
    app.before_request(_raise_upload_limit)


def _raise_upload_limit() -> None:
    view = app_view()
    limit = getattr(view, "upload_limit", None)
    if limit and current_user.is_authenticated and current_user.can(declared_permission(view)):
        request.max_content_length = limit


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def init_app(app: Flask) -> None:
    app.before_request(_bind_request_context)
    app.before_request(_enforce_session_lifetime)
    app.before_request(_enforce_permission)
    app.after_request(_security_headers)
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(SQLAlchemyError, _server_error)
    app.register_error_handler(500, _server_error)


def _bind_request_context() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID_RE.match(incoming) else secrets.token_hex(16)
    current_request.set(RequestContext(g.request_id, request.remote_addr))


def _enforce_session_lifetime() -> None:
    """Idle and absolute timeouts, kept in the signed session cookie and checked on every request."""
    if not current_user.is_authenticated:
        return
    now = clock.now().timestamp()
    settings = app_settings()
    started, seen = session.get("started", now), session.get("seen", now)
    if now - seen > settings.idle_minutes * 60 or now - started > settings.absolute_hours * 3600:
        logout_user()
        session.clear()
        if not wants_json():
            session["notice"] = "expired"
        return
    if request.endpoint != "static":  # fetching a stylesheet is not activity, and needs no new cookie
        session["seen"] = now


def _enforce_permission() -> None:
    """Deny by default: a view must declare a permission or be declared public."""
    view = app_view()
    if view is None:
        return  # unknown URL: routing answers 404/405
    needed = declared_permission(view)
    if needed is None:
        abort(403)
    if needed == PUBLIC:
        return
    if not current_user.is_authenticated:
        if wants_json():
            return abort(401)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if not current_user.can(needed):
        record(
            db_session(),
            "authz_fail",
            actor_id=current_user.id,
            outcome="failure",
            details={"endpoint": request.endpoint, "method": request.method},
        )
        db_session().commit()
        abort(403)


def app_view():
    from flask import current_app

    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def app_settings():
    from flask import current_app

    return current_app.extensions["settings"]


def _security_headers(response):
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if app_settings().env == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated and request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    if "request_id" in g:
        headers["X-Request-ID"] = g.request_id
    return response


ERROR_TITLES = {
    400: lambda: _("The request could not be understood"),
    401: lambda: _("Please sign in"),
    403: lambda: _("You do not have access to this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    413: lambda: _("What you sent is too large"),
    429: lambda: _("Too many requests; please wait a moment"),
    500: lambda: _("Something went wrong on our side"),
    503: lambda: _("The service is temporarily unavailable"),
}


def error_response(code: int, message: str | None = None):
    title = ERROR_TITLES.get(code, ERROR_TITLES[500])()
    if wants_json():
        return jsonify({"error": title, "message": message or title}), code
    return render_template("error.html", code=code, title=title, message=message), code


def _http_error(exc: HTTPException):
    current_app.logger.info("%s %s -> %s: %s", request.method, request.path, exc.code, exc.description)
    message = exc.description if getattr(exc, "user_message", False) else None
    return error_response(exc.code or 500, message)


def _csrf_error(exc):
    return error_response(
        400, _("The form has expired or came from another site. Go back, reload the page and try again.")
    )


def _database_unavailable(exc):
    _discard_session()
    return error_response(503, _("The database cannot be reached. Please try again in a few minutes."))


def _server_error(exc):
    _discard_session()
    return error_response(500, _("The error has been logged. Please try again; nothing was saved."))


def _discard_session() -> None:
    session_ = g.pop("db_session", None)
    if session_ is not None:
        try:
            session_.rollback()
            session_.close()
        except SQLAlchemyError:
            pass


class UserError(HTTPException):
    """A 400/403/404 carrying a translated message written for the user."""

    user_message = True

    def __init__(self, code: int, message: str):
        self.code = code
        super().__init__(description=message)


def fail(code: int, message: str):
    raise UserError(code, message)


def local_next(target: str | None) -> str:
    """A safe redirect target after sign-in: a local path, or the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("portal.home")
    if any(ord(ch) < 32 for ch in target):
        return url_for("portal.home")
    return target
