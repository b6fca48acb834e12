"""The access register and the outcome of each access review, with CSV/XLSX exports (internal audit,
compliance, the admin): "who could do what, since when, approved by whom" without a database query."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from learning import clock
from learning.accounts import grants, reviews
from learning.accounts.pages import label
from learning.authz import Permission, requires
from learning.i18n import pick
from learning.reports import access
from learning.reports.pages import audit, table_download
from learning.web import db

bp = Blueprint("access_register", __name__, template_folder="../templates")


def _dept(department) -> str:
    return pick(department.names) if department else ""


def _preamble(title: str, covers: str) -> list[list[str]]:
    """What an export covers, as of when, and who made it: the first rows of the file."""
    now = access.jst(clock.now())
    return [
        [title],
        [_("Covers"), covers],
        [_("As of (Japan time)"), now],
        [_("Exported by"), access.person(current_user)],
    ]


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
    number = (request.args.get("q") or "").strip()[:20] or None
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
    header = [
        _("Name"),
        _("Employee number"),
        _("Department"),
        _("Role"),
        _("Scope"),
        _("Status"),
        _("Requested by"),
        _("Requested at"),
        _("Approved by"),
        _("Approved at"),
        _("Ends at"),
        _("Ended at"),
        _("Ended by"),
        _("How it ended"),
        _("Last reviewed at"),
        _("Last reviewed by"),
    ]
    table = [
        [
            r.holder.name,
            r.holder.employee_no,
            _dept(r.holder_department),
            label(r.grant.role, "role"),
            _dept(r.scope),
            label(r.grant.status, "grant_status"),
            access.person(r.requested_by),
            access.jst(r.grant.granted_at),
            access.person(r.approved_by),
            access.jst(r.grant.approved_at),
            access.jst(r.grant.ends_at),
            access.jst(r.grant.revoked_at),
            access.person(r.ended_by),
            label(r.grant.end_reason, "end_reason") if r.grant.end_reason else "",
            access.jst(r.grant.last_reviewed_at),
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
    stamp = clock.tokyo_date(clock.now()).isoformat()
    return table_download(
        fmt, _("Access register"), header, table, f"access-register-{stamp}", _preamble(_("Access register"), covers)
    )


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
    header = [
        _("Name"),
        _("Employee number"),
        _("Department"),
        _("What"),
        _("Role"),
        _("Last sign-in"),
        _("Reviewer"),
        _("Decision"),
        _("Decided by"),
        _("Decided at"),
    ]
    table = [
        [
            r.holder.name,
            r.holder.employee_no,
            _dept(r.holder_department),
            label(r.item.kind, "item_kind"),
            label(r.grant.role, "role") if r.grant else "",
            access.jst(r.item.last_sign_in_at),
            access.person(r.reviewer) or _("Compliance office"),
            label(r.item.decision, "decision") if r.item.decision else _("Undecided"),
            access.person(r.decided_by),
            access.jst(r.item.decided_at),
        ]
        for r in rows
    ]
    covers = _("%(title)s, due %(due)s", title=found.title, due=found.due_on.isoformat())
    return table_download(
        fmt, _("Access review"), header, table, f"access-review-{found.id}", _preamble(_("Access review"), covers)
    )
