"""People search for those who read people's training (managers within the subtrees they head, compliance
and internal audit everyone): a name, reading, employee number or email leads to the person's history."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from learning.accounts import search
from learning.authz import Permission, requires
from learning.reports import services
from learning.reports.pages import audit
from learning.web import db, id_arg

bp = Blueprint("people_search", __name__, template_folder="../templates")


@bp.route("/reports/people")
@requires(Permission.REPORTS_VIEW)
def find():
    query = (request.args.get("q") or "").strip()[: search.MAX_QUERY]
    sort = request.args.get("sort", "name")
    if sort not in search.SORTS:
        sort = "name"
    found = None
    if query:
        scope = services.scope_of(db(), current_user)
        found = search.search(db(), query, scope.departments, sort, request.args.get("page", 1, type=id_arg) or 1)
        audit(None, {"report": "people_search", "q": query, "page": found.page})
    return render_template("reports/people_search.html", query=query, sort=sort, found=found)
