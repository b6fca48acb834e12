"""A person's pledge assignment exempted by the compliance office, with the reason (from the people page)."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning.accounts.models import User
from learning.authz import Permission, requires
from learning.campaigns import pledge_assignments
from learning.campaigns.forms import PledgeExemptionForm
from learning.campaigns.pledge_models import PledgeAssignment
from learning.web import creates_once, db, refuse, refused

bp = Blueprint("campaign_pledges", __name__, template_folder="../templates")


@bp.route("/pledge-assignments/<int:pledge_assignment_id>/exempt", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def exempt(pledge_assignment_id: int):
    found = db().get(PledgeAssignment, pledge_assignment_id) or abort(404)
    back = url_for("campaigns.person", q=db().get(User, found.user_id).employee_no)
    form = PledgeExemptionForm()
    if not form.validate_on_submit():
        refused()
        for error in form.reason.errors:
            flash(f"{form.reason.label.text}: {error}", "error")
        return redirect(back)
    try:
        pledge_assignments.exempt(db(), found.id, form.reason.data, current_user.id)
    except pledge_assignments.PledgeAssignmentError as exc:
        flash(refuse(exc), "error")
        return redirect(back)
    flash(_("Exempted from signing this pledge in this campaign."), "success")
    return redirect(back)
