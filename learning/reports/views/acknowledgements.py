"""Who has read a notice that asks for acknowledgement: by department (scoped like the completion report),
a department's people, CSV and XLSX with the export heading, and the reminder to those who have not."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from learning.accounts.models import Department
from learning.announcements import reminders
from learning.announcements.models import Notice
from learning.announcements.services import AnnouncementError
from learning.authz import Permission, requires
from learning.i18n import current_locale, pick
from learning.reports import acknowledgements, services
from learning.reports.pages import audit, denied, departments_scope, heading, roots_in_name, table_download
from learning.web import app_settings, db, refuse, security_event

bp = Blueprint("acknowledgements", __name__, template_folder="../templates")


def _notice(notice_id: int) -> Notice:
    notice = db().get(Notice, notice_id)
    if notice is None or not notice.requires_ack or notice.published_at is None:
        abort(404)
    return notice


def _notice_scope(notice: Notice) -> tuple[str, str]:
    until = notice.last_day.isoformat() if notice.last_day else _("until withdrawn")
    shown = f"{notice.first_day.isoformat()} – {until}"
    return _("Notice"), f"{pick(notice.titles)} ({shown})"


@bp.route("/reports/notices")
@requires(Permission.REPORTS_VIEW)
def index():
    return render_template("reports/acknowledgements_index.html", notices=acknowledgements.notices(db()))


@bp.route("/reports/notices/<int:notice_id>")
@bp.route("/reports/notices/<int:notice_id>.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def notice(notice_id: int, fmt: str = "html"):
    found = _notice(notice_id)
    scope = services.scope_of(db(), current_user)
    rows = acknowledgements.by_department(db(), found, scope, current_locale())
    audit(("notice", found.id), {"report": "notice_acknowledgements", "format": fmt})
    lines = heading(_("Acknowledgements by department"), _notice_scope(found), departments_scope(scope.roots))
    if fmt != "html":
        table = acknowledgements.department_table(rows, _, lines)
        return table_download(fmt, table, "acknowledgements", f"notice{found.id}", *roots_in_name(scope.roots))
    total = acknowledgements.organisation_total(rows)
    return render_template(
        "reports/acknowledgements.html",
        notice=found,
        rows=rows,
        total=total,
        rate=acknowledgements.rate,
        heading=lines,
    )


@bp.route("/reports/notices/<int:notice_id>/departments/<int:department_id>")
@bp.route("/reports/notices/<int:notice_id>/departments/<int:department_id>.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def department(notice_id: int, department_id: int, fmt: str = "html"):
    found = _notice(notice_id)
    dept = db().get(Department, department_id)
    if dept is None:
        abort(404)
    scope = services.scope_of(db(), current_user)
    if not scope.allows(dept.id):
        denied("notice_acknowledgements_people", ("department", dept.id))
    people = acknowledgements.people(db(), found, dept.id)
    audit(("department", dept.id), {"report": "notice_acknowledgements_people", "notice": found.id, "format": fmt})
    own = _(
        "%(department)s: its own people, not the departments under it", department=f"{pick(dept.names)} ({dept.code})"
    )
    lines = heading(_("Acknowledgements of a department"), _notice_scope(found), (_("Department"), own))
    names = {d.id: f"{pick(d.names)} ({d.code})" for d in db().scalars(select(Department))}
    if fmt != "html":
        table = acknowledgements.people_table(people, names, _, lines)
        return table_download(fmt, table, "acknowledgements", f"notice{found.id}", dept.code)
    return render_template(
        "reports/acknowledgements_department.html",
        notice=found,
        department=dept,
        people=people,
        names=names,
        heading=lines,
        may_remind=current_user.can(Permission.ANNOUNCEMENTS_REMIND)
        and reminders.may_remind(db(), current_user, dept.id),
    )


@bp.route("/reports/notices/<int:notice_id>/departments/<int:department_id>/remind", methods=["POST"])
@requires(Permission.ANNOUNCEMENTS_REMIND)
def remind(notice_id: int, department_id: int):
    _notice(notice_id)
    if db().get(Department, department_id) is None:
        abort(404)
    try:
        reminder = reminders.send(db(), current_user, notice_id, department_id, app_settings().portal_url)
    except AnnouncementError as error:
        if error.code == "reminder_out_of_scope":
            security_event(error.audit)
            abort(403)
        flash(refuse(error), "error")
    else:
        flash(
            ngettext(
                "A reminder has been sent to %(num)d person who has not acknowledged it.",
                "A reminder has been sent to %(num)d people who have not acknowledged it.",
                reminder.people,
            ),
            "success",
        )
    return redirect(url_for(".department", notice_id=notice_id, department_id=department_id))
