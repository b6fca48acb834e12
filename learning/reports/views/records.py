"""The records compliance works from: the exemption register, and a person's training history across all
years (their own, and for staff in scope), each printable and exported as CSV or XLSX."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning import clock
from learning.accounts.models import Department, User
from learning.accounts.tree import ordered
from learning.authz import Permission, requires
from learning.campaigns.messages import AMENDMENT_LABELS
from learning.campaigns.models import Campaign
from learning.courses.rendering import request_terms
from learning.i18n import current_locale, pick
from learning.reports import messages, records, services, tables
from learning.reports.pages import (
    audit,
    certificate_in_scope,
    denied,
    departments_scope,
    heading,
    jst,
    roots_in_name,
    table_download,
)
from learning.training.pages import certificate_facts
from learning.web import db, id_arg

bp = Blueprint("records", __name__, template_folder="../templates")


@bp.context_processor
def _labels():
    return {
        "states": messages.EXEMPTION_STATES,
        "history_status": messages.HISTORY_STATUS,
        "amendment_labels": AMENDMENT_LABELS,
    }


def _departments_in(scope: services.Scope) -> list[tuple[int, str]]:
    """The departments the reader may narrow the register to, in tree order, indented by depth."""
    names = {d.id: d for d in db().scalars(select(Department).order_by(Department.code))}
    parents = {d.id: d.parent_id for d in names.values()}
    return [
        (d, "\u3000" * depth + f"{pick(names[d].names)} ({names[d].code})")
        for d, depth in ordered(parents, None if scope.roots is None else sorted(scope.roots))
    ]


def _filters(state: str, campaign: Campaign | None, department: Department | None) -> tuple[str, str]:
    """The heading's line that says what the register is narrowed to."""
    under = ""
    if department:
        named = f"{pick(department.names)} ({department.code})"
        under = _("%(department)s and every department under it", department=named)
    parts = (_(messages.EXEMPTION_FILTERS[state]), pick(campaign.names) if campaign else "", under)
    return _("Filters"), ", ".join(part for part in parts if part)


@bp.route("/reports/exemptions")
@bp.route("/reports/exemptions.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def exemptions(fmt: str = "html"):
    """Every exemption in the reader's reach, in force or ended: who, which module, why, granted by whom, from,
    to, and how it ended."""
    scope = services.scope_of(db(), current_user)
    state = request.args.get("state", "all")
    if state not in records.STATE_FILTERS:
        state = "all"
    campaign = db().get(Campaign, request.args.get("campaign", type=id_arg) or 0)
    department = None
    if department_id := request.args.get("department", type=id_arg):
        department = db().get(Department, department_id) or abort(404)
        if not scope.allows(department.id):
            denied("exemption_register", ("department", department.id))
    chosen = records.ExemptionFilter(state, campaign.id if campaign else None, department.id if department else None)
    page = request.args.get("page", 1, type=id_arg)
    details = {"report": "exemption_register", "state": state, "format": fmt}
    details.update(campaign=chosen.campaign_id, department_id=chosen.department_id)
    if fmt == "html":
        details["page"] = page
    audit(None, details)
    lines = heading(_("Exemption register"), _filters(state, campaign, department), departments_scope(scope.roots))
    now = clock.now()
    if fmt != "html":
        found = records.every_exemption(db(), chosen, scope, now)
        exported = tables.exemptions(found, current_locale(), _, lines, jst, request_terms())
        named = [f"campaign{campaign.id}" if campaign else "", department.code if department else ""]
        return table_download(fmt, exported, "exemptions", state, *named, *roots_in_name(scope.roots))
    rows, total = records.exemption_page(db(), chosen, scope, now, page)
    args = {k: v for k, v in {"state": state, "campaign": chosen.campaign_id, "department": department_id}.items() if v}
    return render_template(
        "reports/exemptions.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // records.PAGE_SIZE)),
        args=args,
        chosen=chosen,
        campaigns=services.campaigns(db()),
        departments=_departments_in(scope),
        filters=messages.EXEMPTION_FILTERS,
        heading=lines,
        printing=request.args.get("print") == "1",
    )


@bp.route("/training/history")
@bp.route("/training/history.<any(csv, xlsx):fmt>")
@requires(Permission.LEARN)
def my_history(fmt: str = "html"):
    """One's own training, every year: the record as compliance sees it."""
    person = db().get(User, current_user.id)
    return _history(person, fmt, own=True)


@bp.route("/reports/people/<employee_no>/history")
@bp.route("/reports/people/<employee_no>/history.<any(csv, xlsx):fmt>")
@bp.route("/reports/users/<int:user_id>/history")
@bp.route("/reports/users/<int:user_id>/history.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def history(employee_no: str | None = None, user_id: int | None = None, fmt: str = "html"):
    """A person's training, every year, for compliance, internal audit and the managers of the person's
    department; audited with the person as target."""
    person = records.person_by(db(), employee_no, user_id) or abort(404)
    if not records.may_read(services.scope_of(db(), current_user), current_user.id, person):
        denied("training_history", ("user", person.id))
    audit(("user", person.id), {"report": "training_history", "format": fmt})
    return _history(person, fmt, own=False)


def _history(person: User, fmt: str, own: bool):
    where = f"{pick(person.department.names)} ({person.department.code})" if person.department else "—"
    lines = heading(_("Training history"), (_("Person"), f"{person.name} ({person.employee_no}), {where}"))
    years = records.history(db(), person.id, clock.now())
    if fmt != "html":
        exported = tables.history(years, current_locale(), _, lines, jst, request_terms())
        return table_download(fmt, exported, "history", person.employee_no)
    return render_template(
        "reports/history.html",
        person=person,
        years=years,
        own=own,
        heading=lines,
        printing=request.args.get("print") == "1",
        here=("records.my_history", {}) if own else ("records.history", {"employee_no": person.employee_no}),
    )


@bp.route("/reports/certificates/<int:assignment_id>")
@requires(Permission.REPORTS_VIEW)
def certificate(assignment_id: int):
    """A person's certificate of completion, as they would print it, for staff in scope (audited)."""
    assignment, person = certificate_in_scope(assignment_id)
    back = url_for(".history", employee_no=person.employee_no)
    return render_template(
        "training/certificate.html",
        assignment=assignment,
        facts=certificate_facts(assignment, person),
        pdf_url=url_for("certificates.staff_pdf", assignment_id=assignment.id),
        back_url=back,
        back_label=_("Training history"),
    )
