"""A reader's side: the notices shown to them, one notice, and "I have read this"."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning import clock
from learning.announcements import services
from learning.announcements.models import Notice
from learning.authz import Permission, requires
from learning.web import db, refuse

bp = Blueprint("notices", __name__, template_folder="../templates")


@bp.route("/notices")
@requires(Permission.LEARN)
def index():
    return render_template("announcements/index.html", current=services.current_for(db(), current_user, clock.now()))


@bp.route("/notices/<int:notice_id>")
@requires(Permission.LEARN)
def show(notice_id: int):
    notice = db().get(Notice, notice_id)
    if notice is None or not services.shown_to(db(), current_user, notice_id, clock.now()):
        abort(404)  # not published, out of its window or not addressed to this person: as if it did not exist
    receipt = services.opened(db(), current_user, notice_id)
    return render_template("announcements/show.html", notice=notice, receipt=receipt)


@bp.route("/notices/<int:notice_id>/acknowledge", methods=["POST"])
@requires(Permission.LEARN)
def acknowledge(notice_id: int):
    if db().get(Notice, notice_id) is None:
        abort(404)
    try:
        services.acknowledge(db(), current_user, notice_id)
    except services.AnnouncementError as error:
        if error.code == "not_shown":
            abort(404)
        flash(refuse(error), "error")
    else:
        flash(_("Thank you: your confirmation that you have read it is recorded."), "success")
    return redirect(url_for(".show", notice_id=notice_id))
