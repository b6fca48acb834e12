"""The rules library's management, for the compliance office: new documents, new versions (Markdown or a PDF
per language) and changes to a version not yet in force. Every change is audited by the services."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning.authz import Permission, requires
from learning.rules import services
from learning.rules.forms import DocumentForm, VersionForm
from learning.rules.messages import KIND_LABELS
from learning.rules.models import KINDS, RuleDocument
from learning.rules.pages import document_or_404, pdf_limit_bytes, refused, today
from learning.web import accepts_upload, app_settings, creates_once, db

bp = Blueprint("rules_manage", __name__, template_folder="../templates")
FORM_MARGIN = 256 * 1024


def _upload_limit() -> int:
    """Two PDFs at the limit and the form around them; a larger file is still read, to be refused by name."""
    return 2 * (pdf_limit_bytes(app_settings()) + 1024 * 1024) + FORM_MARGIN


@bp.route("/rules/manage")
@requires(Permission.RULES_MANAGE)
def index():
    documents = db().scalars(select(RuleDocument).order_by(RuleDocument.title_ja)).all()
    documents = sorted(documents, key=lambda d: KINDS.index(d.kind))
    counts = {v.id: services.acknowledgement_count(db(), v.id) for d in documents for v in d.versions}
    return render_template(
        "rules/manage.html",
        documents=documents,
        today=today(),
        in_force={d.id: services.in_force(d, today()) for d in documents},
        counts=counts,
        kinds=KIND_LABELS,
    )


@bp.route("/rules/manage/new", methods=["GET", "POST"])
@requires(Permission.RULES_MANAGE)
@creates_once()
def new_document():
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            document = services.create_document(
                db(), current_user.id, form.slug.data, form.kind.data, form.title_ja.data, form.title_en.data
            )
        except services.RulesError as error:
            field = getattr(form, error.field or "slug")
            field.errors = [*field.errors, refused(error)]
        else:
            flash(_("The document has been created. Add its first version."), "success")
            return redirect(url_for(".new_version", slug=document.slug))
    return render_template("rules/document_form.html", form=form), 400 if form.errors else 200


@bp.route("/rules/manage/<slug>/versions/new", methods=["GET", "POST"])
@requires(Permission.RULES_MANAGE)
@accepts_upload(_upload_limit)
@creates_once()
def new_version(slug: str):
    document = document_or_404(slug)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            version = services.add_version(
                db(), document, current_user.id, _draft(form), pdf_limit_bytes(app_settings())
            )
        except services.RulesError as error:
            _put(form, error)
        else:
            flash(_("Version %(n)d has been saved.", n=version.number), "success")
            return redirect(url_for("rules.version", slug=document.slug, number=version.number))
    return _form_page(document, None, form)


@bp.route("/rules/manage/<slug>/v/<int:number>/edit", methods=["GET", "POST"])
@requires(Permission.RULES_MANAGE)
@accepts_upload(_upload_limit)
def edit_version(slug: str, number: int):
    document = document_or_404(slug)
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        abort(404)
    if version.effective_on <= today():
        flash(_("This version is in force and can no longer be changed; add a new version instead."), "error")
        return redirect(url_for("rules.version", slug=document.slug, number=number))
    form = VersionForm(obj=version if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.edit_version(
                db(), version, current_user.id, _draft(form), today(), pdf_limit_bytes(app_settings())
            )
        except services.RulesError as error:
            _put(form, error)
        else:
            flash(_("Version %(n)d has been saved.", n=version.number), "success")
            return redirect(url_for("rules.version", slug=document.slug, number=version.number))
    return _form_page(document, version, form)


def _form_page(document, version, form):
    return render_template(
        "rules/version_form.html",
        document=document,
        version=version,
        form=form,
        limit_mb=app_settings().rules_pdf_max_mb,
    ), 400 if form.errors else 200


def _draft(form: VersionForm) -> services.VersionDraft:
    limit = pdf_limit_bytes(app_settings())
    files = {}
    for language in ("ja", "en"):
        upload = getattr(form, f"pdf_{language}").data
        # One byte past the limit is enough to say it is too large; the size named is then the real one.
        data = upload.read(limit + 1) if upload and getattr(upload, "filename", "") else None
        if data is not None and len(data) > limit:
            data += upload.read()
        if upload and hasattr(upload, "close"):
            upload.close()  # a large upload is spooled to a temporary file: give it back now
        files[language] = data or None
    return services.VersionDraft(
        form.effective_on.data,
        form.changes_ja.data,
        form.changes_en.data,
        form.body_ja.data or "",
        form.body_en.data or "",
        files["ja"],
        files["en"],
        form.needs_acknowledgement.data,
    )


def _put(form: VersionForm, error: services.RulesError) -> None:
    field = getattr(form, error.field or "changes_ja", form.changes_ja)
    field.errors = [*field.errors, refused(error)]
