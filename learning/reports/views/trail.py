"""The audit trail, read-only, for internal audit and the compliance office (the trail itself is the audit
room's; this page is a report on it)."""

from flask import Blueprint, render_template, request
from sqlalchemy import select

from learning.audit.models import AuditEvent
from learning.authz import Permission, requires
from learning.web import db, id_arg

bp = Blueprint("audit", __name__, template_folder="../templates")
PAGE_SIZE = 100


@bp.route("/audit")
@requires(Permission.AUDIT_READ)
def trail():
    before = request.args.get("before", type=id_arg)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    if before:
        query = query.where(AuditEvent.id < before)
    events = db().scalars(query).all()
    return render_template("audit/trail.html", events=events, page_size=PAGE_SIZE)
