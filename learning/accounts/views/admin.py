"""IT account administration: HR file uploads with a dry run before applying, and the email outbox.

The admin role sees people and departments, never training results.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import delete, select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from learning import clock
from learning.accounts import imports, services
from learning.accounts.hrfiles import MAX_BYTES, FileProblem, FileRejected
from learning.accounts.messages import AT_LINE, AT_LINE_AND_COLUMN
from learning.accounts.models import Department, PendingImport, RoleGrant, User
from learning.authz import Permission, Role, requires
from learning.notify.services import outbox
from learning.web import app_settings, creates_once, db, id_arg, refused, translated
from learning.web.forms import PortalForm

bp = Blueprint("admin", __name__, template_folder="../templates")
PREVIEW_ROWS = 100


class UploadForm(PortalForm):
    kind = SelectField(
        _l("What the file holds"),
        choices=[
            SelectChoice("roster", _l("Employees (employee_no,name,email,department_code,status)")),
            SelectChoice("departments", _l("Departments (code,name_ja,name_en,parent_code)")),
        ],
    )
    file = FileField(_l("CSV file (UTF-8 or Shift_JIS)"), validators=[FileRequired()])


def describe(problem: FileProblem) -> str:
    """A file problem in the reader's language, with its line and column."""
    message = translated(problem.template, problem.values)
    if not problem.line:
        return message
    if problem.column:
        return translated(AT_LINE_AND_COLUMN, {"line": problem.line, "column": problem.column, "message": message})
    return translated(AT_LINE, {"line": problem.line, "message": message})


def _plan(kind: str, data: bytes):
    return imports.plan_departments(db(), data)[0] if kind == "departments" else imports.plan_roster(db(), data)[0]


@bp.route("/admin/imports", methods=["GET", "POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("admin/upload.html", form=form), (400 if form.is_submitted() else 200)
    data = form.file.data.read(MAX_BYTES + 1)
    try:
        if len(data) > MAX_BYTES:
            raise FileRejected([FileProblem(0, None, "too_large", {"limit": MAX_BYTES // (1024 * 1024)})])
        plan = _plan(form.kind.data, data)
    except FileRejected as exc:
        return render_template("admin/upload.html", form=form, problems=[describe(p) for p in exc.problems]), 400
    pending = PendingImport(
        kind=form.kind.data,
        filename=(form.file.data.filename or "upload.csv")[:200],
        data=data,
        uploaded_by_id=current_user.id,
        uploaded_at=clock.now(),
    )
    db().add(pending)
    return render_template("admin/preview.html", plan=plan, pending=pending, preview=PREVIEW_ROWS)


@bp.route("/admin/imports/<int:pending_id>/apply", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
@creates_once()
def apply(pending_id: int):
    pending = db().get(PendingImport, pending_id)
    if pending is None or pending.uploaded_by_id != current_user.id:
        abort(404)
    try:
        if pending.kind == "departments":
            plan = imports.apply_departments(db(), pending.data, current_user.id)
        else:
            plan = imports.apply_roster(db(), pending.data, current_user.id, portal_url=app_settings().portal_url)
    except FileRejected as exc:  # the system changed since the dry run (a department was removed, say)
        return render_template(
            "admin/upload.html", form=UploadForm(), problems=[describe(p) for p in exc.problems]
        ), 400
    db().execute(delete(PendingImport).where(PendingImport.id == pending.id))
    if plan.writes_nothing:
        flash(_("Nothing to change: the file matches what is already in the system."), "info")
    else:
        flash(_("Applied."), "success")
    return render_template("admin/applied.html", plan=plan, filename=pending.filename)


@bp.route("/admin/imports/<int:pending_id>/cancel", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def cancel(pending_id: int):
    db().execute(
        delete(PendingImport).where(PendingImport.id == pending_id, PendingImport.uploaded_by_id == current_user.id)
    )
    flash(_("The upload was discarded; nothing was changed."), "info")
    return redirect(url_for(".upload"))


@bp.route("/admin/outbox")
@requires(Permission.ACCOUNTS_MANAGE)
def outbox_page():
    configured = bool(current_app.extensions["settings"].smtp_host)
    return render_template("admin/outbox.html", messages=outbox(db()), configured=configured)


ROLE_CHOICES = [r.value for r in Role if r != Role.LEARNER]


@bp.route("/admin/people")
@requires(Permission.ACCOUNTS_MANAGE)
def people():
    """One account: status, department, roles; mark compromised, grant and revoke roles. No training results."""
    number = (request.args.get("q") or "").strip()[:20]
    user = db().scalar(select(User).where(User.employee_no == number)) if number else None
    grants = (
        db().scalars(select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.revoked_at.is_(None))).all()
        if user
        else []
    )
    departments = db().scalars(select(Department).order_by(Department.code)).all()
    return render_template(
        "admin/people.html",
        number=number,
        user=user,
        grants=grants,
        roles=ROLE_CHOICES,
        departments=departments,
        not_found=bool(number) and user is None,
    )


def _person(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/people/<int:user_id>/compromised", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def compromised(user_id: int):
    user = _person(user_id)
    services.mark_compromised(db(), user, current_user.id)
    flash(
        _("Marked as compromised: every session has ended and a new password is required at the next sign-in."),
        "success",
    )
    return redirect(url_for(".people", q=user.employee_no))


@bp.route("/admin/people/<int:user_id>/grants", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
@creates_once()
def grant(user_id: int):
    user = _person(user_id)
    role = request.form.get("role", "")
    department_id = request.form.get("department", type=id_arg)
    if request.form.get("department") and (department_id is None or db().get(Department, department_id) is None):
        abort(400)  # a department that does not exist (or could not, beyond the range of ids)
    try:
        services.grant_role(db(), user, role, department_id, current_user.id)
    except ValueError as exc:
        refused()
        flash(_("A manager needs the department they head.") if str(exc) == "scope" else _("Unknown role."), "error")
        return redirect(url_for(".people", q=user.employee_no))
    flash(_("Role granted. The person signs in again to use it."), "success")
    return redirect(url_for(".people", q=user.employee_no))


@bp.route("/admin/grants/<int:grant_id>/revoke", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def revoke(grant_id: int):
    found = db().get(RoleGrant, grant_id)
    if found is None or found.revoked_at is not None:
        abort(404)
    services.revoke_grant(db(), found, current_user.id)
    flash(_("Role revoked; the person's sessions have ended."), "success")
    return redirect(url_for(".people", q=db().get(User, found.user_id).employee_no))
