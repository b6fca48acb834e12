"""The trainer's draft editor: metadata and sections with a sanitised preview, the question bank, images,
sending to review, and the draft as a learner would see it. Every change is a save against the revision
the page was loaded at (optimistic locking); a refused save shows the trainer's own text again."""

from __future__ import annotations

import random
import re
from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning.authoring import completeness, imports, review
from learning.authoring import services as authoring
from learning.authoring.forms import DraftForm, ImageForm, RevisionForm, SubmitForm
from learning.authoring.pages import (
    finding_text,
    get_edition,
    moved,
    people_of,
    refused,
    save,
    saved,
    split_tags,
    text,
    warnings_of,
)
from learning.authoring.services import AuthoringError
from learning.authz import Permission, requires
from learning.courses.formats.spec import LANGS, MAX_IMAGE_BYTES, SectionSpec
from learning.courses.markdown import removed_markup
from learning.courses.models import Edition, ModuleImage
from learning.courses.rendering import image_base, markdown_html, section_html
from learning.courses.services import spec_from_edition, with_content
from learning.web import accepts_upload, app_settings, db

IMAGE_NAME = re.compile(r"[^a-z0-9._-]+")

bp = Blueprint("editor", __name__, template_folder="../templates")


def spec_from_form(spec, form: DraftForm):
    """The saved draft `spec` with the form's module fields and sections (questions and images unchanged)."""
    sections = [
        SectionSpec(
            number,
            {lang: text(entry[f"title_{lang}"].data).strip() for lang in LANGS},
            {lang: text(entry[f"body_{lang}"].data) for lang in LANGS},
        )
        for number, entry in enumerate(form.sections, 1)
    ]
    return replace(
        spec,
        edition_label=text(form.label.data).strip(),
        title={lang: text(form[f"title_{lang}"].data).strip() for lang in LANGS},
        summary={lang: text(form[f"summary_{lang}"].data).strip() for lang in LANGS},
        minutes=form.minutes.data,
        pass_mark=form.pass_mark.data,
        draw=form.draw.data,
        sections=sections,
        tags=split_tags(form.tags.data),
    )


def draft_form(edition: Edition, spec) -> DraftForm:
    data = {
        "revision": edition.revision,
        "label": spec.edition_label,
        "minutes": spec.minutes,
        "pass_mark": spec.pass_mark,
        "draw": spec.draw,
        "tags": ", ".join(spec.tags),
        "sections": [
            {f"{part}_{lang}": getattr(s, part)[lang] for part in ("title", "body") for lang in LANGS}
            for s in spec.sections
        ],
    }
    for lang in LANGS:
        data[f"title_{lang}"], data[f"summary_{lang}"] = spec.title[lang], spec.summary[lang]
    return DraftForm(data=data)


def rearranged(sections: list, action: str) -> list:
    """The sections after an add, move or remove button (`up-3`, `down-1`, `remove-2`, `add`)."""
    verb, _sep, number = action.partition("-")
    if verb == "add":
        sections = [*sections, SectionSpec(len(sections) + 1, dict.fromkeys(LANGS, ""), dict.fromkeys(LANGS, ""))]
    elif number.isdigit():
        sections = moved(sections, int(number) - 1, verb)
    return [replace(s, position=n) for n, s in enumerate(sections, 1)]


@bp.route("/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@requires(Permission.COURSES_AUTHOR)
def edit(edition_id: int):
    edition = get_edition(edition_id)
    if edition.status not in authoring.IN_THE_WORKS:
        abort(404)
    current = spec_from_edition(db(), edition)
    form = draft_form(edition, current) if request.method == "GET" else DraftForm()
    action = request.form.get("action", "save")
    status = 200
    if request.method == "POST" and action != "preview":
        if not form.validate_on_submit():
            status = 400
        else:
            spec = spec_from_form(current, form)
            spec = replace(spec, sections=rearranged(spec.sections, action))
            if saved(lambda: save(edition, form.revision.data, spec), _("The draft has been saved.")):
                anchor = f"section-{len(spec.sections)}" if action == "add" else None
                return redirect(url_for(".edit", edition_id=edition.id, _anchor=anchor))
            status = 409  # refused: the page shows the trainer's text again, unsaved
    return render_template("authoring/edit.html", **editor_page(edition, current, form)), status


def editor_page(edition: Edition, current, form: DraftForm) -> dict:
    """What the editor shows besides the form: previews, findings, questions, images."""
    base = image_base(edition.id)
    previews = [
        {
            lang: {
                "html": markdown_html(text(entry[f"body_{lang}"].data), lang, base),
                "removed": removed_markup(text(entry[f"body_{lang}"].data)),
            }
            for lang in LANGS
        }
        for entry in form.sections
    ]
    return {
        "edition": edition,
        "form": form,
        "previews": previews,
        "image_base": base,
        "findings": [finding_text(f) for f in completeness.findings(current)],
        "warnings": warnings_of(edition.module_id, current),
        "images": db().query(ModuleImage.name).filter_by(edition_id=edition.id).order_by(ModuleImage.name).all(),
        "row_form": RevisionForm(data={"revision": edition.revision}),
        "image_form": ImageForm(data={"revision": edition.revision}),
        "submit_form": SubmitForm(data={"revision": edition.revision}),
        "people": people_of(edition),
    }


@bp.route("/editions/<int:edition_id>/images", methods=["POST"])
@requires(Permission.COURSES_AUTHOR)
@accepts_upload(MAX_IMAGE_BYTES + 64 * 1024)
def image_upload(edition_id: int):
    edition = get_edition(edition_id)
    form = ImageForm()
    if not form.validate_on_submit():
        flash(_("Choose an image file to upload."), "error")
        return redirect(url_for(".edit", edition_id=edition.id, _anchor="images"))
    upload = form.image.data
    data = upload.read(MAX_IMAGE_BYTES + 1)

    try:
        name = image_name(upload.filename or "", data)  # refuses anything but PNG and JPEG, by the bytes
    except AuthoringError as error:
        flash(refused(error), "error")
        return redirect(url_for(".edit", edition_id=edition.id, _anchor="images"))
    spec = spec_from_edition(db(), edition)
    saved(
        lambda: save(edition, form.revision.data, replace(spec, images={**spec.images, name: data})),
        _("The image %(name)s has been added. Use it in a section as ![description](images/%(name)s).", name=name),
    )
    return redirect(url_for(".edit", edition_id=edition.id, _anchor="images"))


def image_name(filename: str, data: bytes) -> str:
    """A safe file name for the content folder, its suffix following the bytes rather than the name."""
    stem = IMAGE_NAME.sub("-", filename.rsplit(".", 1)[0].lower()).strip("-.")[:60] or "image"
    suffix = "png" if imports.image_type(filename, data) == "image/png" else "jpg"
    return f"{stem}.{suffix}"


@bp.route("/editions/<int:edition_id>/submit", methods=["POST"])
@requires(Permission.COURSES_AUTHOR)
def submit(edition_id: int):
    edition = get_edition(edition_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        flash(_("Say what changed and why before sending the draft to review."), "error")
        return redirect(url_for(".edit", edition_id=edition.id, _anchor="submit"))
    note, substantive = text(form.change_note.data), form.substantive.data
    submitted = saved(
        lambda: review.submit(
            db(),
            edition.id,
            int(form.revision.data or 0),
            current_user.id,
            note,
            substantive,
            app_settings().portal_url,
        ),
        _("The draft has been sent to review. Another trainer must approve it."),
    )
    if not submitted:
        return redirect(url_for(".edit", edition_id=edition.id, _anchor="submit"))
    return redirect(url_for("library.review", edition_id=edition.id))


@bp.route("/editions/<int:edition_id>/preview")
@requires(Permission.COURSES_AUTHOR)
def preview(edition_id: int):
    """The edition as a learner reads it, with a sample quiz draw; no attempt or assignment is made."""
    edition = with_content(db(), get_edition(edition_id))
    drawn = random.sample(edition.questions, min(edition.draw, len(edition.questions)))
    drawn.sort(key=lambda q: q.position)
    return render_template("authoring/preview.html", edition=edition, drawn=drawn, section_html=section_html)
