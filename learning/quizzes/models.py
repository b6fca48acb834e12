"""Quiz attempts: the questions drawn, in which order, what was answered, and the grade."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.courses.models import Choice, Question
from learning.db import Base

OPEN_WHERE = "submitted_at is null and abandoned_at is null"


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        # One number per assignment: two concurrent "start" requests cannot both create attempt n.
        UniqueConstraint("assignment_id", "number"),
        # One open attempt per assignment, whatever the requests do: a second one could be submitted after
        # the pass (migration 0022 set the extra ones aside as abandoned).
        Index(
            "uq_attempts_open",
            "assignment_id",
            unique=True,
            postgresql_where=text(OPEN_WHERE),
            sqlite_where=text(OPEN_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    number: Mapped[int]
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    # Set aside, never submitted: an extra open attempt from before the database held one per assignment.
    abandoned_at: Mapped[datetime | None]
    question_count: Mapped[int]
    correct_count: Mapped[int | None]
    score: Mapped[int | None]
    passed: Mapped[bool | None]

    questions: Mapped[list[AttemptQuestion]] = relationship(
        order_by="AttemptQuestion.position", back_populates="attempt"
    )

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None and self.abandoned_at is None


class AttemptQuestion(Base):
    """One drawn question of an attempt, with the shuffled order its choices were shown in."""

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "position"), UniqueConstraint("attempt_id", "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int]
    choice_order: Mapped[str] = mapped_column(String(200))  # choice ids, comma-separated, as shown
    correct: Mapped[bool | None]

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(back_populates="attempt_question")

    @property
    def choice_ids(self) -> list[int]:
        return [int(i) for i in self.choice_order.split(",")]


class AttemptAnswer(Base):
    """A choice the learner picked; kept for item analysis (which distractors draw people in)."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_question_id", "choice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_question_id: Mapped[int] = mapped_column(ForeignKey("attempt_questions.id"))
    choice_id: Mapped[int] = mapped_column(ForeignKey("choices.id"), index=True)

    attempt_question: Mapped[AttemptQuestion] = relationship(back_populates="answers")
    choice: Mapped[Choice] = relationship()


class SavedAnswer(Base):
    """The choices picked so far for one question of an open attempt, saved as the learner picks them, so that a
    session ending mid-quiz loses nothing: the attempt page ticks them again after signing in. A draft only:
    grading reads the submitted form, and submitting deletes the attempt's saved answers. Written only while the
    attempt is open (quizzes.saving.save_answer: a conditional write behind the attempt's row lock)."""

    __tablename__ = "saved_answers"

    # One row per attempt and question: saving again replaces the choices (an upsert).
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    attempt_question_id: Mapped[int] = mapped_column(ForeignKey("attempt_questions.id"), primary_key=True)
    choice_ids: Mapped[str] = mapped_column(String(200))  # comma-separated, empty when every box was unticked
    saved_at: Mapped[datetime]
