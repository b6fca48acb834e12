"""The comprehension quiz: start (draw), answer, submit once, see the verdicts and explanations."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from learning.authz import Permission, requires
from learning.quizzes import saving, services
from learning.quizzes.grading import TamperedAnswers
from learning.quizzes.services import QuizError, QuizForbidden
from learning.training.pages import own
from learning.training.reading import readiness
from learning.training.services import NotFound, TrainingError, own_assignment
from learning.web import db, explain, fail, refuse, resumable, resume
from learning.web.forms import PortalForm

bp = Blueprint("quizzes", __name__, template_folder="templates")


def missed_sections(assignment):
    """The sections to reread after the assignment's latest attempt failed (a template global)."""
    return services.missed_sections(db(), assignment)


@bp.route("/training/<int:assignment_id>/quiz", methods=["GET", "POST"])
@requires(Permission.LEARN)
def start(assignment_id: int):
    assignment = own(assignment_id)
    form = PortalForm()
    if form.validate_on_submit():
        try:
            attempt = services.start_attempt(db(), assignment, current_user.id)
        except TrainingError as exc:
            flash(refuse(exc), "warning")
            return redirect(url_for("training.overview", assignment_id=assignment.id))
        except QuizError as exc:
            flash(refuse(exc), "warning")
            return redirect(url_for(".start", assignment_id=assignment.id))
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    return render_template(
        "quizzes/start.html",
        assignment=assignment,
        form=form,
        attempts=services.attempts_of(db(), assignment.id),
        open_attempt=services.open_attempt(db(), assignment.id),
        ready=readiness(db(), [assignment])[assignment.id],
    )


def load(attempt_id: int):
    try:
        attempt = services.load_attempt(db(), attempt_id, current_user.id)
        return attempt, own_assignment(db(), current_user.id, attempt.assignment_id)
    except NotFound:
        abort(404)
    except QuizForbidden as exc:
        fail(403, explain(exc))


def _answers_kept() -> str:
    return _(
        "Your session has ended before this quiz was submitted, so nothing has been graded yet. The answers you "
        "picked have been kept: sign in again and you will be back on this attempt with them ticked."
    )


def _already_submitted(attempt) -> None:
    when = format_datetime(attempt.submitted_at, "medium")
    flash(_("This attempt was already submitted on %(when)s; here is its result.", when=when), "info")


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@requires(Permission.LEARN)
@resumable(_answers_kept, keep=saving.answer_fields)
def attempt(attempt_id: int):
    attempt, assignment = load(attempt_id)
    form = PortalForm()
    try:
        services.check_answerable(attempt, assignment)
    except QuizError as exc:  # set aside, or left open after the pass: back to the quiz's page, nothing kept
        if services.submitted_meanwhile(db(), attempt):  # the pass was this attempt's own, from another tab
            if request.method == "POST":
                _already_submitted(attempt)
            return redirect(url_for(".attempt", attempt_id=attempt.id))
        flash(refuse(exc), "warning")
        return redirect(url_for(".start", assignment_id=assignment.id))
    if request.method == "POST":
        if not form.validate_on_submit():
            fail(400, _("The form has expired. Please reload the page and answer again."))
        try:
            result = services.submit(db(), attempt, assignment, request.form.to_dict(flat=False))
        except TamperedAnswers:
            fail(400, _("The answers sent do not match the questions of this attempt. Nothing was recorded."))
        if result.already_submitted:  # a second tab, a double click, the back button: graded once, say so
            _already_submitted(attempt)
        elif result.check is not None:
            chosen = {k: set(v) for k, v in request.form.to_dict(flat=False).items()}
            return render_template(
                "quizzes/attempt.html",
                attempt=attempt,
                assignment=assignment,
                form=form,
                unanswered=result.check.unanswered,
                chosen=chosen,
                new=services.new_questions(db(), attempt),
            ), 400
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    if attempt.is_open:
        if (kept := resume.take()) is not None and saving.save_form(db(), attempt, assignment, kept):
            flash(
                _("The answers you had picked before your session ended are ticked again. Check them and submit."),
                "info",
            )
        return render_template(
            "quizzes/attempt.html",
            attempt=attempt,
            assignment=assignment,
            form=form,
            unanswered=[],
            chosen=saving.saved_choices(db(), attempt.id),
            new=services.new_questions(db(), attempt),
        )
    return render_template("quizzes/result.html", attempt=attempt, assignment=assignment, form=form)


@bp.route("/api/v1/attempts/<int:attempt_id>/answers", methods=["POST"])
@requires(Permission.LEARN)
def save_answer(attempt_id: int):
    """One question's picks, saved as they are chosen (static/quiz.js): JSON {"question": id, "choices": [ids]}.
    Another person's attempt is 404, like a missing one; a submitted one 409."""
    try:
        attempt = services.load_attempt(db(), attempt_id, current_user.id)
        assignment = own_assignment(db(), current_user.id, attempt.assignment_id)
    except (NotFound, QuizForbidden):
        abort(404)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="bad_request", message=_("Send the question and its choices as JSON.")), 400
    try:
        at = saving.save_answer(db(), attempt, assignment, body.get("question"), body.get("choices"))
    except (QuizError, TrainingError) as exc:
        status = 400 if exc.code in ("save_unknown_question", "save_bad_choices") else 409
        return jsonify(error=exc.code, message=refuse(exc)), status
    return jsonify(saved=True, at=at.isoformat())
