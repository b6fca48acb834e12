"""The audit trail, read-only, for internal audit and the compliance office (the trail itself is the audit
room's; this page is a report on it): filtered, paged by id over any number of events, exported as CSV or
XLSX (the export is itself on the trail)."""

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from learning.audit.messages import ACTIONS, OUTCOMES, TARGETS
from learning.audit.services import record
from learning.authz import Permission, requires
from learning.i18n import current_locale
from learning.reports import messages
from learning.reports import trail as trails
from learning.reports.exports import Column, Table
from learning.reports.pages import heading, table_download
from learning.reports.trail_text import Describer
from learning.web import db, explain, id_arg

bp = Blueprint("audit", __name__, template_folder="../templates")


@bp.route("/audit")
@bp.route("/audit.<any(csv, xlsx):fmt>")
@requires(Permission.AUDIT_READ)
def trail(fmt: str = "html"):
    chosen, errors = trails.parse_filter(request.args)
    found = trails.conditions(db(), chosen) if not errors else trails.Conditions()
    errors += found.errors
    if not errors and fmt != "html":
        up_to = trails.head_id(db())
        total = trails.count(db(), found.where, up_to)
        if fmt == "xlsx" and total > trails.XLSX_LIMIT:
            errors.append(trails.TrailError("too_many_rows", n=f"{total:,}", limit=f"{trails.XLSX_LIMIT:,}"))
        else:
            return export(fmt, chosen, found.where, up_to, total)
    if errors:
        return show(chosen, None, errors), 400
    shown = trails.page(
        db(), found.where, before=request.args.get("before", type=id_arg), after=request.args.get("after", type=id_arg)
    )
    return show(chosen, shown, [])


def show(chosen: trails.TrailFilter, shown: trails.Page | None, errors: list):
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(error.field or "", []).append(explain(error))
    rows = Describer(db(), _, current_locale()).describe(shown.events) if shown else []
    return render_template(
        "audit/trail.html",
        rows=rows,
        shown=shown,
        chosen=chosen,
        args=chosen.args(),
        errors=by_field,
        actions=sorted(((code, _(text)) for code, text in ACTIONS.items()), key=lambda pair: pair[1]),
        outcomes=[(code, _(text)) for code, text in OUTCOMES.items()],
        targets=[(code, _(text)) for code, text in TARGETS.items()],
    )


def export(fmt: str, chosen: trails.TrailFilter, where: list, up_to: int, total: int) -> Response:
    """The filtered trail up to the newest event now, newest first, headed by what it covers; the export is
    recorded (and committed with this request) before the file is written, from rows read in sessions of
    their own."""
    filters = chosen.args()
    record(
        db(),
        "audit_trail_exported",
        actor_id=current_user.id,
        details={"format": fmt, "filters": filters, "events": total, "up_to": up_to},
    )
    words = Describer(db(), _, current_locale())
    lines = heading(
        _(messages.EXPORT_TITLE),
        (_(messages.EXPORT_FILTERS), words.value("filters", filters) if filters else _(messages.EXPORT_NO_FILTER)),
        (_(messages.EXPORT_COVERS), _(messages.EXPORT_COVERAGE) % {"n": f"{total:,}", "head": up_to}),
    )
    columns = [
        Column(_("Event"), "event", "integer"),
        Column(_("Time (JST)"), "at", "timestamp"),
        Column(_("Actor"), "actor"),
        Column(_("Action"), "action", "coded"),
        Column(_("Outcome"), "outcome", "coded"),
        Column(_("Target"), "target", "coded"),
        Column(_("Details"), "details"),
        Column(_("Address"), "address"),
        Column(_("Request id"), "request_id"),
    ]
    rows = trails.export_rows(current_app.extensions["db"].factory, where, up_to, _, current_locale())
    exported = Table(_("Audit trail"), columns, rows, lines)
    return table_download(fmt, exported, "audit-trail", "filtered" if filters else "all")
