"""IT account administration: HR file uploads with a dry run before applying, and the email outbox.

The admin role sees people and departments, never training results.
"""

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import delete, select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from learning import clock
from learning.accounts import grants, imports, recovery, search
from learning.accounts.errors import AccountError
from learning.accounts.hrfiles import MAX_BYTES, FileProblem, FileRejected
from learning.accounts.models import Department, PendingImport, RoleGrant, User
from learning.accounts.pages import describe
from learning.authz import Permission, requires
from learning.notify.services import outbox_summary
from learning.web import creates_once, db, id_arg, refuse, refused
from learning.web.forms import PortalForm

bp = Blueprint("admin", __name__, template_folder="../templates")
PREVIEW_ROWS = 100


class UploadForm(PortalForm):
    kind = SelectField(
        _l("What the file holds"),
        choices=[
            SelectChoice("roster", _l("Employees (employee_no,name,email,department_code,status,name_kana)")),
            SelectChoice("departments", _l("Departments (code,name_ja,name_en,parent_code,status,merged_into)")),
        ],
    )
    file = FileField(_l("CSV file (UTF-8 or Shift_JIS)"), validators=[FileRequired()])


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
    return render_template(
        "admin/preview.html", plan=plan, pending=pending, preview=PREVIEW_ROWS, departments=_department_names()
    )


def _department_names() -> dict[str, str]:
    """Each department's code → its name in the reader's language, for the dry run's before and after."""
    english = get_locale().language == "en"
    return {d.code: (d.name_en or d.name_ja) if english else d.name_ja for d in db().scalars(select(Department))}


@bp.route("/admin/imports/<int:pending_id>/apply", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
@creates_once()
def apply(pending_id: int):
    pending = db().get(PendingImport, pending_id)
    if pending is None or pending.uploaded_by_id != current_user.id:
        abort(404)
    data = imports.claim(db(), pending)
    if data is None:
        flash(_("This file has already been applied; it was not applied a second time."), "info")
        return redirect(url_for(".upload"))
    try:
        if pending.kind == "departments":
            plan = imports.apply_departments(db(), data, current_user.id)
        else:
            plan = imports.apply_roster(db(), data, current_user.id, invite_joiners=True)
    except FileRejected as exc:  # the system changed since the dry run (a department was removed, say)
        return render_template(
            "admin/upload.html", form=UploadForm(), problems=[describe(p) for p in exc.problems]
        ), 400
    if plan.writes_nothing:
        flash(_("Nothing to change: the file matches what is already in the system."), "info")
    else:
        flash(_("Applied."), "success")
    return render_template("admin/applied.html", plan=plan, filename=pending.filename)


@bp.route("/admin/imports/<int:pending_id>/cancel", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def cancel(pending_id: int):
    db().execute(
        delete(PendingImport).where(
            PendingImport.id == pending_id,
            PendingImport.uploaded_by_id == current_user.id,
            PendingImport.status == "pending",  # an applied one stays: it answers a late second Apply
        )
    )
    flash(_("The upload was discarded; nothing was changed."), "info")
    return redirect(url_for(".upload"))


@bp.route("/admin/outbox")
@requires(Permission.ACCOUNTS_MANAGE)
def outbox_page():
    """Kinds and counts only: which people were reminded of what is a training result, not the admin's."""
    configured = bool(current_app.extensions["settings"].smtp_host)
    return render_template("admin/outbox.html", summary=outbox_summary(db()), configured=configured)


@bp.route("/admin/people")
@requires(Permission.ACCOUNTS_MANAGE)
def people():
    """Finds accounts (name, reading, employee number or email), then one account: status, department, roles;
    mark compromised, reset, ask for and revoke roles. No results."""
    query = (request.args.get("q") or "").strip()[: search.MAX_QUERY]
    user = search.by_number(db(), query) if query else None
    found = None
    if query and user is None:
        sort = request.args.get("sort", "name")
        found = search.search(db(), query, None, sort, request.args.get("page", 1, type=id_arg) or 1)
        if found.total == 1:
            user, found = found.people[0][0], None
    departments = db().scalars(select(Department).order_by(Department.code)).all()
    return render_template(
        "admin/people.html",
        number=query,
        found=found,
        sort=request.args.get("sort", "name"),
        user=user,
        grants=grants.open_grants(db(), user.id) if user else [],
        names=_names(db(), user),
        roles=sorted(grants.GRANTABLE),
        departments=departments,
        not_found=bool(query) and user is None and not (found and found.total),
        today=clock.tokyo_date(clock.now()),
    )


def _names(session, user: User | None) -> dict[int, User]:
    """The people named on an account's grants (who asked, who approved), by id."""
    if user is None:
        return {}
    ids = {i for g in grants.open_grants(session, user.id) for i in (g.granted_by_id, g.approved_by_id) if i}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _person(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _back(user: User):
    return redirect(url_for(".people", q=user.employee_no))


@bp.route("/admin/people/<int:user_id>/compromised", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def compromised(user_id: int):
    user = _person(user_id)
    reset_factor = request.form.get("reset_second_factor") == "1"
    recovery.mark_compromised(db(), user, current_user.id, reset_second_factor=reset_factor)
    flash(
        _(
            "Marked as compromised: the password no longer works and every session has ended. The owner "
            "regains access only with a reset link sent to the address on file or a reset code handed over in person."
        ),
        "success",
    )
    return _back(user)


@bp.route("/admin/people/<int:user_id>/reset-link", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def reset_link(user_id: int):
    user = _person(user_id)
    if recovery.request_reset(db(), user.employee_no, actor_id=current_user.id):
        flash(_("A reset link is on its way to the address on file (it works once, within one hour)."), "success")
    elif not user.email:
        refused()
        flash(_("This account has no email address on file. Hand over a reset code in person instead."), "error")
    else:
        flash(_("A reset link was sent a few minutes ago; it is still valid."), "info")
    return _back(user)


@bp.route("/admin/people/<int:user_id>/reset-code", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def reset_code(user_id: int):
    """Shows a new one-time code once, on this page only (never in a cookie, never stored but as a hash)."""
    user = _person(user_id)
    try:
        code = recovery.issue_code(db(), user, current_user.id)
    except AccountError as exc:
        flash(refuse(exc), "error")
        return _back(user)
    return render_template("admin/reset_code.html", user=user, code=code, hours=24)


def _grant_form_values():
    role = request.form.get("role", "")
    department_id = request.form.get("department", type=id_arg)
    if request.form.get("department") and (department_id is None or db().get(Department, department_id) is None):
        abort(400)  # a department that does not exist (or could not, beyond the range of ids)
    ends_on = None
    if request.form.get("ends_on"):
        try:
            ends_on = date.fromisoformat(request.form["ends_on"])
        except ValueError:
            return role, department_id, None, _("End date: enter a date such as 2027-03-31.")
    return role, department_id, ends_on, None


@bp.route("/admin/people/<int:user_id>/grants", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
@creates_once()
def grant(user_id: int):
    user = _person(user_id)
    role, department_id, ends_on, problem = _grant_form_values()
    if problem:
        refused()
        flash(problem, "error")
        return _back(user)
    try:
        made = grants.request_grant(db(), user, role, department_id, current_user, ends_on)
    except AccountError as exc:
        flash(refuse(exc), "error")
        return _back(user)
    if made.status == "pending":
        flash(
            _(
                "Requested. The role takes effect once a second person (the compliance office or another "
                "administrator) approves it."
            ),
            "success",
        )
    else:
        flash(_("Role granted. The person signs in again to use it."), "success")
    return _back(user)


@bp.route("/admin/grants/<int:grant_id>/revoke", methods=["POST"])
@requires(Permission.ACCOUNTS_MANAGE)
def revoke(grant_id: int):
    found = db().get(RoleGrant, grant_id)
    if found is None:
        abort(404)
    holder = db().get(User, found.user_id)
    try:
        grants.revoke(db(), grant_id, current_user)
    except AccountError as exc:
        flash(refuse(exc), "error")
        return _back(holder)
    flash(_("Role revoked; the person's sessions have ended."), "success")
    return _back(holder)
