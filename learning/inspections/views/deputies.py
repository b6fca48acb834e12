"""A department's head names deputies for its self-inspections (from the department's own people, found with
the people search, through a last day) and removes them. Heads only: a manager grant scoped to the department
(the service checks it is theirs; a deputy heads nothing and names nobody)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning import clock
from learning.accounts import search
from learning.accounts.models import User
from learning.authz import Permission, requires
from learning.inspections import rounds, services
from learning.web import creates_once, db, refuse

bp = Blueprint("inspection_deputies", __name__, template_folder="../templates")


def _page(status: int = 200, errors: dict | None = None):
    session = db()
    departments = rounds.headed_departments(session, current_user.id)
    if not departments:
        abort(404)
    ids = {d.id for d in departments}
    chosen = request.values.get("department", "")
    department = next((d for d in departments if str(d.id) == chosen), departments[0])
    deputies = rounds.deputies_of(session, ids)
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_({d.deputy_id for d in deputies} or {0})))}
    typed = request.values.get("q", "")
    found = search.search(session, typed, rounds.people_of(session, department.id)) if typed.strip() else None
    today = clock.tokyo_date(clock.now())
    return render_template(
        "inspections/deputies.html",
        departments=departments,
        department=department,
        deputies=deputies,
        people=people,
        typed=typed,
        found=found,
        today=today,
        last_day=today + rounds.MAX_DELEGATION - timedelta(days=1),
        errors=errors or {},
    ), status


@bp.route("/inspections/deputies")
@requires(Permission.INSPECTIONS_DELEGATE)
def deputies():
    return _page()


@bp.route("/inspections/deputies", methods=["POST"])
@requires(Permission.INSPECTIONS_DELEGATE)
@creates_once()
def name_deputy():
    department_id, deputy_id = request.form.get("department", ""), request.form.get("deputy", "")
    try:
        ends_on = date.fromisoformat(request.form.get("ends_on", ""))
    except ValueError:
        return _page(400, {"ends_on": _("Give the last day as a date (YYYY-MM-DD).")})
    try:
        rounds.delegate(
            db(),
            int(department_id) if department_id.isdigit() else 0,
            int(deputy_id) if deputy_id.isdigit() else 0,
            current_user.id,
            ends_on,
        )
    except services.InspectionError as exc:
        return _page(403 if exc.code == "not_head" else 400, {exc.field or "form": refuse(exc)})
    flash(_("The deputy is named: they answer this department's inspections until the day you gave."), "success")
    return redirect(url_for(".deputies", department=department_id), 303)


@bp.route("/inspections/deputies/<int:delegation_id>/remove", methods=["POST"])
@requires(Permission.INSPECTIONS_DELEGATE)
def remove_deputy(delegation_id: int):
    try:
        row = rounds.remove_deputy(db(), delegation_id, current_user.id)
    except services.InspectionError:
        abort(404)
    flash(_("The deputy is removed."), "success")
    return redirect(url_for(".deputies", department=row.department_id), 303)
