"""Separation of duties at work: approving privileged grants, and access reviews (棚卸し) to decide."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning import clock
from learning.accounts import grants, reviews
from learning.accounts.contractor_models import ContractorContract
from learning.accounts.errors import AccountError
from learning.accounts.models import AccessReview, Department, RoleGrant, User
from learning.authz import Permission, requires
from learning.web import app_settings, creates_once, db, refuse, refused

bp = Blueprint("access", __name__, template_folder="../templates")
DEFAULT_DORMANT_DAYS = 90


def _people(ids) -> dict[int, User]:
    ids = {i for i in ids if i}
    return {u.id: u for u in db().scalars(select(User).where(User.id.in_(ids)))} if ids else {}


@bp.route("/access/approvals")
@requires(Permission.ACCESS_APPROVE)
def approvals():
    pending = grants.pending_grants(db())
    departments = {d.id: d for d in db().scalars(select(Department))}
    people = _people([i for g in pending for i in (g.user_id, g.granted_by_id)])
    return render_template("access/approvals.html", pending=pending, people=people, departments=departments)


@bp.route("/access/approvals/<int:grant_id>/<any(approve, reject):action>", methods=["POST"])
@requires(Permission.ACCESS_APPROVE)
def decide_grant(grant_id: int, action: str):
    if db().get(RoleGrant, grant_id) is None:
        abort(404)
    try:
        if action == "approve":
            grants.approve(db(), grant_id, current_user)
            flash(_("Approved. The role is in force from the person's next sign-in."), "success")
        else:
            grants.reject(db(), grant_id, current_user)
            flash(_("Rejected. The role was not given."), "success")
    except AccountError as exc:
        flash(refuse(exc), "error")
    return redirect(url_for(".approvals"))


@bp.route("/access/reviews", methods=["GET", "POST"])
@requires(Permission.ACCESS_REVIEW_MANAGE)
@creates_once()
def manage_reviews():
    """Open an access review; see the progress of each."""
    problem = None
    if request.method == "POST":
        title = (request.form.get("title") or "").strip()
        try:
            due_on = date.fromisoformat(request.form.get("due_on") or "")
        except ValueError:
            due_on = None
        days = request.form.get("dormant_days", type=int)
        if not title:
            problem = _("Title: enter a title, such as “FY2026 first-half access review”.")
        elif due_on is None:
            problem = _("Due date: enter a date such as 2027-01-31.")
        elif days is None or not 7 <= days <= 3650:
            problem = _("Dormant after: enter a number of days from 7 to 3650.")
        else:
            try:
                review = reviews.open_review(db(), current_user, title, due_on, days, app_settings().portal_url)
            except AccountError as exc:
                problem = refuse(exc)
            else:
                flash(_("The review is open; reviewers have been notified by email."), "success")
                return redirect(url_for("access_register.review", review_id=review.id))
        refused()
    found = db().scalars(select(AccessReview).order_by(AccessReview.id.desc())).all()
    progress = {r.id: reviews.progress(db(), r.id) for r in found}
    page = render_template(
        "access/reviews.html",
        reviews=found,
        progress=progress,
        problem=problem,
        today=clock.tokyo_date(clock.now()),
        dormant_days=DEFAULT_DORMANT_DAYS,
    )
    return page, 400 if problem else 200


@bp.route("/access/review")
@requires(Permission.SELF)
def my_items():
    """What this person has to decide in open access reviews (department heads, the compliance office)."""
    items = reviews.items_for(db(), current_user)
    grants_by_id = {
        g.id: g
        for g in db().scalars(select(RoleGrant).where(RoleGrant.id.in_([i.grant_id for i in items if i.grant_id])))
    }
    people = _people(
        [i.user_id for i in items]
        + [g.granted_by_id for g in grants_by_id.values()]
        + [g.approved_by_id for g in grants_by_id.values()]
    )
    departments = {d.id: d for d in db().scalars(select(Department))}
    found = {r.id: r for r in db().scalars(select(AccessReview).where(AccessReview.closed_at.is_(None)))}
    contract_ids = {people[i.user_id].contract_id for i in items if i.kind == "contractor"}
    contracts = (
        {k.id: k for k in db().scalars(select(ContractorContract).where(ContractorContract.id.in_(contract_ids)))}
        if contract_ids
        else {}
    )
    return render_template(
        "access/my_items.html",
        items=items,
        grants=grants_by_id,
        people=people,
        departments=departments,
        reviews=found,
        contracts=contracts,
    )


@bp.route("/access/review/items/<int:item_id>/<any(confirmed, revoked):decision>", methods=["POST"])
@requires(Permission.SELF)
def decide_item(item_id: int, decision: str):
    try:
        item = reviews.decide(db(), item_id, current_user, decision)
    except AccountError as exc:
        flash(refuse(exc), "error")
    else:
        if decision == "confirmed":
            flash(_("Confirmed."), "success")
        elif item.kind == "contractor":
            flash(_("The contractor's access has ended; their sessions have ended."), "success")
        else:
            flash(_("Revoked; the person's sessions have ended."), "success")
    return redirect(url_for(".my_items"))
