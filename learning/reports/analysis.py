"""Item analysis read from the database: per question of one edition or of several at once, the figures of
the submitted attempts (items.py computes them), how often each wrong choice was picked, and the desk
questions asked about it. Several editions cost the same few statements as one (the annual report reads every
edition of a year). Read-only and Flask-free."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning.courses.models import Choice, Question
from learning.desk.models import DeskQuestion
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptQuestion
from learning.reports.items import ItemFigures, analyse
from learning.training.models import Assignment

STREAM_ROWS = 50_000  # marked answers fetched at a time

# Per edition: figures by question id, wrong picks by choice id, desk questions by question id, attempts.
Analysis = tuple[dict[int, ItemFigures], dict[int, int], dict[int, int], int]


def item_analysis(
    session: Session, edition_id: int, campaign_ids: list[int] | None = None, with_picks: bool = True
) -> Analysis:
    """Per question of an edition: figures from submitted attempts (only those made for the given campaigns'
    assignments, when given: a fiscal year's), wrong-choice picks (unless not wanted: at a whole group's scale
    they are a second pass over every answer), desk questions."""
    return item_analyses(session, [edition_id], campaign_ids, with_picks)[edition_id]


def item_analyses(
    session: Session, edition_ids: list[int], campaign_ids: list[int] | None = None, with_picks: bool = True
) -> dict[int, Analysis]:
    """item_analysis for each of `edition_ids`, in one statement per kind of figure for them all."""
    submitted = [Attempt.edition_id.in_(edition_ids or [-1]), Attempt.submitted_at.is_not(None)]
    if campaign_ids is not None:
        for_campaigns = select(Assignment.id).where(Assignment.campaign_id.in_(campaign_ids or [-1]))
        submitted.append(Attempt.assignment_id.in_(for_campaigns))
    scores: dict[int, dict[int, int]] = defaultdict(dict)
    for attempt_id, edition_id, score in session.execute(
        select(Attempt.id, Attempt.edition_id, Attempt.score).where(*submitted)
    ):
        scores[edition_id][attempt_id] = score
    # The marked answers stream edition by edition (a server-side cursor on PostgreSQL): each edition is analysed
    # once its rows have passed and its rows dropped, so memory holds one edition's answers, not a year's of
    # every edition (2 GB for five editions of 100,000 people).
    figures: dict[int, dict[int, ItemFigures]] = {}
    current, marks = None, []
    streamed = session.execute(
        select(Attempt.edition_id, AttemptQuestion.attempt_id, AttemptQuestion.question_id, AttemptQuestion.correct)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(*submitted)
        .order_by(Attempt.edition_id)
        .execution_options(yield_per=STREAM_ROWS)
    )
    for edition_id, *mark in streamed:
        if edition_id != current:
            if current is not None:
                figures[current] = analyse(scores[current], marks)
            current, marks = edition_id, []
        marks.append(tuple(mark))
    if current is not None:
        figures[current] = analyse(scores[current], marks)
    del marks
    picks = _wrong_picks(session, submitted) if with_picks else {}
    desk: dict[int, dict[int, int]] = defaultdict(dict)
    for edition_id, question_id, count in session.execute(
        select(Question.edition_id, DeskQuestion.bank_question_id, func.count())
        .join(Question, Question.id == DeskQuestion.bank_question_id)
        .where(Question.edition_id.in_(edition_ids or [-1]))
        .group_by(Question.edition_id, DeskQuestion.bank_question_id)
    ):
        desk[edition_id][question_id] = count
    return {e: (figures.get(e, {}), picks.get(e, {}), desk[e], len(scores[e])) for e in dict.fromkeys(edition_ids)}


def _wrong_picks(session: Session, submitted: list) -> dict[int, dict[int, int]]:
    """Per edition, how often each wrong choice was picked in the attempts `submitted` selects."""
    picks: dict[int, dict[int, int]] = defaultdict(dict)
    for edition_id, choice_id, count in session.execute(
        select(Attempt.edition_id, AttemptAnswer.choice_id, func.count())
        .join(Choice, Choice.id == AttemptAnswer.choice_id)
        .join(AttemptQuestion, AttemptQuestion.id == AttemptAnswer.attempt_question_id)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Choice.correct.is_(False), *submitted)
        .group_by(Attempt.edition_id, AttemptAnswer.choice_id)
    ):
        picks[edition_id][choice_id] = count
    return picks
