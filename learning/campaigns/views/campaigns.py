"""Campaigns for the compliance office: create, review, launch; read-only for internal audit."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from learning import clock
from learning.accounts import search
from learning.accounts.models import User
from learning.audit.services import record
from learning.authz import Permission, requires
from learning.campaigns import amendments, extensions, lifecycle, pledge_assignments, services
from learning.campaigns.forms import AmendmentForm, ExemptionForm, PersonSearchForm
from learning.campaigns.models import Campaign
from learning.campaigns.pages import as_draft, campaign_form, get_campaign, mark_problems, render_campaign, today
from learning.campaigns.periods import end_of_day, tokyo_date
from learning.training import services as training
from learning.training.models import Assignment
from learning.training.services import my_assignments
from learning.web import creates_once, db, id_arg, refuse, refused

bp = Blueprint("campaigns", __name__, template_folder="../templates")


@bp.route("/campaigns")
@requires(Permission.CAMPAIGNS_READ)
def index():
    campaigns = db().scalars(select(Campaign).order_by(Campaign.id.desc())).all()
    counts = dict(
        db()
        .execute(
            select(Assignment.campaign_id, func.count())
            .where(Assignment.campaign_id.is_not(None))
            .group_by(Assignment.campaign_id)
        )
        .all()
    )
    return render_template("campaigns/index.html", campaigns=campaigns, counts=counts)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def create():
    """A new draft; also where a copy's form (lifecycle.copy) is sent, with the campaign it copies."""
    form = campaign_form()
    if form.validate_on_submit():
        copy_of = form.copy_of.data if form.copy_of.data and db().get(Campaign, form.copy_of.data) else None
        try:
            campaign = services.create_campaign(db(), as_draft(form), current_user.id, today(), copy_of)
        except services.CampaignInvalid as exc:
            refused()
            mark_problems(form, exc.problems)
        else:
            flash(_("The campaign has been saved as a draft. Check it, then launch it."), "success")
            return redirect(url_for(".show", campaign_id=campaign.id))
    status = 400 if form.is_submitted() else 200
    return render_template("campaigns/new.html", form=form), status


@bp.route("/campaigns/<int:campaign_id>")
@requires(Permission.CAMPAIGNS_READ)
def show(campaign_id: int):
    return render_campaign(get_campaign(campaign_id))


@bp.route("/campaigns/<int:campaign_id>/launch", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
def launch(campaign_id: int):
    get_campaign(campaign_id)
    try:
        created = lifecycle.launch_draft(db(), campaign_id, current_user.id, today())
    except lifecycle.LifecycleError as exc:
        flash(refuse(exc), "warning" if exc.code == "already_launched" else "error")
    else:
        flash(_("Launched: %(n)d assignments created.", n=created), "success")
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/people")
@requires(Permission.CAMPAIGNS_READ)
def person():
    """One person's assignments, to check them or grant an exemption."""
    form = PersonSearchForm(request.args)
    user = assignments = found = None
    if request.args and form.validate():
        user = search.by_number(db(), form.q.data)
        if user is None:  # not an employee number: a search (the whole organisation, as the office reads it)
            sort = request.args.get("sort", "name")
            found = search.search(db(), form.q.data, None, sort, request.args.get("page", 1, type=id_arg) or 1)
            if found.total == 1:
                user, found = found.people[0][0], None
        if user is None and not found.total:
            form.q.errors = [_("No one matches “%(q)s”.", q=form.q.data.strip())]
        elif user is not None:
            assignments = my_assignments(db(), user.id)
            record(
                db(),
                "report_viewed",
                actor_id=current_user.id,
                target=("user", user.id),
                details={"report": "person_assignments"},
            )
    sources_ = campaign_names_for(assignments or [])
    return render_template(
        "campaigns/person.html",
        form=form,
        found=found if found and found.total else None,
        sort=request.args.get("sort", "name"),
        user=user,
        assignments=assignments,
        sources=sources_,
        exemption=ExemptionForm(),
        amendment=AmendmentForm(),
        corrections=_corrections(assignments or []),
        original_due=extensions.original_due(db(), [a.id for a in assignments or []]),
        pledges=pledge_assignments.of_person(db(), user.id) if user is not None else [],
        pledge_titles=pledge_assignments.pledge_titles(db()) if user is not None else {},
        now=clock.now(),
    )


def _corrections(assignments) -> dict:
    """The latest amendment of each frozen assignment shown, by assignment id."""
    return {a.id: found for a in assignments if a.frozen_at and (found := amendments.current(db(), a.id))}


def campaign_names_for(assignments) -> dict:
    return services.campaign_names(db(), {a.campaign_id for a in assignments if a.campaign_id})


@bp.route("/assignments/<int:assignment_id>/exempt", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def exempt(assignment_id: int):
    assignment = db().get(Assignment, assignment_id) or abort(404)
    user = db().get(User, assignment.user_id)
    form = ExemptionForm()
    if form.validate_on_submit() and form.until.data < tokyo_date(clock.now()):
        form.until.errors = [_("The end date must not be in the past.")]
    if form.errors or not form.is_submitted():
        for field_ in (form.reason, form.until):
            for error in field_.errors:
                flash(f"{field_.label.text}: {error}", "error")
        return redirect(url_for(".person", q=user.employee_no))
    try:
        training.exempt(db(), assignment, form.reason.data.strip(), end_of_day(form.until.data), current_user.id)
    except training.TrainingError as exc:
        flash(refuse(exc), "error")
        return redirect(url_for(".person", q=user.employee_no))
    flash(_("Exemption granted."), "success")
    return redirect(url_for(".person", q=user.employee_no))


@bp.route("/assignments/<int:assignment_id>/amend", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def amend(assignment_id: int):
    """A correction to a closed period's record, with its reason (the record itself never changes)."""
    assignment = db().get(Assignment, assignment_id) or abort(404)
    user = db().get(User, assignment.user_id)
    form = AmendmentForm()
    if not form.validate_on_submit():
        refused()
        for field_ in (form.corrected_status, form.completed_on, form.reason):
            for error in field_.errors:
                flash(f"{field_.label.text}: {error}", "error")
        return redirect(url_for(".person", q=user.employee_no))
    try:
        amendments.amend(
            db(), assignment, form.corrected_status.data, form.reason.data, current_user.id, form.completed_on.data
        )
    except amendments.AmendmentRefused as exc:
        message = refuse(exc)
        field_ = getattr(form, exc.field, None) if exc.field else None
        flash(f"{field_.label.text}: {message}" if field_ is not None else message, "error")
        return redirect(url_for(".person", q=user.employee_no))
    flash(_("The correction is recorded; the closed period's reports show it beside the recorded figure."), "success")
    return redirect(url_for(".person", q=user.employee_no))


@bp.route("/assignments/<int:assignment_id>/exemption/end", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
def end_exemption(assignment_id: int):
    assignment = db().get(Assignment, assignment_id) or abort(404)
    try:
        training.end_exemption(db(), assignment, current_user.id)
    except training.TrainingError as exc:
        flash(refuse(exc), "error")
    else:
        flash(_("Exemption ended."), "success")
    return redirect(url_for(".person", q=db().get(User, assignment.user_id).employee_no))
