"""Compliance's pledge pages: the list, a new pledge, a draft edited, review and approval by a second
officer (four eyes), and the cases that signatures opened."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning.accounts.models import User
from learning.authz import Permission, requires
from learning.pledges import services
from learning.pledges.forms import DraftForm, NewPledgeForm, SendBackForm
from learning.pledges.models import PledgeVersion
from learning.pledges.pages import case_reason, pledge_or_404, status_label, version_or_404
from learning.web import creates_once, db, refuse

bp = Blueprint("pledges", __name__, template_folder="../templates")


@bp.app_template_global()
def pledge_status(status: str) -> str:
    return status_label(status)


@bp.app_template_global()
def pledge_case_reason(reason: str) -> str:
    return case_reason(reason)


def _field_error(form, exc: services.PledgeError) -> None:
    message = refuse(exc)
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [message]
    else:
        flash(message, "error")


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(db().execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


@bp.route("/admin/pledges")
@requires(Permission.PLEDGES_MANAGE)
def index():
    return render_template("pledges/index.html", rows=services.overview(db()))


@bp.route("/admin/pledges/new", methods=["GET", "POST"])
@requires(Permission.PLEDGES_MANAGE)
@creates_once()
def new():
    form = NewPledgeForm()
    if form.validate_on_submit():
        try:
            version = services.new_pledge(
                db(), form.slug.data, {"ja": form.title_ja.data, "en": form.title_en.data}, current_user.id
            )
        except services.PledgeError as exc:
            _field_error(form, exc)
        else:
            return redirect(url_for(".edit", version_id=version.id))
    status = 400 if request.method == "POST" else 200
    return render_template("pledges/new.html", form=form), status


@bp.route("/admin/pledges/<int:pledge_id>")
@requires(Permission.PLEDGES_MANAGE)
def pledge(pledge_id: int):
    found = pledge_or_404(pledge_id)
    versions = services.versions_of(db(), found.id)
    return render_template(
        "pledges/pledge.html",
        pledge=found,
        versions=versions,
        in_works=next((v for v in versions if v.status in ("draft", "review")), None),
        names=_names(i for v in versions for i in (v.edited_by_id, v.submitted_by_id, v.approved_by_id)),
    )


@bp.route("/admin/pledges/<int:pledge_id>/draft", methods=["POST"])
@requires(Permission.PLEDGES_MANAGE)
@creates_once()
def start_draft(pledge_id: int):
    found = pledge_or_404(pledge_id)
    try:
        version = services.start_draft(db(), found.id, current_user.id)
    except services.PledgeError as exc:
        flash(refuse(exc), "error")
        return redirect(url_for(".pledge", pledge_id=found.id))
    return redirect(url_for(".edit", version_id=version.id))


@bp.route("/admin/pledges/versions/<int:version_id>")
@requires(Permission.PLEDGES_MANAGE)
def version(version_id: int):
    return _version_page(version_or_404(version_id), SendBackForm())


def _version_page(found: PledgeVersion, send_back: SendBackForm, status: int = 200):
    return render_template(
        "pledges/version.html",
        version=found,
        send_back=send_back,
        own=services.is_own(found, current_user.id),
        names=_names((found.edited_by_id, found.submitted_by_id, found.approved_by_id)),
    ), status


@bp.route("/admin/pledges/versions/<int:version_id>/edit", methods=["GET", "POST"])
@requires(Permission.PLEDGES_MANAGE)
def edit(version_id: int):
    found = version_or_404(version_id)
    if found.status != "draft":
        return redirect(url_for(".version", version_id=found.id))
    if request.method == "GET":
        form = DraftForm(
            obj=found,
            **{
                f"{kind}s_{lang}": services.parts_text(found, kind, lang)
                for kind in ("clause", "declaration")
                for lang in ("ja", "en")
            },
        )
    else:
        form = DraftForm()
    if form.validate_on_submit():
        given = services.DraftInput(
            {"ja": form.title_ja.data, "en": form.title_en.data},
            {"ja": form.intro_ja.data or "", "en": form.intro_en.data or ""},
            {"ja": form.clauses_ja.data or "", "en": form.clauses_en.data or ""},
            {"ja": form.declarations_ja.data or "", "en": form.declarations_en.data or ""},
        )
        try:
            services.save_draft(db(), found.id, given, current_user.id)
        except services.PledgeError as exc:
            _field_error(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".edit", version_id=found.id))
    status = 400 if request.method == "POST" else 200
    return render_template("pledges/edit.html", version=found, form=form), status


@bp.route("/admin/pledges/versions/<int:version_id>/submit", methods=["POST"])
@requires(Permission.PLEDGES_MANAGE)
def submit(version_id: int):
    found = version_or_404(version_id)
    try:
        services.submit(db(), found.id, current_user.id)
    except services.PledgeError as exc:
        flash(refuse(exc), "error")
        return redirect(url_for(".edit", version_id=found.id))
    flash(_("Sent for review. Another compliance officer approves it."), "success")
    return redirect(url_for(".version", version_id=found.id))


@bp.route("/admin/pledges/versions/<int:version_id>/decision", methods=["POST"])
@requires(Permission.PLEDGES_MANAGE)
def decide(version_id: int):
    found = version_or_404(version_id)
    form = SendBackForm()
    if request.form.get("decision") == "approve":
        try:
            services.approve(db(), found.id, current_user.id)
        except services.PledgeError as exc:
            flash(refuse(exc), "error")
        else:
            flash(_("Published."), "success")
        return redirect(url_for(".version", version_id=found.id))
    if form.validate_on_submit():
        try:
            services.send_back(db(), found.id, current_user.id, form.comments.data)
        except services.PledgeError as exc:
            flash(refuse(exc), "error")
        else:
            flash(_("Sent back to its author with your comments."), "success")
        return redirect(url_for(".version", version_id=found.id))
    return _version_page(found, form, 400)


@bp.route("/admin/pledges/cases")
@requires(Permission.PLEDGES_MANAGE)
def cases():
    status = "closed" if request.args.get("status") == "closed" else "open"
    rows = services.cases(db(), status)
    people = {u.id: u for u in db().scalars(select(User).where(User.id.in_({c.signature.user_id for c in rows})))}
    return render_template("pledges/cases.html", rows=rows, people=people, status=status)


@bp.route("/admin/pledges/cases/<int:case_id>/close", methods=["POST"])
@requires(Permission.PLEDGES_MANAGE)
def close_case(case_id: int):
    try:
        services.close_case(db(), case_id, current_user.id)
    except services.PledgeError as exc:
        flash(refuse(exc), "error")
    else:
        flash(_("Case closed."), "success")
    return redirect(url_for(".cases"))
