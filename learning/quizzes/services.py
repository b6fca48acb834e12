"""Starting, submitting and reading quiz attempts. Grading happens here, on the server, only."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import case, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from learning import clock
from learning.audit.services import record
from learning.courses.models import Edition, Question, Section
from learning.db import UTCDateTime
from learning.errors import DomainError
from learning.quizzes.drawing import fair_draw, section_of
from learning.quizzes.grading import AnswerCheck, grade, parse_answers, shuffled
from learning.quizzes.messages import MESSAGES
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptQuestion, SavedAnswer
from learning.training.models import Assignment
from learning.training.reading import readiness
from learning.training.services import NotFound, TrainingError, check_open

_rng = random.SystemRandom()


class QuizError(DomainError):
    """A refused quiz step; `code` names its message (quizzes/messages.py)."""

    messages = MESSAGES


class QuizForbidden(QuizError):
    """The attempt belongs to someone else."""

    def __init__(self):
        super().__init__("not_yours")


def start_attempt(session: Session, assignment: Assignment, user_id: int) -> Attempt:
    """The open attempt of this assignment, or a new one with a fresh draw and shuffled choices.

    The database holds one open attempt per assignment (uq_attempts_open) and one number per assignment:
    of concurrent starts one inserts, the others' inserts fail in their savepoint and they answer with the
    winner's attempt, as if they had come a moment later.
    """
    if assignment.is_completed or assignment.quiz_passed_at is not None:
        raise TrainingError("already_passed")
    check_open(assignment)
    ready = readiness(session, [assignment])[assignment.id]
    if not ready.ready:  # the pages offer no start then; a forced POST gets the same words
        raise TrainingError("read_first", sections=ready.unread_list)
    for _try in range(3):
        existing = open_attempt(session, assignment.id)
        if existing is not None:
            return existing
        attempt = _new_attempt(session, assignment, user_id)
        if attempt is not None:
            return attempt
    # Three lost races in a row (each winner submitted before this request could read its attempt).
    raise QuizError("busy")


def _new_attempt(session: Session, assignment: Assignment, user_id: int) -> Attempt | None:
    """A new attempt with its drawn questions, or None when a concurrent request inserted one first."""
    edition: Edition = assignment.edition
    bank = session.scalars(
        select(Question).where(Question.edition_id == edition.id).options(selectinload(Question.choices))
    ).all()
    by_id = {q.id: q for q in bank}
    number = (session.scalar(select(func.max(Attempt.number)).where(Attempt.assignment_id == assignment.id)) or 0) + 1
    seen = set(_question_ids(session, assignment.id, number - 1)) if number > 1 else set()
    drawn = fair_draw([(q.id, section_of(q.tags)) for q in bank], edition.draw, seen, _rng)
    try:
        with session.begin_nested():
            attempt = Attempt(
                assignment_id=assignment.id,
                user_id=user_id,
                edition_id=edition.id,
                number=number,
                started_at=clock.now(),
                question_count=len(drawn),
            )
            session.add(attempt)
            session.flush()
    except IntegrityError:
        return None
    for position, question_id in enumerate(drawn, 1):
        order = shuffled([c.id for c in by_id[question_id].choices], _rng)
        session.add(
            AttemptQuestion(
                attempt_id=attempt.id,
                question_id=question_id,
                position=position,
                choice_order=",".join(map(str, order)),
            )
        )
    session.flush()
    return attempt


def _question_ids(session: Session, assignment_id: int, number: int) -> list[int]:
    return list(
        session.scalars(
            select(AttemptQuestion.question_id)
            .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
            .where(Attempt.assignment_id == assignment_id, Attempt.number == number)
        )
    )


def new_questions(session: Session, attempt: Attempt) -> int | None:
    """How many of a retry's questions were not in the attempt before it (None for a first attempt)."""
    if attempt.number == 1:
        return None
    before = set(_question_ids(session, attempt.assignment_id, attempt.number - 1))
    return sum(1 for aq in attempt.questions if aq.question_id not in before)


def missed_sections(session: Session, assignment: Assignment) -> list[Section]:
    """The sections behind the questions missed in the latest attempt, when it was submitted and failed:
    what to reread before the next one. Empty after a pass, before any attempt, or while one is open."""
    latest = session.scalar(
        select(Attempt).where(Attempt.assignment_id == assignment.id).order_by(Attempt.number.desc()).limit(1)
    )
    if latest is None or latest.submitted_at is None or latest.passed:
        return []
    tags = session.scalars(
        select(Question.tags)
        .join(AttemptQuestion, AttemptQuestion.question_id == Question.id)
        .where(AttemptQuestion.attempt_id == latest.id, AttemptQuestion.correct.is_(False))
    )
    positions = {p for p in map(section_of, tags) if p is not None}
    if not positions:
        return []
    return list(
        session.scalars(
            select(Section)
            .where(Section.edition_id == latest.edition_id, Section.position.in_(positions))
            .order_by(Section.position)
        )
    )


def open_attempt(session: Session, assignment_id: int) -> Attempt | None:
    return session.scalar(
        select(Attempt).where(
            Attempt.assignment_id == assignment_id, Attempt.submitted_at.is_(None), Attempt.abandoned_at.is_(None)
        )
    )


def check_answerable(attempt: Attempt, assignment: Assignment) -> None:
    """Refuses an open-looking attempt that may no longer be answered: one set aside as abandoned, or any
    left open once the assignment's quiz was passed (completing the same edition elsewhere passes it)."""
    if attempt.abandoned_at is not None:
        raise QuizError("abandoned")
    if attempt.is_open and (assignment.quiz_passed_at is not None or assignment.is_completed):
        raise QuizError("already_passed")


def submitted_meanwhile(session: Session, attempt: Attempt) -> bool:
    """Whether a concurrent request submitted the attempt after this one read it: a second tab's submit that
    passed the quiz between reading the attempt (open) and its assignment (passed) is a double submit."""
    session.refresh(attempt, ["submitted_at"])
    return attempt.submitted_at is not None


def load_attempt(session: Session, attempt_id: int, user_id: int) -> Attempt:
    """An attempt with its questions, choices and answers loaded in a fixed number of queries."""
    attempt = session.scalar(
        select(Attempt)
        .where(Attempt.id == attempt_id)
        .options(
            selectinload(Attempt.questions).selectinload(AttemptQuestion.question).selectinload(Question.choices),
            selectinload(Attempt.questions).selectinload(AttemptQuestion.answers),
        )
    )
    if attempt is None:
        raise NotFound
    if attempt.user_id != user_id:
        raise QuizForbidden
    return attempt


@dataclass(frozen=True)
class SubmitResult:
    attempt: Attempt
    check: AnswerCheck | None  # set when answers were missing and nothing was recorded
    already_submitted: bool = False


def submit(session: Session, attempt: Attempt, assignment: Assignment, form: dict[str, list[str]]) -> SubmitResult:
    """Grades an open attempt exactly once; a repeated submission returns the first result untouched, marked
    `already_submitted` so that the page can say so.

    Raises TamperedAnswers for a post no browser would send; returns `check` with the unanswered
    positions (recording nothing) when the learner left questions out.
    """
    if attempt.submitted_at is not None:
        return SubmitResult(attempt, None, already_submitted=True)
    check_answerable(attempt, assignment)  # a leftover attempt must not record a score after the pass
    check_open(assignment)  # the period closed (or the assignment was withdrawn) while the quiz was open
    offered = {aq.id: (aq.question.kind, aq.choice_ids) for aq in attempt.questions}
    check = parse_answers(form, offered, allowed_extra={"csrf_token"})
    if check.unanswered:
        return SubmitResult(attempt, check)
    now = clock.now()
    # Claim the attempt atomically: of two concurrent submissions only one sees rowcount 1.
    claimed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None), Attempt.abandoned_at.is_(None))
        .values(submitted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        # A concurrent submit won (it committed before this UPDATE could claim the row): read its time.
        session.refresh(attempt, ["submitted_at", "abandoned_at"])
        return SubmitResult(attempt, None, already_submitted=True)
    # The answers saved as they were picked have done their work: the graded ones are recorded below.
    session.execute(delete(SavedAnswer).where(SavedAnswer.attempt_id == attempt.id))
    keys = {aq.id: {c.id for c in aq.question.choices if c.correct} for aq in attempt.questions}
    result = grade(check.answers, keys, assignment.edition.pass_mark)
    # One executemany for the verdicts and one batched insert for the answers, whatever the draw size.
    session.execute(update(AttemptQuestion), [{"id": aq_id, "correct": ok} for aq_id, ok in result.correct.items()])
    session.execute(
        insert(AttemptAnswer),
        [
            {"attempt_question_id": aq.id, "choice_id": choice_id}
            for aq in attempt.questions
            for choice_id in sorted(check.answers[aq.id])
        ],
    )
    attempt.submitted_at = now
    attempt.correct_count, attempt.score, attempt.passed = result.correct_count, result.score, result.passed
    # In one statement, against the row as it is: the best score never goes down and the first pass stays.
    best = func.coalesce(Assignment.best_score, 0)
    values = {"best_score": case((best > result.score, best), else_=result.score)}
    if result.passed:
        values["quiz_passed_at"] = func.coalesce(Assignment.quiz_passed_at, literal(now, UTCDateTime()))
    session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.expire(assignment, ["best_score", "quiz_passed_at"])
    record(
        session,
        "quiz_submitted",
        actor_id=attempt.user_id,
        target=("attempt", attempt.id),
        details={"assignment_id": assignment.id, "score": result.score, "passed": result.passed},
    )
    session.flush()
    return SubmitResult(attempt, None)


def attempts_of(session: Session, assignment_id: int) -> list[Attempt]:
    return list(session.scalars(select(Attempt).where(Attempt.assignment_id == assignment_id).order_by(Attempt.number)))
