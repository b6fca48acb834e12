"""The conduct-rule desk, the desk's side: the inbox, replies and notes, assignment and status, the FAQ, statistics.

Every read of a question by desk staff is audited; statistics are aggregates only, never askers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import User
from learning.audit.services import record
from learning.courses.term_settings import current_terms
from learning.courses.terms import substitute
from learning.desk import search_feed
from learning.desk.calendar import business_days_between
from learning.desk.models import CATEGORIES, STATUSES, DeskMessage, DeskQuestion, FaqEntry
from learning.desk.service_level import SERVICE_LEVEL_DAYS, asked_between, is_late  # noqa: F401 - read here too
from learning.desk.services import JST, DeskError, clean_text, question_by_code
from learning.notify.services import Mail, enqueue
from learning.notify.texts import t

INBOX_FILTERS = {"status": STATUSES, "category": CATEGORIES}


@dataclass(frozen=True)
class InboxRow:
    question: DeskQuestion
    business_days: int
    late: bool


def inbox(
    session: Session,
    status: str | None = None,
    category: str | None = None,
    module_id: int | None = None,
    assignee_id: int | None = None,
) -> list[InboxRow]:
    """Questions for the desk, oldest first, with their age in business days against the service level."""
    query = select(DeskQuestion)
    query = query.where(DeskQuestion.status == status) if status else query.where(DeskQuestion.status != "closed")
    if category:
        query = query.where(DeskQuestion.category == category)
    if module_id:
        query = query.where(DeskQuestion.module_id == module_id)
    if assignee_id:
        query = query.where(DeskQuestion.assignee_id == assignee_id)
    today = (clock.now() + JST).date()
    rows = []
    # Oldest first by the time kept: an anonymous question keeps only its day, so it sorts at the start of
    # that day, and ties go by the random code, never by id (the id order is the order of asking).
    for question in session.scalars(query.order_by(DeskQuestion.asked_at, DeskQuestion.code).limit(500)):
        age = business_days_between((question.asked_at + JST).date(), today)
        rows.append(InboxRow(question, age, is_late(question.status, age)))
    return rows


def read_for_desk(session: Session, code: str, reader_id: int) -> DeskQuestion | None:
    """A question opened by desk staff (or compliance, or audit), by its code; every such read is audited."""
    question = question_by_code(session, code)
    if question is not None:
        record(session, "desk_question_read", actor_id=reader_id, target=("desk_question", question.code))
    return question


def desk_reply(session: Session, question: DeskQuestion, staff_id: int, body: str, portal_url: str) -> DeskMessage:
    """Answers the asker; a named asker is told by email, an anonymous one reads it with the claim code."""
    message = DeskMessage(
        question_id=question.id, author_kind="desk", author_id=staff_id, body=clean_text(body), created_at=clock.now()
    )
    session.add(message)
    # answered_at is the first answer, which the service level measures; later replies leave it.
    question.status, question.answered_at = "answered", question.answered_at or message.created_at
    question.assignee_id = question.assignee_id or staff_id
    session.flush()
    record(session, "desk_question_answered", actor_id=staff_id, target=("desk_question", question.code))
    if question.asker_id:
        asker = session.get(User, question.asker_id)
        if asker is not None and asker.email:
            locale = asker.locale
            body_text = "\n".join(
                [
                    t(locale, "Dear %(name)s,", name=asker.name),
                    "",
                    t(
                        locale,
                        "The %(desk)s has answered your question. Read the answer on the portal:",
                        desk=desk_name(session, locale),
                    ),
                    f"{portal_url}desk/mine/{question.code}",
                ]
            )
            enqueue(
                session,
                [
                    Mail(
                        f"desk-answer:{message.id}",
                        "desk_answer",
                        asker.email,
                        t(locale, "[Conduct Rules Portal] The desk has answered your question"),
                        body_text,
                        asker.id,
                    )
                ],
            )
    return message


def add_note(session: Session, question: DeskQuestion, staff_id: int, body: str) -> DeskMessage:
    message = DeskMessage(
        question_id=question.id, author_kind="note", author_id=staff_id, body=clean_text(body), created_at=clock.now()
    )
    session.add(message)
    if question.status == "new":
        question.status = "in_progress"
    session.flush()
    return message


def assign(session: Session, question: DeskQuestion, staff_id: int, assignee_id: int | None) -> None:
    question.assignee_id = assignee_id
    if question.status == "new":
        question.status = "in_progress"
    record(
        session,
        "desk_question_assigned",
        actor_id=staff_id,
        target=("desk_question", question.code),
        details={"assignee_id": assignee_id},
    )


def set_status(session: Session, question: DeskQuestion, staff_id: int, status: str) -> None:
    if status not in STATUSES:
        raise DeskError("status", "status")
    question.status = status
    record(
        session,
        "desk_question_status",
        actor_id=staff_id,
        target=("desk_question", question.code),
        details={"status": status},
    )


# FAQ -------------------------------------------------------------------------------------------


@dataclass
class FaqDraft:
    question_ja: str
    question_en: str
    answer_ja: str
    answer_en: str
    module_id: int | None = None
    section_position: int | None = None
    source_question_id: int | None = None


def save_faq(session: Session, entry: FaqEntry | None, draft: FaqDraft, staff_id: int) -> FaqEntry:
    """Creates or revises an entry; the text must be rewritten, never the asker's words as they were."""
    fields = {
        name: clean_text(getattr(draft, name), name)
        for name in ("question_ja", "question_en", "answer_ja", "answer_en")
    }
    if draft.source_question_id:
        source = session.get(DeskQuestion, draft.source_question_id)
        original = _normalise(source.body) if source else ""
        if original and original in (_normalise(fields["question_ja"]), _normalise(fields["question_en"])):
            raise DeskError("copied", "question_ja")
    if draft.section_position is not None and draft.module_id is None:
        raise DeskError("section_without_module", "module")
    entry = entry or FaqEntry(status="draft", source_question_id=draft.source_question_id)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.module_id, entry.section_position = draft.module_id, draft.section_position
    entry.updated_by_id, entry.updated_at = staff_id, clock.now()
    if draft.source_question_id and draft.section_position:
        # The desk has placed the question in a section (asked from a quiz result, say): count it there.
        source = session.get(DeskQuestion, draft.source_question_id)
        if source.section_position is None and source.module_id in (None, draft.module_id):
            source.module_id, source.section_position = draft.module_id, draft.section_position
    session.add(entry)
    session.flush()
    record(session, "faq_saved", actor_id=staff_id, target=("faq", entry.id))
    search_feed.update(session, entry)
    return entry


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def set_faq_status(session: Session, entry: FaqEntry, status: str, staff_id: int) -> None:
    entry.status = status
    if status == "published":
        entry.published_at = clock.now()
    record(session, f"faq_{status}", actor_id=staff_id, target=("faq", entry.id))
    session.flush()
    search_feed.update(session, entry)


# What questions reveal -------------------------------------------------------------------------


def question_stats(session: Session, start: date | None = None, end: date | None = None) -> dict:
    """Aggregates only: counts per category, module, section, quiz question and month. No askers.

    With `start` and `end`, only the questions asked on the days [start, end) in Japan (a fiscal year:
    service_level.fiscal_year_bounds)."""
    rows = session.execute(
        select(
            DeskQuestion.category,
            DeskQuestion.module_id,
            DeskQuestion.edition_id,
            DeskQuestion.section_position,
            DeskQuestion.bank_question_id,
            DeskQuestion.asked_at,
        ).where(*asked_between(start, end))
    ).all()
    by_section = Counter((r.module_id, r.edition_id, r.section_position) for r in rows if r.section_position)
    return {
        "total": len(rows),
        "categories": Counter(r.category for r in rows),
        "modules": Counter(r.module_id for r in rows if r.module_id),
        "sections": by_section.most_common(10),
        "quiz_questions": Counter(r.bank_question_id for r in rows if r.bank_question_id).most_common(10),
        "months": sorted(Counter((r.asked_at + JST).strftime("%Y-%m") for r in rows).items()),
    }


def desk_name(session: Session, locale: str) -> str:
    """The desk as the organisation terms in force name it, in an email's language."""
    return substitute("{{desk}}", locale, current_terms(session))
