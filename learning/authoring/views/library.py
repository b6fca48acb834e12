"""The library for trainers and those who oversee them: modules and their editions, new modules, review
and publishing (four eyes), what changed between two editions, and module files and GIFT banks in and out."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning.authoring import imports
from learning.authoring import review as reviewing
from learning.authoring import services as authoring
from learning.authoring.diff import diff_editions
from learning.authoring.forms import GiftForm, NewModuleForm, ReviewForm, RevisionForm, UploadForm
from learning.authoring.pages import content_problem_text, get_edition, gift_text, people_of, refused, warnings_of
from learning.authoring.services import AuthoringError
from learning.authz import Permission, requires
from learning.courses.formats import bundle, gift
from learning.courses.formats.spec import LANGS, ContentError
from learning.courses.models import Edition, Module
from learning.courses.services import question_specs, spec_from_edition, with_content
from learning.web import accepts_upload, app_settings, creates_once, db, id_arg

GIFT_LIMIT = 5 * 1024 * 1024
FORM_MARGIN = 64 * 1024  # the rest of the multipart form around the file

bp = Blueprint("library", __name__, template_folder="../templates")


@bp.route("/library")
@requires(Permission.COURSES_READ)
def library():
    modules = db().scalars(select(Module).order_by(Module.id)).all()
    editions: dict[int, list[Edition]] = {}
    for edition in db().scalars(select(Edition).order_by(Edition.version.desc())):
        editions.setdefault(edition.module_id, []).append(edition)
    return render_template("authoring/library.html", modules=modules, editions=editions)


@bp.route("/library/new", methods=["GET", "POST"])
@requires(Permission.COURSES_AUTHOR)
@creates_once()
def module_new():
    form = NewModuleForm()
    if form.validate_on_submit():
        titles = {lang: form[f"title_{lang}"].data.strip() for lang in LANGS}
        try:
            draft = authoring.new_module(db(), form.slug.data.strip(), titles, current_user.id)
        except AuthoringError as error:
            form.slug.errors = [refused(error)]
        else:
            flash(_("The module has been created as a draft. Write its sections and questions."), "success")
            return redirect(url_for("editor.edit", edition_id=draft.id))
    return render_template("authoring/new.html", form=form), 400 if form.errors else 200


@bp.route("/library/<int:module_id>/draft", methods=["POST"])
@requires(Permission.COURSES_AUTHOR)
@creates_once()
def draft_start(module_id: int):
    if not RevisionForm().validate_on_submit():
        abort(400)
    try:
        draft = authoring.start_draft(db(), module_id, current_user.id)
    except AuthoringError:
        abort(404)
    return redirect(url_for("editor.edit", edition_id=draft.id))


def changes_against(edition: Edition) -> Edition | None:
    """The edition a draft would replace (the published one), or the one before a published edition."""
    query = select(Edition).where(Edition.module_id == edition.module_id, Edition.id != edition.id)
    if edition.status in authoring.IN_THE_WORKS:
        return db().scalar(query.where(Edition.status == "published")) or db().scalar(
            query.order_by(Edition.version.desc())
        )
    return db().scalar(query.where(Edition.version < edition.version).order_by(Edition.version.desc()))


@bp.route("/editions/<int:edition_id>/review")
@requires(Permission.COURSES_READ)
def review(edition_id: int):
    edition = get_edition(edition_id)
    form = ReviewForm()
    before = changes_against(edition)
    spec = spec_from_edition(db(), edition)
    return render_template(
        "authoring/review.html",
        edition=edition,
        before=before,
        diff=diff_editions(spec_from_edition(db(), before) if before else None, spec),
        warnings=warnings_of(edition.module_id, spec),  # what the author saw: the reviewer judges them too
        form=form,
        people=people_of(edition),
        own=reviewing.is_own_draft(edition, current_user.id),
    )


def edition_diff(before: Edition | None, edition: Edition):
    return diff_editions(spec_from_edition(db(), before) if before else None, spec_from_edition(db(), edition))


@bp.route("/editions/<int:edition_id>/decision", methods=["POST"])
@requires(Permission.COURSES_AUTHOR)
def decide(edition_id: int):
    """Approve and publish, or send back with comments; approving one's own draft is refused and recorded."""
    edition = get_edition(edition_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    decision, comments = request.form.get("decision"), form.comments.data or ""
    try:
        if decision == "approve":
            reviewing.approve(db(), edition.id, current_user.id, app_settings().portal_url)
        elif decision == "send_back":
            reviewing.send_back(db(), edition.id, current_user.id, comments, app_settings().portal_url)
        else:
            abort(400)
    except AuthoringError as error:
        flash(refused(error), "error")
        return redirect(url_for(".review", edition_id=edition.id))
    if edition.status == "published":
        message = _(
            "Edition %(version)d has been published. Campaigns launched from now on take it.", version=edition.version
        )
        flash(message, "success")
        return redirect(url_for(".changes", edition_id=edition.id))
    flash(_("The draft has been sent back to its authors with your comments."), "success")
    return redirect(url_for("editor.edit", edition_id=edition.id))


@bp.route("/editions/<int:edition_id>/changes")
@requires(Permission.COURSES_READ)
def changes(edition_id: int):
    """What changed between this edition and another of the same module (by default the one before)."""
    edition = get_edition(edition_id)
    others = (
        db()
        .scalars(
            select(Edition)
            .where(Edition.module_id == edition.module_id, Edition.id != edition.id)
            .order_by(Edition.version.desc())
        )
        .all()
    )
    against = request.args.get("against", type=id_arg)
    before = next((e for e in others if e.id == against), None) if against else changes_against(edition)
    diff = edition_diff(before, edition)
    return render_template("authoring/changes.html", edition=edition, before=before, others=others, diff=diff)


@bp.route("/editions/<int:edition_id>/export.zip")
@requires(Permission.COURSES_READ)
def export_zip(edition_id: int):
    edition = get_edition(edition_id)
    data = bundle.zip_module(spec_from_edition(db(), edition))
    return download(data, "application/zip", f"{edition.module.slug}-v{edition.version}.zip")


@bp.route("/editions/<int:edition_id>/export.gift")
@requires(Permission.COURSES_READ)
def export_gift(edition_id: int):
    edition = get_edition(edition_id)
    language = request.args.get("language", "ja")
    if language not in LANGS:
        abort(404)
    questions = question_specs(with_content(db(), edition))  # the questions alone: images are not read
    text = gift.export(questions, language, category=edition.module.slug)
    return download(
        text.encode(), "text/plain; charset=utf-8", f"{edition.module.slug}-v{edition.version}.{language}.gift"
    )


def download(data: bytes, content_type: str, filename: str) -> Response:
    # content_type, not mimetype: Werkzeug adds a charset to a text mimetype even when it names one already.
    disposition = f'attachment; filename="{filename}"'
    return Response(data, content_type=content_type, headers={"Content-Disposition": disposition})


@bp.route("/library/upload", methods=["GET", "POST"])
@requires(Permission.COURSES_AUTHOR)
@accepts_upload(bundle.MAX_ZIP_BYTES + FORM_MARGIN)
@creates_once()
def upload():
    """A zipped module folder becomes a draft, after the same checks as `flask content check`."""
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        name = form.archive.data.filename or "upload.zip"
        data = form.archive.data.read(bundle.MAX_ZIP_BYTES + 1)
        try:
            if len(data) > bundle.MAX_ZIP_BYTES:
                raise AuthoringError("zip_too_large")
            spec = bundle.read_zip(data, shown_as=name)
            draft = imports.draft_from_spec(db(), spec, current_user.id, source=name)
        except ContentError as error:
            problems = [content_problem_text(p) for p in error.problems]
        except AuthoringError as error:
            problems = [refused(error)]
        else:
            flash(
                _("The module folder has been checked and loaded as a draft. Review it, then send it to review."),
                "success",
            )
            return redirect(url_for("editor.edit", edition_id=draft.id))
    status = 400 if form.errors or problems else 200
    return render_template("authoring/upload.html", form=form, problems=problems), status


@bp.route("/library/gift", methods=["GET", "POST"])
@requires(Permission.COURSES_AUTHOR)
@accepts_upload(GIFT_LIMIT + FORM_MARGIN)
@creates_once()
def gift_import():
    """A GIFT question bank into a module's draft (created if needed); every skipped question named by line."""
    form = GiftForm(slug=request.args.get("slug", ""))
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            text = uploaded_text(form.file.data)
            draft, added, result = imports.import_gift(
                db(), form.slug.data.strip(), text, form.language.data, current_user.id
            )
        except AuthoringError as error:
            gift_errors = error.params["result"].errors if error.code == "gift_errors" else None
            errors = [gift_text(p) for p in gift_errors] if gift_errors else [refused(error)]
        else:
            skipped = [gift_text(p) for p in result.skipped]
            return render_template("authoring/gift_done.html", draft=draft, added=added, skipped=skipped)
    status = 400 if form.errors or errors else 200
    return render_template("authoring/gift.html", form=form, errors=errors), status


def uploaded_text(storage) -> str:
    """An uploaded text file as text: at most GIFT_LIMIT bytes, UTF-8 (a byte-order mark is allowed)."""
    raw = storage.read(GIFT_LIMIT + 1)
    if len(raw) > GIFT_LIMIT:
        raise AuthoringError("gift_too_large")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AuthoringError("not_utf8") from None
