"""What a question was asked about, and by when the desk aims to answer it: the question pages show both.

The context is the edition the asker was reading (its module's title), the section (its title, and where it
can be read: the asker's own assignment of that edition, or the desk's preview of the section), or the quiz
question (its prompt). The target is the service level's (service_level.SERVICE_LEVEL_DAYS business days in
Japan after the day asked). Flask-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.courses.models import Edition, Question, Section
from learning.desk.calendar import add_business_days, business_days_between
from learning.desk.models import DeskQuestion
from learning.desk.service_level import SERVICE_LEVEL_DAYS, is_late
from learning.training.models import Assignment


@dataclass(frozen=True)
class AskedAbout:
    module: dict[str, str]  # the edition's titles (content: shown through the `content` filter)
    edition_id: int
    section_position: int | None
    section: dict[str, str] | None  # the section's titles
    quiz_prompt: dict[str, str] | None


def asked_about(session: Session, question: DeskQuestion) -> AskedAbout | None:
    """The context the question was asked from, or None (asked from the desk's page itself)."""
    edition = session.get(Edition, question.edition_id) if question.edition_id else None
    if edition is None and question.module_id:  # asked before editions were kept: the module's published one
        edition = session.scalar(
            select(Edition).where(Edition.module_id == question.module_id, Edition.status == "published")
        )
    if edition is None:
        return None
    section = None
    if question.section_position is not None:
        section = session.scalar(
            select(Section).where(Section.edition_id == edition.id, Section.position == question.section_position)
        )
    quiz = session.get(Question, question.bank_question_id) if question.bank_question_id else None
    return AskedAbout(
        module=edition.titles,
        edition_id=edition.id,
        section_position=section.position if section else None,
        section=section.titles if section else None,
        quiz_prompt=quiz.prompts if quiz else None,
    )


def reading_assignment(session: Session, user_id: int, edition_id: int) -> int | None:
    """The reader's own assignment of the edition, the latest, where a section's link takes them; or None."""
    return session.scalar(
        select(Assignment.id)
        .where(Assignment.user_id == user_id, Assignment.edition_id == edition_id)
        .order_by(Assignment.assigned_at.desc(), Assignment.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Target:
    days: int  # business days
    due_on: date  # the last business day within the target, in Japan
    answered_on: date | None  # the first answer's day
    met: bool | None  # answered within the target, as the service-level figures count it; None while unanswered
    late: bool  # unanswered, the desk's to answer (not waiting for the asker), past the target


def target(question: DeskQuestion, today: date | None = None) -> Target:
    """The target as service_level counts it: business days from the day asked to the day answered (or today)."""
    asked_on = clock.tokyo_date(question.asked_at)
    answered_on = clock.tokyo_date(question.answered_at) if question.answered_at else None
    today = today or clock.tokyo_date(clock.now())
    met = None if answered_on is None else business_days_between(asked_on, answered_on) <= SERVICE_LEVEL_DAYS
    late = answered_on is None and is_late(question.status, business_days_between(asked_on, today))
    return Target(SERVICE_LEVEL_DAYS, add_business_days(asked_on, SERVICE_LEVEL_DAYS), answered_on, met, late)
