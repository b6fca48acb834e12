"""The compliance office's notices: list, write, send for review, approve (a second person), publish, withdraw."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from learning import clock
from learning.accounts.models import Department, User
from learning.accounts.tree import ordered, parent_map
from learning.announcements import services
from learning.announcements.forms import NoticeForm, StepForm
from learning.announcements.messages import REMOVED
from learning.announcements.models import Notice
from learning.authz import Permission, requires
from learning.courses.markdown import removed_markup
from learning.i18n import pick
from learning.web import creates_once, db, refuse

bp = Blueprint("notice_admin", __name__, template_folder="../templates")


@bp.route("/admin/notices")
@requires(Permission.ANNOUNCEMENTS_MANAGE)
def index():
    notices = db().scalars(
        select(Notice).options(selectinload(Notice.departments)).order_by(Notice.created_at.desc(), Notice.id.desc())
    )
    return render_template("announcements/admin_index.html", notices=list(notices), names=_department_names())


def _department_names() -> dict[int, str]:
    return {d.id: f"{pick(d.names)} ({d.code})" for d in db().scalars(select(Department))}


def _department_choices() -> list[SelectChoice]:
    """Active departments, parents first, indented: a company is a department at the top."""
    departments = {d.id: d for d in db().scalars(select(Department).where(Department.status == "active"))}
    parents = {i: p for i, p in parent_map(db()).items() if i in departments}
    return [
        SelectChoice(d, "\u3000" * depth + f"{pick(departments[d].names)} ({departments[d].code})")
        for d, depth in ordered(parents, None, lambda d: departments[d].code)
    ]


def _form(notice: Notice | None) -> NoticeForm:
    form = NoticeForm(obj=notice) if notice and request.method == "GET" else NoticeForm()
    form.departments.choices = _department_choices()
    if notice and request.method == "GET":
        form.audience.data = "all" if notice.everyone else "selected"
        form.departments.data = [d.department_id for d in notice.departments]
        form.first_day.data, form.last_day.data = notice.first_day, notice.last_day
        form.revision.data = notice.revision
    elif request.method == "GET":
        form.first_day.data = clock.tokyo_date(clock.now())
    return form


def _draft(form: NoticeForm) -> services.NoticeDraft:
    return services.NoticeDraft(
        kind=form.kind.data,
        sender_ja=form.sender_ja.data or "",
        sender_en=form.sender_en.data or "",
        title_ja=form.title_ja.data or "",
        title_en=form.title_en.data or "",
        body_ja=form.body_ja.data or "",
        body_en=form.body_en.data or "",
        everyone=form.audience.data != "selected",
        departments=tuple(form.departments.data or ()),
        first_day=form.first_day.data,
        last_day=form.last_day.data,
        pinned=bool(form.pinned.data),
        requires_ack=bool(form.requires_ack.data),
        heads_only=bool(form.heads_only.data),
    )


def _tell_what_was_removed(form: NoticeForm) -> None:
    """Sanitising keeps scripts and the like from readers; the author is told which field lost something."""
    for field in (form.body_ja, form.body_en):
        if removed_markup(field.data or ""):
            flash(_(REMOVED, field=field.label.text), "warning")


@bp.route("/admin/notices/new", methods=["GET", "POST"])
@bp.route("/admin/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@requires(Permission.ANNOUNCEMENTS_MANAGE)
@creates_once()
def edit(notice_id: int | None = None):
    notice = db().get(Notice, notice_id) if notice_id else None
    if notice_id and notice is None:
        abort(404)
    form = _form(notice)
    if notice is not None and notice.status != "draft":
        return _page(notice, form)
    if form.validate_on_submit():
        try:
            if notice is None:
                saved = services.create(db(), _draft(form), current_user.id)
            else:
                saved = services.edit(db(), notice.id, form.revision.data or 0, _draft(form), current_user.id)
        except services.AnnouncementError as error:
            field = getattr(form, error.field, None) if error.field else None
            if field is None:
                flash(refuse(error), "error")
            else:
                field.errors = [*field.errors, refuse(error)]
        else:
            _tell_what_was_removed(form)
            flash(_("The notice has been saved."), "success")
            return redirect(url_for(".edit", notice_id=saved.id))
    return _page(notice, form), 400 if form.errors or request.method == "POST" else 200


def _page(notice: Notice | None, form: NoticeForm):
    people = {}
    if notice is not None:
        ids = {
            notice.created_by_id,
            notice.edited_by_id,
            notice.submitted_by_id,
            notice.approved_by_id,
            notice.published_by_id,
            notice.withdrawn_by_id,
        } - {None}
        people = {u.id: u for u in db().scalars(select(User).where(User.id.in_(ids)))}
    return render_template(
        "announcements/edit.html",
        notice=notice,
        form=form,
        people=people,
        names=_department_names() if notice is not None else {},
        step_form=StepForm(),
        removed={f: removed_markup(getattr(notice, f)) for f in ("body_ja", "body_en")} if notice else {},
    )


STEPS = {
    "submit": services.submit,
    "send_back": services.send_back,
    "approve": services.approve,
    "publish": services.publish,
    "withdraw": services.withdraw,
}


@bp.route("/admin/notices/<int:notice_id>/<any(submit, send_back, approve, publish, withdraw):step>", methods=["POST"])
@requires(Permission.ANNOUNCEMENTS_MANAGE)
def change(notice_id: int, step: str):
    if db().get(Notice, notice_id) is None:
        abort(404)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    action = STEPS[step]
    try:
        action(db(), notice_id, form.revision.data, current_user.id)
    except services.AnnouncementError as error:
        flash(refuse(error), "error")
    else:
        flash(_done_message(step), "success")
    return redirect(url_for(".edit", notice_id=notice_id))


def _done_message(step: str) -> str:
    return {
        "submit": _("The notice has been sent to a second compliance officer for review."),
        "send_back": _("The notice is a draft again."),
        "approve": _("Approved: the notice is published."),
        "publish": _("The notice is published."),
        "withdraw": _("The notice has been withdrawn from every home page."),
    }[step]
