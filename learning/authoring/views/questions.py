"""The question bank editor: add and edit a question (both languages, per-choice feedback, the section it
tests), move questions and retire them from the draft. Each save is against the page's revision."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from learning.authoring import completeness
from learning.authoring import services as authoring
from learning.authoring.forms import CHOICE_ROWS, QuestionForm, RevisionForm
from learning.authoring.pages import finding_text, get_edition, moved, save, saved, split_tags, text
from learning.authz import Permission, requires
from learning.courses.formats.spec import LANGS, TRUE_FALSE_TEXT, ChoiceSpec, QuestionSpec
from learning.courses.services import spec_from_edition
from learning.web import db

bp = Blueprint("questions", __name__, template_folder="../templates")


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
        problems = [finding_text(f) for f in completeness.question_problems(asked, number or len(spec.questions) + 1)]
        if asked.key in others:
            form.key.errors = [_("Another question of this module has this ID.")]
        elif problems:
            form.choices.errors = problems
        else:
            changed = authoring.with_question(spec, number - 1 if number else None, asked)
            if saved(lambda: save(edition, form.revision.data, changed), _("The question has been saved.")):
                return redirect(url_for("editor.edit", edition_id=edition.id, _anchor="questions"))
            status = 409
    if form.errors and status == 200:
        status = 400
    sections = [(s.position, s.title) for s in spec.sections]
    return render_template(
        "authoring/question.html", edition=edition, form=form, number=number, sections=sections
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
    questions = moved(spec.questions, number - 1, move)
    retired = _("The question has been retired from this draft; earlier editions keep it.")
    saved(
        lambda: save(edition, form.revision.data, replace(spec, questions=questions)),
        retired if move == "retire" else None,
    )
    return redirect(url_for("editor.edit", edition_id=edition.id, _anchor="questions"))
