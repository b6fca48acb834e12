"""The trainer's draft editor: metadata and sections with a sanitised preview, the question bank, images,
sending to review, and the draft as a learner would see it. Every change is a save against the revision
the page was loaded at (optimistic locking); a refused save shows the trainer's own text again."""

from __future__ import annotations

import random
import re
from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning.accounts.models import User
from learning.authz import Permission, requires
from learning.courses import authoring
from learning.courses.authoring import AuthoringError
from learning.courses.content_format import LANGS, TRUE_FALSE_TEXT, ChoiceSpec, QuestionSpec, SectionSpec
from learning.courses.forms import CHOICE_ROWS, DraftForm, ImageForm, QuestionForm, RevisionForm, SubmitForm
from learning.courses.markdown import removed_markup, render_markdown
from learning.courses.messages import error_text, finding_text
from learning.courses.models import Edition, ModuleImage
from learning.courses.services import spec_from_edition
from learning.courses.views import bp, section_html
from learning.web import db

IMAGE_NAME = re.compile(r"[^a-z0-9._-]+")


def get_edition(edition_id: int) -> Edition:
    edition = db().get(Edition, edition_id)
    if edition is None:
        abort(404)
    return edition


def image_base(edition: Edition) -> str:
    return url_for("courses.image", edition_id=edition.id, name="_")[:-1]


def refused(error: AuthoringError) -> str:
    """The refusal's message, naming the other trainer on a conflict."""
    if error.code == "conflict" and error.params.get("editor_id"):
        editor = db().get(User, error.params["editor_id"])
        error.params["editor_name"] = editor.name if editor else None
    return error_text(error)


def text(value: str | None) -> str:
    """Form text as stored: browsers send CRLF, files hold LF (so hashes do not change on a resave)."""
    return (value or "").replace("\r\n", "\n")


def spec_from_form(edition: Edition, form: DraftForm):
    spec = spec_from_edition(db(), edition)
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


def split_tags(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


def draft_form(edition: Edition) -> DraftForm:
    spec = spec_from_edition(db(), edition)
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
    sections = list(sections)
    verb, _sep, number = action.partition("-")
    index = int(number) - 1 if number.isdigit() else -1
    if verb == "add":
        sections.append(SectionSpec(len(sections) + 1, dict.fromkeys(LANGS, ""), dict.fromkeys(LANGS, "")))
    elif 0 <= index < len(sections):
        if verb == "remove":
            del sections[index]
        elif verb == "up" and index > 0:
            sections[index - 1], sections[index] = sections[index], sections[index - 1]
        elif verb == "down" and index < len(sections) - 1:
            sections[index + 1], sections[index] = sections[index], sections[index + 1]
    return [replace(s, position=n) for n, s in enumerate(sections, 1)]


@bp.route("/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@requires(Permission.COURSES_AUTHOR)
def edit(edition_id: int):
    edition = get_edition(edition_id)
    if edition.status not in authoring.IN_THE_WORKS:
        abort(404)
    form = draft_form(edition) if request.method == "GET" else DraftForm()
    action = request.form.get("action", "save")
    status = 200
    if request.method == "POST" and edition.status != "draft":
        flash(error_text(AuthoringError("not_a_draft")), "error")
        status = 409
    elif request.method == "POST" and form.validate_on_submit() and action != "preview":
        spec = spec_from_form(edition, form)
        spec = replace(spec, sections=rearranged(spec.sections, action))
        try:
            authoring.save_draft(db(), edition.id, int(form.revision.data or 0), spec, current_user.id)
        except AuthoringError as error:
            db().rollback()
            flash(refused(error), "error")
            status = 409
        else:
            db().commit()
            flash(_("The draft has been saved."), "success")
            anchor = f"section-{len(spec.sections)}" if action == "add" else None
            return redirect(url_for(".edit", edition_id=edition.id, _anchor=anchor))
    elif request.method == "POST" and action != "preview":
        status = 400
    return render_template("courses/edit.html", **editor_page(edition, form)), status


def editor_page(edition: Edition, form: DraftForm) -> dict:
    """What the editor shows besides the form: previews, findings, questions, images."""
    base = image_base(edition)
    previews = [
        {
            lang: {
                "html": render_markdown(text(entry[f"body_{lang}"].data), base),
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
        "findings": [finding_text(f) for f in authoring.findings(spec_from_edition(db(), edition))],
        "images": db().query(ModuleImage.name).filter_by(edition_id=edition.id).order_by(ModuleImage.name).all(),
        "row_form": RevisionForm(data={"revision": edition.revision}),
        "image_form": ImageForm(data={"revision": edition.revision}),
        "submit_form": SubmitForm(data={"revision": edition.revision}),
        "people": {u.id: u.name for u in db().query(User).filter(User.id.in_(editor_ids(edition)))},
    }


def editor_ids(edition: Edition) -> set[int]:
    return {i for i in (edition.edited_by_id, edition.submitted_by_id, edition.reviewed_by_id) if i}


@bp.route("/editions/<int:edition_id>/questions/new", methods=["GET", "POST"], endpoint="question_new")
@bp.route("/editions/<int:edition_id>/questions/<int:number>", methods=["GET", "POST"])
@requires(Permission.COURSES_AUTHOR)
def question(edition_id: int, number: int | None = None):
    edition = get_edition(edition_id)
    if edition.status != "draft":
        abort(404)
    spec = spec_from_edition(db(), edition)
    if number is not None and not 1 <= number <= len(spec.questions):
        abort(404)
    current = spec.questions[number - 1] if number else None
    form = QuestionForm(data=question_data(current, edition.revision)) if request.method == "GET" else QuestionForm()
    status = 200
    if form.validate_on_submit():
        asked = question_from_form(form)
        others = {q.key for i, q in enumerate(spec.questions, 1) if i != number}
        problems = [finding_text(f) for f in authoring.question_problems(asked, number or len(spec.questions) + 1)]
        if asked.key in others:
            form.key.errors = [_("Another question of this module has this ID.")]
        elif problems:
            form.choices.errors = problems
        else:
            try:
                authoring.save_draft(
                    db(),
                    edition.id,
                    int(form.revision.data or 0),
                    authoring.with_question(spec, number - 1 if number else None, asked),
                    current_user.id,
                )
            except AuthoringError as error:
                db().rollback()
                flash(refused(error), "error")
                status = 409
            else:
                db().commit()
                flash(_("The question has been saved."), "success")
                return redirect(url_for(".edit", edition_id=edition.id, _anchor="questions"))
    if form.errors and status == 200:
        status = 400
    sections = [(s.position, s.title) for s in spec.sections]
    return render_template(
        "courses/question.html", edition=edition, form=form, number=number, sections=sections
    ), status


def question_data(question: QuestionSpec | None, revision: int) -> dict:
    if question is None:
        return {"revision": revision, "choices": [{} for _row in range(CHOICE_ROWS)]}
    rows = [
        {
            **{f"text_{lang}": c.text[lang] for lang in LANGS},
            **{f"feedback_{lang}": (c.feedback or {}).get(lang) or "" for lang in LANGS},
            "correct": c.correct,
        }
        for c in question.choices
    ]
    rows += [{} for _row in range(CHOICE_ROWS - len(rows))]
    data = {"revision": revision, "key": question.key, "kind": question.kind, "tags": ", ".join(question.tags)}
    for lang in LANGS:
        data[f"prompt_{lang}"], data[f"explanation_{lang}"] = question.prompt[lang], question.explanation[lang]
    return data | {"choices": rows}


def question_from_form(form: QuestionForm) -> QuestionSpec:
    """The question as typed: rows left blank are dropped; true/false takes the first two rows, whose texts
    default to the fixed 正しい / 誤り (True / False)."""
    choices = []
    for row in form.choices:
        texts = {lang: text(row[f"text_{lang}"].data).strip() for lang in LANGS}
        feedback = {lang: text(row[f"feedback_{lang}"].data).strip() for lang in LANGS}
        blank = not any(texts.values()) and not any(feedback.values()) and not row.correct.data
        if form.kind.data == "truefalse" and len(choices) < 2:
            texts = {lang: texts[lang] or TRUE_FALSE_TEXT[len(choices)][lang] for lang in LANGS}
        elif blank or form.kind.data == "truefalse":
            continue
        choices.append(ChoiceSpec(texts, row.correct.data, feedback if any(feedback.values()) else None))
    tags = split_tags(form.tags.data)
    return QuestionSpec(
        form.key.data.strip(),
        form.kind.data,
        {lang: text(form[f"prompt_{lang}"].data).strip() for lang in LANGS},
        {lang: text(form[f"explanation_{lang}"].data).strip() for lang in LANGS},
        choices,
        tags,
    )


@bp.route("/editions/<int:edition_id>/questions/<int:number>/<any(up, down, retire):move>", methods=["POST"])
@requires(Permission.COURSES_AUTHOR)
def question_move(edition_id: int, number: int, move: str):
    edition = get_edition(edition_id)
    form = RevisionForm()
    spec = spec_from_edition(db(), edition)
    if not form.validate_on_submit() or not 1 <= number <= len(spec.questions):
        abort(400)
    questions = list(spec.questions)
    index = number - 1
    if move == "retire":
        del questions[index]
    elif move == "up" and index > 0:
        questions[index - 1], questions[index] = questions[index], questions[index - 1]
    elif move == "down" and index < len(questions) - 1:
        questions[index + 1], questions[index] = questions[index], questions[index + 1]
    try:
        authoring.save_draft(
            db(), edition.id, int(form.revision.data or 0), replace(spec, questions=questions), current_user.id
        )
    except AuthoringError as error:
        db().rollback()
        flash(refused(error), "error")
    else:
        db().commit()
        if move == "retire":
            flash(_("The question has been retired from this draft; earlier editions keep it."), "success")
    return redirect(url_for(".edit", edition_id=edition.id, _anchor="questions"))


@bp.route("/editions/<int:edition_id>/images", methods=["POST"])
@requires(Permission.COURSES_AUTHOR)
def image_upload(edition_id: int):
    edition = get_edition(edition_id)
    form = ImageForm()
    if not form.validate_on_submit():
        flash(_("Choose an image file to upload."), "error")
        return redirect(url_for(".edit", edition_id=edition.id, _anchor="images"))
    upload = form.image.data
    data = upload.read(authoring.MAX_IMAGE_BYTES + 1)
    try:
        authoring.image_type(upload.filename or "", data)
        name = image_name(upload.filename or "", data)
        spec = spec_from_edition(db(), edition)
        spec = replace(spec, images={**spec.images, name: data})
        authoring.save_draft(db(), edition.id, int(form.revision.data or 0), spec, current_user.id)
    except AuthoringError as error:
        db().rollback()
        flash(refused(error), "error")
    else:
        db().commit()
        flash(
            _("The image %(name)s has been added. Use it in a section as ![description](images/%(name)s).", name=name),
            "success",
        )
    return redirect(url_for(".edit", edition_id=edition.id, _anchor="images"))


def image_name(filename: str, data: bytes) -> str:
    """A safe file name for the content folder, its suffix following the bytes rather than the name."""
    stem = IMAGE_NAME.sub("-", filename.rsplit(".", 1)[0].lower()).strip("-.")[:60] or "image"
    suffix = "png" if authoring.image_type(filename, data) == "image/png" else "jpg"
    return f"{stem}.{suffix}"


@bp.route("/editions/<int:edition_id>/submit", methods=["POST"])
@requires(Permission.COURSES_AUTHOR)
def submit(edition_id: int):
    edition = get_edition(edition_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        flash(_("Say what changed and why before sending the draft to review."), "error")
        return redirect(url_for(".edit", edition_id=edition.id, _anchor="submit"))
    try:
        authoring.submit(
            db(),
            edition.id,
            int(form.revision.data or 0),
            current_user.id,
            text(form.change_note.data),
            form.substantive.data,
        )
    except AuthoringError as error:
        db().rollback()
        flash(refused(error), "error")
        return redirect(url_for(".edit", edition_id=edition.id, _anchor="submit"))
    db().commit()
    flash(_("The draft has been sent to review. Another trainer must approve it."), "success")
    return redirect(url_for(".review", edition_id=edition.id))


@bp.route("/editions/<int:edition_id>/preview")
@requires(Permission.COURSES_AUTHOR)
def preview(edition_id: int):
    """The edition as a learner reads it, with a sample quiz draw; no attempt or assignment is made."""
    edition = get_edition(edition_id)
    drawn = random.sample(edition.questions, min(edition.draw, len(edition.questions)))
    drawn.sort(key=lambda q: q.position)
    return render_template("courses/preview.html", edition=edition, drawn=drawn, section_html=section_html)
