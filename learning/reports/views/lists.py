"""The people lists of a campaign (a department's subtree or the whole organisation, within the reader's
scope): status per module, department and head; filtered, sorted, paged; exported whole."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from learning.accounts.models import Department
from learning.accounts.tree import parent_map, subtree
from learning.authz import Permission, requires
from learning.courses.rendering import request_terms
from learning.i18n import current_locale, pick
from learning.reports import lists, messages, services, tables
from learning.reports.employment import EMPLOYMENT_FILTERS
from learning.reports.pages import (
    audit,
    campaign_scope,
    denied,
    employment_filter,
    employment_in_name,
    employment_scope,
    get_campaign,
    heading,
    table_download,
)
from learning.web import db, id_arg

bp = Blueprint("lists", __name__, template_folder="../templates")


def _departments(scope, department: Department | None) -> set[int] | None:
    """The departments the list covers: the chosen one's subtree, within the reader's scope."""
    if department is None:
        return scope.departments
    covered = subtree([department.id], parent_map(db()))
    return covered if scope.departments is None else covered & scope.departments


@bp.route("/reports/campaigns/<int:campaign_id>/people")
@bp.route("/reports/campaigns/<int:campaign_id>/people.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def people(campaign_id: int, fmt: str = "html"):
    found = get_campaign(campaign_id)
    scope = services.scope_of(db(), current_user)
    department_id = request.args.get("department", type=id_arg)
    department = db().get(Department, department_id) if department_id else None
    if request.args.get("department") and department is None:
        abort(404)
    if department is not None and not scope.allows(department.id):
        denied("people_list", ("department", department.id))
    chosen = request.args.get("filter", "all")
    chosen = chosen if chosen in lists.FILTERS else "all"
    sort = request.args.get("sort", "employee_no")
    sort = sort if sort in lists.SORTS else "employee_no"
    descending = request.args.get("dir") == "desc"
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    covered = _departments(scope, department)
    employment = employment_filter()
    audit(
        ("department", department.id) if department else ("campaign", found.id),
        {"report": "people_list", "campaign": found.id, "filter": chosen, "format": fmt}
        | ({"employment": employment} if employment else {}),
    )
    where = (
        _("%(department)s and every department under it", department=f"{pick(department.names)} ({department.code})")
        if department
        else (_("The whole organisation") if scope.departments is None else _("Every department you head"))
    )
    lines_heading = heading(
        _("People and their status"),
        campaign_scope(found),
        (_("Departments"), where),
        (_("Filter"), _(messages.LIST_FILTERS[chosen])),
        *employment_scope(employment),
    )
    modules = lists.modules_of(db(), found)
    if fmt != "html":
        every = lists.every_line(current_app.extensions["db"].factory, found.id, covered, chosen, employment=employment)
        exported = tables.people_matrix(every, modules, current_locale(), _, lines_heading, request_terms())
        scope_name = department.code if department else ("all" if scope.departments is None else "mine")
        named = [scope_name] if chosen == "all" else [scope_name, chosen.replace("_", "-")]
        named += employment_in_name(employment)
        return table_download(fmt, exported, "people", f"campaign{found.id}", *named)
    found_lines, total = lists.page(db(), found, covered, chosen, sort, descending, number, employment)
    pages = max(1, -(-total // lists.PAGE_SIZE))
    return render_template(
        "reports/people.html",
        campaign=found,
        department=department,
        lines=found_lines,
        total=total,
        number=number,
        pages=pages,
        chosen=chosen,
        sort=sort,
        descending=descending,
        modules=modules,
        filters=lists.FILTERS,
        filter_names=messages.LIST_FILTERS,
        statuses=messages.PERSON_STATUS,
        heading=lines_heading,
        employment=employment,
        employment_types=EMPLOYMENT_FILTERS,
    )
