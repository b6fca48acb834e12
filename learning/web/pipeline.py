"""What runs around every view: the request id, the upload limit, bad input, the session's lifetime, the
permission check, and the security headers. See docs/architecture.md for the order."""

from __future__ import annotations

import re
import secrets

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from learning import clock
from learning.audit.services import Entry, RequestContext, current_request
from learning.authz import PUBLIC, declared_permission
from learning.inputs import control_character_field
from learning.web import resume
from learning.web.assets import serves_asset
from learning.web.responses import fail, wants_json
from learning.web.security import security_event

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SEEN_RESOLUTION_SECONDS = 60


def init_app(app: Flask) -> None:
    app.before_request(_bind_request_context)
    app.before_request(_raise_upload_limit)  # before the CSRF check, which parses the body
    app.before_request(_refuse_control_characters)


def init_after_csrf(app: Flask) -> None:
    app.before_request(_enforce_session_lifetime)
    app.before_request(_enforce_permission)
    app.after_request(_security_headers)


def accepts_upload(limit):
    """Lets a view take a request body up to `limit` bytes instead of the app's 2 MB (a module zip, say),
    for those allowed to use it; everyone else keeps the small limit, so size is never a way in. `limit` may
    be a function of no arguments, read on each request (a limit that follows a setting)."""

    def mark(view):
        view.upload_limit = limit
        return view

    return mark


def resumable(message, keep=None):
    """Marks a view whose work is saved as it is done (a quiz attempt's answers): when the session ends, or the
    form's token went with it, the person reads `message()` (why nothing is lost) and is sent to sign in and
    back to the page, instead of being blamed for the form (errors.py). `keep(form)` picks the fields of such a
    refused POST to bring back after signing in (resume.py), for what was not saved as it was done."""

    def mark(view):
        view.resumable = message
        view.resumable_keep = keep
        return view

    return mark


def stash_resumable(user_id: str | None) -> None:
    """A refused POST to a resumable view: keep what its `keep` names for after signing in (resume.py)."""
    keep = getattr(app_view(), "resumable_keep", None)
    if keep is not None:
        resume.stash(keep, user_id)


def resumable_message() -> str | None:
    view = app_view()
    message = getattr(view, "resumable", None)
    return message() if message is not None else None


def app_view():
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def app_settings():
    return current_app.extensions["settings"]


def _bind_request_context() -> None:
    """A request id of our own; a proxy's X-Request-ID is kept only when a trusted proxy is configured."""
    incoming = request.headers.get("X-Request-ID", "")
    trusted = app_settings().proxy_count > 0 and REQUEST_ID_RE.match(incoming)
    g.request_id = incoming if trusted else secrets.token_hex(16)
    current_request.set(RequestContext(g.request_id, request.remote_addr))


def _raise_upload_limit() -> None:
    view = app_view()
    limit = getattr(view, "upload_limit", None)
    if callable(limit):
        limit = limit()
    if limit and current_user.is_authenticated and current_user.can(declared_permission(view)):
        request.max_content_length = limit


def _refuse_control_characters() -> None:
    """NUL and other control characters have no place in a query string (PostgreSQL refuses NUL in text,
    and they hide text from readers): 400 naming the parameter, before anything is read. Forms get a form
    error instead, keeping what was typed (web/forms.py)."""
    field = control_character_field(request.args)
    if field is not None:
        fail(400, _("The parameter “%(field)s” contains a control character (such as NUL).", field=field))


def _enforce_session_lifetime() -> None:
    """Idle and absolute timeouts, kept in the signed session cookie and checked on every request."""
    asset = serves_asset()
    if asset and declared_permission(app_view()) == PUBLIC:
        return  # a public file needs no one: loading the person would cost a query per file
    if not current_user.is_authenticated:
        return
    now = clock.now().timestamp()
    settings = app_settings()
    started, seen = session.get("started", now), session.get("seen", now)
    if now - seen > settings.idle_minutes * 60 or now - started > settings.absolute_hours * 3600:
        user_id = current_user.get_id()
        logout_user()
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale
        if not wants_json():
            session["notice"] = "expired"
            stash_resumable(user_id)
            resumed = resumable_message()
            if resumed:  # said on the sign-in page, before the sign-in's own "your session has ended"
                flash(resumed, "info")
        return
    # Fetching a stylesheet or an image is not activity. Activity is noted at most once a minute: a new
    # "seen" re-signs the cookie and sends it back, on every request otherwise; the idle timeout (minutes)
    # is at most a minute late for it.
    if not asset and ("seen" not in session or now - seen >= SEEN_RESOLUTION_SECONDS):
        session["seen"] = now


def idle_seconds() -> int:
    """The idle timeout, for the warning shortly before it (base.html, static/session.js)."""
    return app_settings().idle_minutes * 60


def _enforce_permission():
    """Deny by default: a view must declare a permission or be declared public."""
    view = app_view()
    if view is None:
        return None  # unknown URL: routing answers 404/405
    needed = declared_permission(view)
    if needed is None:
        abort(403)
    if needed == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            abort(401)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if not current_user.can(needed):
        details = {"endpoint": request.endpoint, "method": request.method}
        security_event(Entry("authz_fail", actor_id=current_user.id, outcome="failure", details=details))
        abort(403)
    return None


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
    # From the cookie, not current_user: this runs on error pages too, which must not reach the database.
    # A file (web/assets.py) keeps its own caching; its error pages do not.
    if "_user_id" in session and not (serves_asset() and response.status_code < 400):
        headers["Cache-Control"] = "no-store"
    if "request_id" in g:
        headers["X-Request-ID"] = g.request_id
    return response


def local_next(target: str | None) -> str:
    """A safe redirect target after sign-in: a local path, or the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("portal.home")
    if any(ord(ch) < 32 for ch in target):
        return url_for("portal.home")
    return target
