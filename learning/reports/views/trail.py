"""The audit trail, read-only, for internal audit and the compliance office (the trail itself is the audit
room's; this page is a report on it): filtered, paged by id over any number of events, exported as CSV or
XLSX (the export is itself on the trail)."""

import tempfile

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from learning import clock
from learning.audit.messages import ACTIONS, OUTCOMES, TARGETS
from learning.audit.services import record
from learning.authz import Permission, requires
from learning.i18n import current_locale
from learning.reports import messages
from learning.reports import trail as trails
from learning.reports.exports import csv_pieces, write_xlsx
from learning.reports.trail_text import Describer, people
from learning.web import db, explain, id_arg

bp = Blueprint("audit", __name__, template_folder="../templates")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    recorded (and committed with this request) before the file is written."""
    now = clock.now()
    filters = chosen.args()
    record(
        db(),
        "audit_trail_exported",
        actor_id=current_user.id,
        details={"format": fmt, "filters": filters, "events": total, "up_to": up_to},
    )
    words = Describer(db(), _, current_locale())
    preamble = [
        [_(messages.EXPORT_TITLE)],
        [_(messages.EXPORT_FILTERS), words.value("filters", filters) if filters else _(messages.EXPORT_NO_FILTER)],
        [_(messages.EXPORT_AS_OF), now.astimezone(clock.TOKYO).strftime("%Y-%m-%d %H:%M:%S")],
        [_(messages.EXPORT_COVERS), _(messages.EXPORT_COVERAGE) % {"n": f"{total:,}", "head": up_to}],
        [_(messages.EXPORT_BY), people(db(), {current_user.id})[current_user.id]],
    ]
    header = [_("Event"), _("Time (JST)"), _("Actor"), _("Action"), _("Outcome"), _("Target"), _("Details")]
    header += [_("Address"), _("Request id")]
    rows = trails.export_rows(current_app.extensions["db"].factory, where, up_to, _, current_locale())
    name = f"audit-trail-{now.astimezone(clock.TOKYO):%Y%m%d-%H%M%S}.{fmt}"
    if fmt == "csv":
        body, mimetype = csv_pieces(header, rows, preamble), "text/csv; charset=utf-8"
    else:
        body, mimetype = _xlsx(_("Audit trail"), header, rows, preamble), XLSX_TYPE
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(title, header, rows, preamble):
    """The workbook, written after the request's commit (it reads the trail in sessions of its own) to a
    temporary file, then sent from it in pieces."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(spool, title, header, rows, preamble)
        spool.seek(0)
        while piece := spool.read(256 * 1024):
            yield piece
