"""The session's keep-alive: the idle warning's "Stay signed in" (static/session.js) calls it."""

from flask import Blueprint, jsonify, session

from learning import clock
from learning.authz import Permission, requires
from learning.web.pipeline import app_settings

bp = Blueprint("session", __name__)


@bp.route("/api/v1/session/keepalive", methods=["POST"])
@requires(Permission.SELF)
def keepalive():
    """Counts as activity at once (the pipeline notes ordinary requests at most once a minute): the idle timeout
    starts again from now. Returns how long that is, for the page's timer."""
    session["seen"] = clock.now().timestamp()
    return jsonify(idle_seconds=app_settings().idle_minutes * 60)
