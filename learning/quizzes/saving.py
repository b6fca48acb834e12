"""Answers saved as the learner picks them, so that a session ending mid-quiz loses nothing.

The attempt page posts each pick to a JSON endpoint; the choices are kept per attempt and question
(`SavedAnswer`, one row replaced on every pick) only while the attempt is open, and ticked again when the page
is shown after signing in. Grading never reads them: the submitted form is what counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.quizzes.models import Attempt, AttemptQuestion, SavedAnswer
from learning.quizzes.services import QuizError, check_answerable
from learning.training.models import Assignment
from learning.training.progress import OpenAttempt
from learning.training.services import TrainingError, check_open


def save_answer(
    session: Session, attempt: Attempt, assignment: Assignment, question_id: object, choices: object
) -> datetime:
    """Saves the choices now picked for one question of an open attempt (an empty list: none ticked).

    A conditional write: the attempt's row is read under a share lock, open, before the upsert, so a save
    racing a submit either lands before the submit (which waits for the lock, then deletes it) or finds the
    attempt submitted and writes nothing. Raises QuizError naming what is wrong with the request.
    """
    aq = _question(attempt, question_id)
    picked = _choices(aq, choices)
    if attempt.submitted_at is not None:
        raise QuizError("save_submitted")
    check_answerable(attempt, assignment)
    check_open(assignment)
    still_open = session.scalar(
        select(Attempt.id)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None), Attempt.abandoned_at.is_(None))
        .with_for_update(read=True)  # FOR SHARE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
    )
    if still_open is None:
        raise QuizError("save_submitted")
    now = clock.now()
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(SavedAnswer.__table__).values(
        attempt_id=attempt.id, attempt_question_id=aq.id, choice_ids=",".join(map(str, picked)), saved_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["attempt_id", "attempt_question_id"],
            set_={"choice_ids": statement.excluded.choice_ids, "saved_at": statement.excluded.saved_at},
        )
    )
    return now


def _question(attempt: Attempt, question_id: object) -> AttemptQuestion:
    for aq in attempt.questions:
        if isinstance(question_id, int) and not isinstance(question_id, bool) and aq.id == question_id:
            return aq
    raise QuizError("save_unknown_question")


def _choices(aq: AttemptQuestion, choices: object) -> list[int]:
    """The picked choice ids, each offered for the question, at most one for a single-answer question."""
    if not isinstance(choices, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in choices):
        raise QuizError("save_bad_choices")
    picked = sorted(set(choices))
    if not set(picked) <= set(aq.choice_ids) or (aq.question.kind != "multiple" and len(picked) > 1):
        raise QuizError("save_bad_choices")
    return picked


def answer_fields(form: dict[str, list[str]]) -> dict[str, list[str]]:
    """The answer fields of an attempt form ("q<attempt question id>": [choice ids]), the rest left out."""
    return {name: values for name, values in form.items() if name[:1] == "q" and name[1:].isdigit()}


def save_form(session: Session, attempt: Attempt, assignment: Assignment, form: dict[str, list[str]]) -> int:
    """Saves the picks of a submitted attempt form that could not be taken (its session had ended), as if each
    had been saved when it was picked; a field that does not fit the attempt is left out. Returns how many
    questions were saved."""
    saved = 0
    for name, values in answer_fields(form).items():
        try:
            save_answer(session, attempt, assignment, int(name[1:]), [int(v) for v in values if v.isdigit()])
        except (QuizError, TrainingError):
            continue
        saved += 1
    return saved


def saved_choices(session: Session, attempt_id: int) -> dict[str, set[str]]:
    """The saved picks as the attempt form's fields ({"q<attempt question id>": {"<choice id>", …}})."""
    rows = session.execute(
        select(SavedAnswer.attempt_question_id, SavedAnswer.choice_ids).where(SavedAnswer.attempt_id == attempt_id)
    )
    return {f"q{aq_id}": {c for c in ids.split(",") if c} for aq_id, ids in rows}


# Built once, the assignments bound (an expanding IN): "continue where you left off" is on every home page.
_OPEN_ATTEMPTS = (
    select(
        Attempt.assignment_id,
        Attempt.id,
        Attempt.started_at,
        func.count(SavedAnswer.attempt_question_id).filter(SavedAnswer.choice_ids != ""),
        Attempt.question_count,
    )
    .outerjoin(SavedAnswer, SavedAnswer.attempt_id == Attempt.id)
    .where(
        Attempt.assignment_id.in_(bindparam("ids", expanding=True)),
        Attempt.submitted_at.is_(None),
        Attempt.abandoned_at.is_(None),
    )
    .group_by(Attempt.id)
)


def open_attempts(session: Session, assignment_ids: list[int]) -> dict[int, OpenAttempt]:
    """The open attempt of each of these assignments, with how many of its questions have a saved pick, in one
    query ("continue where you left off"; registered with training.progress)."""
    if not assignment_ids:
        return {}
    rows = session.execute(_OPEN_ATTEMPTS, {"ids": assignment_ids})
    return {row[0]: OpenAttempt(*row[1:]) for row in rows}
