"""Home page, the desk placeholder, the status API, health, and the desktop entry files."""

from flask import Blueprint, Response, current_app, jsonify, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from learning import clock
from learning.accounts import grants, reviews
from learning.authz import Permission, public, requires
from learning.campaigns import pledge_assignments
from learning.rules import services as rules
from learning.training import progress
from learning.training.pages import counts_from
from learning.training.reading import readiness
from learning.training.services import my_assignments, status_counts
from learning.web import db

bp = Blueprint("portal", __name__, template_folder="templates")
MOST_VIEWED_ON_HOME = 5  # the rules documents most looked up in the last 30 days


@bp.route("/")
@requires(Permission.LEARN)
def home():
    everything = my_assignments(db(), current_user.id)
    assignments = progress.on_home(everything)  # each once: a closed period's are history
    to_decide = {
        "review": reviews.count_for(db(), current_user),
        "approvals": grants.pending_count(db()) if current_user.can(Permission.ACCESS_APPROVE) else 0,
    }
    return render_template(
        "portal/home.html",
        assignments=assignments,
        pledges_due=pledge_assignments.due_for(db(), current_user.id),
        resume=progress.where_to_continue(db(), everything),
        ready=readiness(db(), assignments),
        counts=counts_from(everything),
        now=clock.now(),
        to_decide=to_decide,
        most_viewed=rules.most_viewed(db(), clock.tokyo_date(clock.now()), MOST_VIEWED_ON_HOME),
    )


@bp.route("/api/v1/me/status")
@requires(Permission.LEARN)
def my_status():
    counts = status_counts(db(), current_user.id)
    return jsonify(
        assigned=counts.assigned, completed=counts.completed, due_soon=counts.due_soon, overdue=counts.overdue
    )


@bp.route("/healthz")
@public
def health():
    try:
        db().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/shortcut/portal.url")
@requires(Permission.LEARN)
def windows_shortcut():
    """A Windows Internet Shortcut to the portal, for the desktop of every PC."""
    body = f"[InternetShortcut]\r\nURL={_shortcut_target()}\r\n"
    return _download(body, "conduct-rules-portal.url", "application/internet-shortcut")


@bp.route("/shortcut/portal.desktop")
@requires(Permission.LEARN)
def linux_shortcut():
    """A freedesktop.org launcher to the portal, for Linux desktops."""
    name = _("Conduct Rules Portal")
    body = (
        "[Desktop Entry]\nVersion=1.0\nType=Link\n"
        f"Name=Conduct Rules Portal\nName[ja]=行為規制ポータル\nComment={name}\n"
        f"URL={_shortcut_target()}\nIcon=text-html\n"
    )
    return _download(body, "conduct-rules-portal.desktop", "application/x-desktop")


def _shortcut_target() -> str:
    """The portal's address; with sign-in through the company's directory, its way in (/sso/start), so that
    a double click lands signed in."""
    portal = current_app.config["PORTAL_URL"]
    if current_app.extensions["settings"].sso.enabled:
        return portal + "sso/start"  # PORTAL_URL ends with "/" (config.py)
    return portal


def _download(body: str, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
