"""Pledges signed in a campaign: by department (scoped as the completion report is) with company subtotals, the
people who have not signed, CSV and XLSX with the export heading; every view and export audited."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning.accounts.models import Department
from learning.accounts.tree import parent_map, subtree
from learning.authz import Permission, requires
from learning.campaigns.pledge_models import CampaignPledge
from learning.i18n import current_locale, pick
from learning.reports import pledges, services
from learning.reports.pages import (
    audit,
    campaign_scope,
    denied,
    departments_scope,
    get_campaign,
    heading,
    roots_in_name,
    table_download,
)
from learning.web import db, id_arg

bp = Blueprint("pledge_reports", __name__, template_folder="../templates")


def _campaign_pledge(campaign_id: int, pledge_id: int):
    campaign = get_campaign(campaign_id)
    held = db().scalar(
        select(CampaignPledge.id).where(
            CampaignPledge.campaign_id == campaign.id, CampaignPledge.pledge_id == pledge_id
        )
    )
    if held is None:
        abort(404)
    titles = next((line.titles for line in pledges.campaign_pledges(db()) if line.pledge_id == pledge_id), {})
    return campaign, titles


def _pledge_scope(titles: dict) -> tuple[str, str]:
    return _("Pledge"), pick(titles)


@bp.route("/reports/pledges")
@requires(Permission.REPORTS_VIEW)
def index():
    return render_template("reports/pledges_index.html", lines=pledges.campaign_pledges(db()))


@bp.route("/reports/campaigns/<int:campaign_id>/pledges/<int:pledge_id>")
@bp.route("/reports/campaigns/<int:campaign_id>/pledges/<int:pledge_id>.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def campaign(campaign_id: int, pledge_id: int, fmt: str = "html"):
    found, titles = _campaign_pledge(campaign_id, pledge_id)
    scope = services.scope_of(db(), current_user)
    rows = pledges.by_department(db(), found.id, pledge_id, scope, current_locale())
    audit(("campaign", found.id), {"report": "campaign_pledges", "pledge_id": pledge_id, "format": fmt})
    lines = heading(
        _("Pledges signed by department"), campaign_scope(found), _pledge_scope(titles), departments_scope(scope.roots)
    )
    if fmt != "html":
        table = pledges.department_table(rows, _, lines)
        return table_download(fmt, table, "pledges", f"campaign{found.id}", *roots_in_name(scope.roots))
    return render_template(
        "reports/pledges.html",
        campaign=found,
        pledge_id=pledge_id,
        titles=titles,
        rows=rows,
        companies=pledges.companies(rows),
        total=pledges.organisation_total(rows),
        rate=pledges.signed_rate,
        not_signed=pledges.not_signed,
        heading=lines,
    )


@bp.route("/reports/campaigns/<int:campaign_id>/pledges/<int:pledge_id>/not-signed")
@bp.route("/reports/campaigns/<int:campaign_id>/pledges/<int:pledge_id>/not-signed.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def unsigned(campaign_id: int, pledge_id: int, fmt: str = "html"):
    """The people who have not signed: all within the reader's scope, or one department's subtree (?department=)."""
    found, titles = _campaign_pledge(campaign_id, pledge_id)
    scope = services.scope_of(db(), current_user)
    department_id = request.args.get("department", type=id_arg)
    dept = db().get(Department, department_id) if department_id else None
    if department_id and dept is None:
        abort(404)
    if dept is not None and not scope.allows(dept.id):
        denied("campaign_pledges_unsigned", ("department", dept.id))
    area = subtree([dept.id], parent_map(db())) if dept is not None else None
    people = pledges.unsigned_people(db(), found.id, pledge_id, scope, area)
    details = {"report": "campaign_pledges_unsigned", "pledge_id": pledge_id, "format": fmt}
    if dept is not None:
        details["department_id"] = dept.id
    audit(("campaign", found.id), details)
    where = (
        (
            _("Department"),
            _("%(department)s and every department under it", department=f"{pick(dept.names)} ({dept.code})"),
        )
        if dept is not None
        else departments_scope(scope.roots)
    )
    lines = heading(_("People who have not signed"), campaign_scope(found), _pledge_scope(titles), where)
    names = {d.id: f"{pick(d.names)} ({d.code})" for d in db().scalars(select(Department))}
    if fmt != "html":
        table = pledges.people_table(people, names, _, lines)
        what = [dept.code] if dept is not None else roots_in_name(scope.roots)
        return table_download(fmt, table, "pledges-not-signed", f"campaign{found.id}", *what)
    return render_template(
        "reports/pledges_unsigned.html",
        campaign=found,
        pledge_id=pledge_id,
        titles=titles,
        department=dept,
        people=people,
        names=names,
        heading=lines,
    )
