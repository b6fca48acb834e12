"""Compliance's checklist pages: the list, a new template, a draft edited item by item, review with the
changes against the published version, approval or send-back by a second officer, and a preview as a
department head will see it. Internal audit reads every page and changes nothing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning.accounts.models import User
from learning.authz import Permission, requires
from learning.inspections import diff, services
from learning.inspections.forms import HeaderForm, ItemForm, NewTemplateForm, SendBackForm
from learning.inspections.messages import ANSWER_LABELS
from learning.inspections.models import InspectionVersion
from learning.inspections.pages import guidance_html, status_label, template_or_404, version_or_404
from learning.web import creates_once, db, refuse

bp = Blueprint("inspections", __name__, template_folder="../templates")


@bp.app_template_global()
def inspection_status(status: str) -> str:
    return status_label(status)


@bp.route("/admin/inspections")
@requires(Permission.INSPECTIONS_READ)
def index():
    return render_template("inspections/index.html", rows=services.overview(db()))


@bp.route("/admin/inspections/new", methods=["GET", "POST"])
@requires(Permission.INSPECTIONS_MANAGE)
@creates_once()
def new():
    form = NewTemplateForm()
    if form.validate_on_submit():
        title = {"ja": form.title_ja.data, "en": form.title_en.data}
        try:
            version = services.new_template(db(), form.slug.data, title, current_user.id)
        except services.InspectionError as exc:
            _field_error(form, exc)
        else:
            return redirect(url_for(".edit", version_id=version.id))
    status = 400 if request.method == "POST" else 200
    return render_template("inspections/new.html", form=form), status


def _field_error(form, exc: services.InspectionError) -> None:
    message = refuse(exc)
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [message]
    else:
        flash(message, "error")


@bp.route("/admin/inspections/<int:template_id>")
@requires(Permission.INSPECTIONS_READ)
def template(template_id: int):
    found = template_or_404(template_id)
    versions = services.versions_of(db(), found.id)
    return render_template(
        "inspections/template.html",
        template=found,
        versions=versions,
        in_works=next((v for v in versions if v.status in ("draft", "review")), None),
        names=_names(versions),
    )


def _names(versions: list[InspectionVersion]) -> dict[int, str]:
    ids = {i for v in versions for i in (v.edited_by_id, v.submitted_by_id, v.approved_by_id) if i}
    return dict(db().execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


@bp.route("/admin/inspections/<int:template_id>/draft", methods=["POST"])
@requires(Permission.INSPECTIONS_MANAGE)
@creates_once()
def start_draft(template_id: int):
    found = template_or_404(template_id)
    try:
        version = services.start_draft(db(), found.id, current_user.id)
    except services.InspectionError as exc:
        flash(refuse(exc), "error")
        return redirect(url_for(".template", template_id=found.id))
    return redirect(url_for(".edit", version_id=version.id))


def _compared(version: InspectionVersion) -> InspectionVersion | None:
    """What a version is compared with: the published one for a draft or review, the one before otherwise."""
    if version.status in ("draft", "review"):
        return services.published(db(), version.template_id)
    return db().scalar(
        select(InspectionVersion)
        .where(InspectionVersion.template_id == version.template_id, InspectionVersion.version < version.version)
        .order_by(InspectionVersion.version.desc())
        .limit(1)
    )


@bp.route("/admin/inspections/versions/<int:version_id>")
@requires(Permission.INSPECTIONS_READ)
def version(version_id: int):
    return _version_page(version_or_404(version_id), SendBackForm())


def _version_page(found: InspectionVersion, send_back: SendBackForm, status: int = 200):
    base = _compared(found)
    new_spec = services.spec_of(found)
    old_spec = services.spec_of(base) if base else None
    return render_template(
        "inspections/version.html",
        version=found,
        base=base,
        header=diff.header_changes(new_spec, old_spec),
        changes=diff.item_changes(new_spec, old_spec),
        send_back=send_back,
        own=services.is_own(found, current_user.id),
        names=_names([found]),
    ), status


@bp.route("/admin/inspections/versions/<int:version_id>/edit", methods=["GET", "POST"])
@requires(Permission.INSPECTIONS_MANAGE)
def edit(version_id: int):
    found = version_or_404(version_id)
    if found.status != "draft":
        return redirect(url_for(".version", version_id=found.id))
    header = HeaderForm(obj=found) if request.method == "GET" else HeaderForm()
    if header.validate_on_submit():
        try:
            services.save_header(
                db(),
                found.id,
                {"ja": header.title_ja.data, "en": header.title_en.data},
                {"ja": header.intro_ja.data, "en": header.intro_en.data},
                current_user.id,
            )
        except services.InspectionError as exc:
            _field_error(header, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".edit", version_id=found.id))
    status = 400 if request.method == "POST" else 200
    return _edit_page(found, header, ItemForm(prefix="new", formdata=None), status)


def _edit_page(found: InspectionVersion, header: HeaderForm, item: ItemForm, status: int = 200):
    return render_template("inspections/edit.html", version=found, header=header, item=item), status


def _item_input(form: ItemForm) -> services.ItemInput:
    return services.ItemInput(
        {"ja": form.text_ja.data, "en": form.text_en.data},
        {"ja": form.guidance_ja.data or "", "en": form.guidance_en.data or ""},
        bool(form.evidence.data),
        form.source.data or "",
    )


@bp.route("/admin/inspections/versions/<int:version_id>/items", methods=["POST"])
@requires(Permission.INSPECTIONS_MANAGE)
@creates_once()
def add_item(version_id: int):
    found = version_or_404(version_id)
    form = ItemForm(prefix="new")
    if form.validate_on_submit():
        try:
            services.add_item(db(), found.id, _item_input(form), current_user.id)
        except services.InspectionError as exc:
            _field_error(form, exc)
        else:
            flash(_("Item added."), "success")
            return redirect(url_for(".edit", version_id=found.id) + "#items")
    return _edit_page(found, HeaderForm(obj=found, formdata=None), form, 400)


@bp.route("/admin/inspections/versions/<int:version_id>/items/<int:item_id>", methods=["GET", "POST"])
@requires(Permission.INSPECTIONS_MANAGE)
def edit_item(version_id: int, item_id: int):
    found = version_or_404(version_id)
    item = next((i for i in found.items if i.id == item_id), None)
    if item is None:
        abort(404)
    if found.status != "draft":
        return redirect(url_for(".version", version_id=found.id))
    form = ItemForm(obj=item, evidence=item.evidence_required) if request.method == "GET" else ItemForm()
    if form.validate_on_submit():
        try:
            services.update_item(db(), found.id, item.id, _item_input(form), current_user.id)
        except services.InspectionError as exc:
            _field_error(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".edit", version_id=found.id) + "#items")
    status = 400 if request.method == "POST" else 200
    return render_template("inspections/item.html", version=found, item=item, form=form), status


@bp.route(
    "/admin/inspections/versions/<int:version_id>/items/<int:item_id>/move/<any(up,down):direction>", methods=["POST"]
)
@requires(Permission.INSPECTIONS_MANAGE)
def move_item(version_id: int, item_id: int, direction: str):
    found = version_or_404(version_id)
    try:
        services.move_item(db(), found.id, item_id, -1 if direction == "up" else 1, current_user.id)
    except services.InspectionError as exc:
        flash(refuse(exc), "error")
    return redirect(url_for(".edit", version_id=found.id) + "#items")


@bp.route("/admin/inspections/versions/<int:version_id>/items/<int:item_id>/remove", methods=["POST"])
@requires(Permission.INSPECTIONS_MANAGE)
def remove_item(version_id: int, item_id: int):
    found = version_or_404(version_id)
    try:
        services.remove_item(db(), found.id, item_id, current_user.id)
    except services.InspectionError as exc:
        flash(refuse(exc), "error")
    else:
        flash(_("Item removed."), "success")
    return redirect(url_for(".edit", version_id=found.id) + "#items")


@bp.route("/admin/inspections/versions/<int:version_id>/submit", methods=["POST"])
@requires(Permission.INSPECTIONS_MANAGE)
def submit(version_id: int):
    found = version_or_404(version_id)
    try:
        services.submit(db(), found.id, current_user.id)
    except services.InspectionError as exc:
        flash(refuse(exc), "error")
        return redirect(url_for(".edit", version_id=found.id))
    flash(_("Sent for review. Another compliance officer approves it."), "success")
    return redirect(url_for(".version", version_id=found.id))


@bp.route("/admin/inspections/versions/<int:version_id>/decision", methods=["POST"])
@requires(Permission.INSPECTIONS_MANAGE)
def decide(version_id: int):
    found = version_or_404(version_id)
    form = SendBackForm()
    if request.form.get("decision") == "approve":
        try:
            services.approve(db(), found.id, current_user.id)
        except services.InspectionError as exc:
            flash(refuse(exc), "error")
        else:
            flash(_("Published."), "success")
        return redirect(url_for(".version", version_id=found.id))
    if form.validate_on_submit():
        try:
            services.send_back(db(), found.id, current_user.id, form.comments.data)
        except services.InspectionError as exc:
            flash(refuse(exc), "error")
        else:
            flash(_("Sent back to its author with your comments."), "success")
        return redirect(url_for(".version", version_id=found.id))
    return _version_page(found, form, 400)


@bp.route("/admin/inspections/versions/<int:version_id>/preview")
@requires(Permission.INSPECTIONS_READ)
def preview(version_id: int):
    found = version_or_404(version_id)
    return render_template(
        "inspections/preview.html",
        version=found,
        answers=ANSWER_LABELS,
        guidance=guidance_html,
    )
