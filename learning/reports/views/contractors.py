"""The department report's contractors section (issue 19 item 5): its export, and the people of one contractor
company; scoped (contractors.scope_of) and audited on every view and export."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from learning.accounts.contractor_models import ContractorCompany
from learning.accounts.models import Department
from learning.authz import Permission, requires
from learning.courses.rendering import request_terms
from learning.i18n import current_locale, pick
from learning.reports import contractors, messages, services, tables
from learning.reports.pages import audit, campaign_scope, denied, get_campaign, heading, table_download
from learning.web import db, id_arg

bp = Blueprint("contractor_reports", __name__, template_folder="../templates")


def reader_scope() -> contractors.ContractorScope:
    return contractors.scope_of(db(), current_user, services.scope_of(db(), current_user))


def contractors_scope(scope: contractors.ContractorScope) -> tuple[str, str]:
    """The contractors a report covers, for its heading."""
    if scope.contracts is None:
        return _("Contractors"), _("Every contractor company")
    return _("Contractors"), _("Contractors on contracts sponsored by your departments")


@bp.route("/reports/campaigns/<int:campaign_id>/contractors.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def section(campaign_id: int, fmt: str):
    """The contractors section of the department report as a file: per company and sponsoring department."""
    found = get_campaign(campaign_id)
    scope = reader_scope()
    rows = contractors.section(db(), found.id, scope, current_locale())
    audit(("campaign", found.id), {"report": "contractor_completion", "format": fmt})
    lines = heading(_("Completion by contractor"), campaign_scope(found), contractors_scope(scope))
    scoped = "all" if scope.contracts is None else "sponsored"
    return table_download(fmt, tables.contractors(rows, _, lines), "contractors", f"campaign{found.id}", scoped)


@bp.route("/reports/campaigns/<int:campaign_id>/contractors/<int:company_id>")
@bp.route("/reports/campaigns/<int:campaign_id>/contractors/<int:company_id>.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def company(campaign_id: int, company_id: int, fmt: str = "html"):
    """The staff of one contractor company and their assignments in the campaign (under one sponsoring
    department with ?sponsor=<id>); only the contracts in the reader's scope."""
    found = get_campaign(campaign_id)
    contractor = db().get(ContractorCompany, company_id)
    if contractor is None:
        abort(404)
    sponsor_id = request.args.get("sponsor", type=id_arg)
    sponsor = db().get(Department, sponsor_id) if sponsor_id else None
    scope = reader_scope()
    if not scope.allows(contractors.company_contracts(db(), contractor.id)):
        denied("contractor_people", ("contractor_company", contractor.id))
    people = contractors.people(db(), found.id, contractor.id, scope, sponsor.id if sponsor else None)
    audit(("contractor_company", contractor.id), {"report": "contractor_people", "campaign": found.id, "format": fmt})
    named = f"{pick(contractor.names)} ({contractor.code})"
    if sponsor is not None:
        named = _("%(company)s, sponsored by %(department)s", company=named, department=pick(sponsor.names))
    # One company's file names that company (and sponsor); the reader's whole reach would read as a contradiction.
    lines = heading(_("People of a contractor"), campaign_scope(found), (_("Contractor"), named))
    if fmt == "html":
        return render_template(
            "reports/contractor.html",
            campaign=found,
            company=contractor,
            sponsor=sponsor,
            people=people,
            statuses=messages.PERSON_STATUS,
            heading=lines,
        )
    exported = tables.contractor_people(people, current_locale(), _, lines, request_terms())
    suffix = [sponsor.code] if sponsor else []
    return table_download(fmt, exported, "contractor-people", f"campaign{found.id}", contractor.code, *suffix)
