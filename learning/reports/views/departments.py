"""The departments page for the admin: every code the HR files may use, with names, parent, head, headcount
and status, and its CSV (the one export writer; the heading says as of when, in Tokyo time)."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from learning import clock
from learning.accounts import departments
from learning.accounts.pages import label
from learning.authz import Permission, requires
from learning.errors import N_
from learning.i18n import pick
from learning.reports.exports import Column, Table
from learning.reports.pages import as_of, audit, heading, jst, table_download
from learning.web import db

bp = Blueprint("departments", __name__, template_folder="../templates")
STATUS_FILTER_LABELS = {"all": N_("All"), "active": N_("In use"), "closed": N_("Abolished or merged")}


def _people(users) -> str:
    return ", ".join(f"{u.name} ({u.employee_no})" for u in users)


@bp.route("/admin/departments")
@bp.route("/admin/departments.<any(csv, xlsx):fmt>")
@requires(Permission.ACCOUNTS_MANAGE)
def listing(fmt: str = "html"):
    status = request.args.get("status", "all")
    if status not in departments.STATUS_FILTERS:
        status = "all"
    lines = departments.listing(db(), clock.now(), status)
    audit(None, {"report": "departments", "status": status, "format": fmt})
    if fmt == "html":
        return render_template("reports/departments.html", lines=lines, status=status, as_of=as_of())
    columns = [
        Column(_("Code"), "code"),
        Column(_("Name (Japanese)"), "name_ja"),
        Column(_("Name (English)"), "name_en"),
        Column(_("Parent code"), "parent_code"),
        Column(_("Parent"), "parent"),
        Column(_("Status"), "status", "coded", labels=lambda value: label(value, "department_status")),
        Column(_("Merged into"), "merged_into"),
        Column(jst(_("Closed at")), "closed_at", "datetime"),
        Column(_("Head"), "head"),
        Column(_("People"), "headcount", "integer"),
        Column(_("People with the departments under it"), "in_subtree", "integer"),
    ]
    rows = [
        [
            line.department.code,
            line.department.name_ja,
            line.department.name_en,
            line.parent.code if line.parent else "",
            pick(line.parent.names) if line.parent else "",
            line.department.status,
            line.merged_into.code if line.merged_into else "",
            line.department.closed_at,
            _people(line.heads),
            line.headcount,
            line.in_subtree,
        ]
        for line in lines
    ]
    shown = (_("Departments"), _(STATUS_FILTER_LABELS[status]))
    return table_download(
        fmt, Table(_("Departments"), columns, rows, heading(_("Departments"), shown)), "departments", status
    )
