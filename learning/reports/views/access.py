"""The access register and the outcome of each access review, with CSV/XLSX exports (internal audit,
compliance, the admin): "who could do what, since when, approved by whom" without a database query."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from learning.accounts import grants, reviews, search
from learning.accounts.pages import label
from learning.authz import Permission, requires
from learning.i18n import pick
from learning.reports import access
from learning.reports.exports import Column, Table
from learning.reports.pages import audit, heading, jst, table_download
from learning.web import db

bp = Blueprint("access_register", __name__, template_folder="../templates")


def _dept(department) -> str:
    return pick(department.names) if department else ""


def _coded(kind: str, label_text: str, code: str) -> Column:
    """A column of the accounts room's codes: the label people read, and the code beside it."""
    return Column(label_text, code, "coded", labels=lambda value: label(value, kind))


@bp.route("/access/register")
@bp.route("/access/register.<any(csv, xlsx):fmt>")
@requires(Permission.ACCESS_REGISTER)
def register(fmt: str = "html"):
    status = request.args.get("status", "open")
    if status not in access.STATUS_FILTERS:
        status = "open"
    role = request.args.get("role") or None
    if role is not None and role not in grants.GRANTABLE:
        role = None
    number = (request.args.get("q") or "").strip()[: search.MAX_QUERY] or None
    rows = access.register(db(), status, role, number)
    audit(None, {"report": "access_register", "status": status, "role": role, "q": number, "format": fmt})
    if fmt == "html":
        found = access.all_reviews(db())
        return render_template(
            "access/register.html",
            reviews=found,
            progress={r.id: reviews.progress(db(), r.id) for r in found},
            rows=rows,
            status=status,
            role=role,
            number=number or "",
            roles=sorted(grants.GRANTABLE),
        )
    columns = [
        Column(_("Name"), "name"),
        Column(_("Employee number"), "employee_no"),
        Column(_("Department"), "department"),
        _coded("role", _("Role"), "role"),
        Column(_("Scope"), "scope"),
        _coded("grant_status", _("Status"), "status"),
        Column(_("Requested by"), "requested_by"),
        Column(jst(_("Requested at")), "requested_at", "datetime"),
        Column(_("Approved by"), "approved_by"),
        Column(jst(_("Approved at")), "approved_at", "datetime"),
        Column(jst(_("Ends at")), "ends_at", "datetime"),
        Column(jst(_("Ended at")), "ended_at", "datetime"),
        Column(_("Ended by"), "ended_by"),
        _coded("end_reason", _("How it ended"), "end_reason"),
        Column(jst(_("Last reviewed at")), "last_reviewed_at", "datetime"),
        Column(_("Last reviewed by"), "last_reviewed_by"),
    ]
    table = [
        [
            r.holder.name,
            r.holder.employee_no,
            _dept(r.holder_department),
            r.grant.role,
            _dept(r.scope),
            r.grant.status,
            access.person(r.requested_by),
            r.grant.granted_at,
            access.person(r.approved_by),
            r.grant.approved_at,
            r.grant.ends_at,
            r.grant.revoked_at,
            access.person(r.ended_by),
            r.grant.end_reason,
            r.grant.last_reviewed_at,
            access.person(r.reviewed_by),
        ]
        for r in rows
    ]
    covers = ", ".join(
        part
        for part in (
            {
                "open": _("open grants"),
                "pending": _("grants awaiting approval"),
                "active": _("grants in force"),
                "ended": _("ended grants"),
                "all": _("all grants"),
            }[status],
            label(role, "role") if role else "",
            number or "",
        )
        if part
    )
    exported = Table(_("Access register"), columns, table, heading(_("Access register"), (_("Filters"), covers)))
    return table_download(fmt, exported, "access-register", status, role or "", number or "")


@bp.route("/access/reviews/<int:review_id>")
@bp.route("/access/reviews/<int:review_id>.<any(csv, xlsx):fmt>")
@requires(Permission.ACCESS_REGISTER)
def review(review_id: int, fmt: str = "html"):
    found = access.review(db(), review_id)
    if found is None:
        abort(404)
    rows = access.review_items(db(), found.id)
    audit(("access_review", found.id), {"report": "access_review", "format": fmt})
    if fmt == "html":
        return render_template("access/review.html", review=found, rows=rows, progress=reviews.progress(db(), found.id))
    columns = [
        Column(_("Name"), "name"),
        Column(_("Employee number"), "employee_no"),
        Column(_("Department"), "department"),
        _coded("item_kind", _("What"), "kind"),
        _coded("role", _("Role"), "role"),
        Column(jst(_("Last sign-in")), "last_sign_in_at", "datetime"),
        Column(_("Reviewer"), "reviewer"),
        _coded("decision", _("Decision"), "decision"),
        Column(_("Decided by"), "decided_by"),
        Column(jst(_("Decided at")), "decided_at", "datetime"),
    ]
    table = [
        [
            r.holder.name,
            r.holder.employee_no,
            _dept(r.holder_department),
            r.item.kind,
            r.grant.role if r.grant else None,
            r.item.last_sign_in_at,
            access.person(r.reviewer) or _("Compliance office"),
            r.item.decision or (_("Undecided"), ""),
            access.person(r.decided_by),
            r.item.decided_at,
        ]
        for r in rows
    ]
    covers = _("%(title)s, due %(due)s", title=found.title, due=found.due_on.isoformat())
    exported = Table(_("Access review"), columns, table, heading(_("Access review"), (_("Access review"), covers)))
    return table_download(fmt, exported, "access-review", found.id)
