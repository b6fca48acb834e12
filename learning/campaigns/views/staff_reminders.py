"""A department head's reminder to their own not-finished staff, sent from the department report.

No one-time form token: the database's one-per-day key is the guard, and a second click (a double click
included) is told when the reminder went."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import ngettext
from flask_login import current_user

from learning.authz import Permission, requires
from learning.campaigns import staff_reminders
from learning.campaigns.models import Campaign
from learning.web import app_settings, db, refuse, security_event

bp = Blueprint("staff_reminders", __name__, template_folder="../templates")


@bp.route("/reports/campaigns/<int:campaign_id>/departments/<int:department_id>/remind", methods=["POST"])
@requires(Permission.STAFF_REMIND)
def remind(campaign_id: int, department_id: int):
    if db().get(Campaign, campaign_id) is None:
        abort(404)
    try:
        reminder = staff_reminders.send(db(), current_user.id, campaign_id, department_id, app_settings().portal_url)
    except staff_reminders.StaffReminderError as error:
        if error.code == "reminder_out_of_scope":  # as the report answers a department outside the scope
            security_event(error.audit)
            abort(403)
        flash(refuse(error), "error")
    else:
        flash(
            ngettext(
                "A reminder has been sent to %(num)d person who has not finished.",
                "A reminder has been sent to %(num)d people who have not finished.",
                reminder.people,
            ),
            "success",
        )
    return redirect(url_for("reports.department", campaign_id=campaign_id, department_id=department_id))
