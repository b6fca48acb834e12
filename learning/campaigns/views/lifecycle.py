"""The steps of a campaign's life for the compliance office: edit or delete a draft, copy any campaign, close a
running one early or cancel it, extend its due date. Each refusal says why, on the field it concerns. Every
form carries a one-time token (@creates_once): a double click lands on the first click's result."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning.accounts.models import User
from learning.authz import Permission, requires
from learning.campaigns import extensions, lifecycle, services
from learning.campaigns.forms import ExtensionForm, ReasonForm, RevisionForm
from learning.campaigns.pages import (
    as_draft,
    campaign_form,
    department_choices,
    form_data,
    get_campaign,
    mark_problems,
    readable_days,
    render_campaign,
    today,
)
from learning.web import creates_once, db, refuse, refused

bp = Blueprint("lifecycle", __name__, template_folder="../templates")


def _back(campaign_id: int):
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def edit(campaign_id: int):
    campaign = get_campaign(campaign_id)
    if campaign.status != "draft":
        flash(refuse(lifecycle.LifecycleError("not_a_draft")), "error")
        return _back(campaign_id)
    if request.method == "GET":
        form = campaign_form(data={**form_data(lifecycle.as_draft(campaign)), "revision": campaign.revision})
        return render_template("campaigns/new.html", form=form, campaign=campaign, mode="edit")
    form = campaign_form()
    if form.validate():
        try:
            lifecycle.update_draft(db(), campaign_id, form.revision.data or 0, as_draft(form), current_user.id, today())
        except services.CampaignInvalid as exc:
            refused()
            mark_problems(form, exc.problems)
        except lifecycle.LifecycleError as exc:
            flash(refuse(exc), "error")
            if exc.code == "stale":  # keep what they typed on the page, so it is not lost
                return render_template("campaigns/new.html", form=form, campaign=campaign, mode="edit"), 409
            return _back(campaign_id)
        else:
            flash(_("The draft has been saved."), "success")
            return _back(campaign_id)
    return render_template("campaigns/new.html", form=form, campaign=campaign, mode="edit"), 400


@bp.route("/campaigns/<int:campaign_id>/delete", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def delete(campaign_id: int):
    get_campaign(campaign_id)
    form = RevisionForm()
    if not form.validate():
        flash(refuse(lifecycle.LifecycleError("stale")), "error")
        return _back(campaign_id)
    try:
        lifecycle.delete_draft(db(), campaign_id, form.revision.data, current_user.id)
    except lifecycle.LifecycleError as exc:
        flash(refuse(exc), "error")
        return _back(campaign_id)
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("campaigns.index"))


@bp.route("/campaigns/<int:campaign_id>/copy")
@requires(Permission.CAMPAIGNS_MANAGE)
def copy(campaign_id: int):
    """The new-campaign form filled in from this campaign, a period later; saving it makes a new draft."""
    campaign = get_campaign(campaign_id)
    proposal = lifecycle.copy_proposal(campaign, today())
    form = campaign_form(data={**form_data(proposal), "copy_of": campaign.id})
    return render_template("campaigns/new.html", form=form, campaign=campaign, mode="copy")


def _end(campaign_id: int, step, action: str, done):
    campaign = get_campaign(campaign_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            result = step(db(), campaign_id, form.reason.data, current_user.id)
        except lifecycle.LifecycleError as exc:
            message = refuse(exc)
            if exc.field != "reason":
                flash(message, "error")
                return _back(campaign_id)
            form.reason.errors = [message]
        else:
            flash(done(result or 0), "success")
            return _back(campaign_id)
    refused()
    return render_campaign(campaign, 400, ending=form, ending_action=action)


@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def close(campaign_id: int):
    return _end(
        campaign_id, lifecycle.close_early, "close", lambda _n: _("The campaign is closed; its records are frozen.")
    )


@bp.route("/campaigns/<int:campaign_id>/cancel", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def cancel(campaign_id: int):
    return _end(
        campaign_id,
        lifecycle.cancel,
        "cancel",
        lambda n: _("The campaign is cancelled: %(n)d open assignments withdrawn; completed ones are kept.", n=n),
    )


@bp.route("/campaigns/<int:campaign_id>/extend", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def extend(campaign_id: int):
    campaign = get_campaign(campaign_id)
    form = ExtensionForm()
    form.department.choices = [("", "—"), *department_choices()]
    if form.validate_on_submit():
        user_id = None
        if form.scope.data == "person" and form.employee_no.data.strip():
            user_id = db().scalar(select(User.id).where(User.employee_no == form.employee_no.data.strip()))
            if user_id is None:
                exc = lifecycle.LifecycleError(
                    "extension_person_unknown", field="employee_no", no=form.employee_no.data.strip()
                )
                form.employee_no.errors = [refuse(exc)]
        if not form.errors:
            try:
                extension = extensions.extend(
                    db(),
                    campaign_id,
                    form.scope.data,
                    form.due_on.data,
                    form.reason.data,
                    current_user.id,
                    user_id=user_id,
                    department_id=form.department.data,
                )
            except lifecycle.LifecycleError as exc:
                message = refuse(readable_days(exc))
                field_ = getattr(form, exc.field or "", None)
                if field_ is None:
                    flash(message, "error")
                    return _back(campaign_id)
                field_.errors = [*field_.errors, message]
            else:
                flash(_("Due date extended for %(n)d assignments.", n=extension.assignments), "success")
                return _back(campaign_id)
    refused()
    return render_campaign(campaign, 400, extension=form)
