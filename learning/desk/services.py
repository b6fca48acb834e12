"""The conduct-rule desk: asking (named or anonymous), threads, the desk's work, the FAQ, the statistics.

Anonymous questions: nothing is stored or recorded that points to the asker (no id, no address, no
request id, no audit event, the day only). The claim code is shown once and kept only as a hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import SignInFailure, User
from learning.audit.services import record
from learning.courses.models import Edition, Question, Section
from learning.desk.calendar import business_days_between
from learning.desk.models import CATEGORIES, STATUSES, DeskMessage, DeskQuestion, FaqEntry
from learning.notify.services import Mail, enqueue
from learning.notify.texts import t

MAX_LENGTH = 5000
ASK_LIMIT_PER_HOUR = 10
CLAIM_FAILURES_LIMIT = 10
CLAIM_WINDOW = timedelta(minutes=15)
SERVICE_LEVEL_DAYS = 3
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
JST = timedelta(hours=9)


class DeskError(Exception):
    """A request the desk cannot take; the message id says why (and which field, where it is one)."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code, self.field = code, field


@dataclass(frozen=True)
class Context:
    """Where a question was asked from: a module, one of its sections, or a quiz question."""

    module_id: int | None = None
    edition_id: int | None = None
    section_position: int | None = None
    bank_question_id: int | None = None


def check_context(session: Session, context: Context) -> Context:
    """The context if it names things that exist and belong together, else DeskError."""
    if context.edition_id is None:
        return Context()
    edition = session.get(Edition, context.edition_id)
    if edition is None:
        raise DeskError("bad_context")
    if (
        context.section_position is not None
        and session.scalar(
            select(Section.id).where(Section.edition_id == edition.id, Section.position == context.section_position)
        )
        is None
    ):
        raise DeskError("bad_context")
    if context.bank_question_id is not None:
        question = session.get(Question, context.bank_question_id)
        if question is None or question.edition_id != edition.id:
            raise DeskError("bad_context")
    return Context(edition.module_id, edition.id, context.section_position, context.bank_question_id)


def clean_text(body: str, field: str = "body") -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise DeskError("empty", field)
    if len(text) > MAX_LENGTH:
        raise DeskError("too_long", field)
    if CONTROL.search(text):
        raise DeskError("control_characters", field)
    return text


def hash_claim(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def ask(
    session: Session, asker: User, body: str, category: str, context: Context, anonymous: bool, locale: str
) -> tuple[DeskQuestion, str | None]:
    """Stores a question; for an anonymous one returns the claim code (shown once, never stored)."""
    text = clean_text(body)
    if category not in CATEGORIES:
        raise DeskError("category", "category")
    context = check_context(session, context)
    now = clock.now()
    claim_code = None
    fields = {
        "category": category,
        "body": text,
        "status": "new",
        "locale": locale if locale in ("ja", "en") else "ja",
        "module_id": context.module_id,
        "edition_id": context.edition_id,
        "section_position": context.section_position,
        "bank_question_id": context.bank_question_id,
    }
    if anonymous:
        claim_code = secrets.token_urlsafe(24)
        question = DeskQuestion(**fields, claim_hash=hash_claim(claim_code), asked_at=_start_of_day(now))
        session.add(question)
        session.flush()
        return question, claim_code  # deliberately no audit event: it would carry a time and a request
    recent = session.scalar(
        select(func.count())
        .select_from(DeskQuestion)
        .where(DeskQuestion.asker_id == asker.id, DeskQuestion.asked_at > now - timedelta(hours=1))
    )
    if recent >= ASK_LIMIT_PER_HOUR:
        raise DeskError("too_many")
    question = DeskQuestion(**fields, asker_id=asker.id, asked_at=now)
    session.add(question)
    session.flush()
    record(session, "desk_question_asked", actor_id=asker.id, target=("desk_question", question.id))
    return question, None


def _start_of_day(moment: datetime) -> datetime:
    """The start of the Tokyo day of `moment`, in UTC: an anonymous question keeps no finer time."""
    day = (moment.astimezone(UTC) + JST).date()
    return datetime.combine(day, time.min, UTC) - JST


CLAIM_KEY = hashlib.sha256(b"desk-claim").hexdigest()  # the throttling key of claim-code guesses


def claim(session: Session, code: str, address: str | None) -> DeskQuestion | None:
    """The anonymous question a claim code opens, or None; guessing is throttled per address."""
    key = CLAIM_KEY
    since = clock.now() - CLAIM_WINDOW
    if (
        address
        and session.scalar(
            select(func.count())
            .select_from(SignInFailure)
            .where(SignInFailure.account_key == key, SignInFailure.address == address, SignInFailure.at > since)
        )
        >= CLAIM_FAILURES_LIMIT
    ):
        raise DeskError("claim_locked")
    wanted = hash_claim(code or "")
    question = session.scalar(select(DeskQuestion).where(DeskQuestion.claim_hash == wanted))
    if question is None or not hmac.compare_digest(question.claim_hash, wanted):
        return None
    return question


def failed_claim(address: str | None) -> SignInFailure:
    """A wrong claim code, counted towards the address's lock (the view writes it with web.security_event,
    with no audit event: nothing may tie an address to an anonymous question's code)."""
    return SignInFailure(at=clock.now(), account_key=CLAIM_KEY, address=address)


def asker_reply(session: Session, question: DeskQuestion, body: str) -> DeskMessage:
    """The asker continues the thread (named, or through the claim code)."""
    if question.status == "closed":
        raise DeskError("closed")
    # An anonymous asker's reply keeps only the day, like the question itself.
    at = _start_of_day(clock.now()) if question.anonymous else clock.now()
    message = DeskMessage(question_id=question.id, author_kind="asker", body=clean_text(body), created_at=at)
    session.add(message)
    question.status = "in_progress" if question.status in ("waiting", "answered") else question.status
    session.flush()
    return message


def my_questions(session: Session, user_id: int) -> list[DeskQuestion]:
    return list(
        session.scalars(select(DeskQuestion).where(DeskQuestion.asker_id == user_id).order_by(DeskQuestion.id.desc()))
    )


def own_question(session: Session, user_id: int, question_id: int) -> DeskQuestion | None:
    question = session.get(DeskQuestion, question_id)
    return question if question is not None and question.asker_id == user_id else None


# The desk's side -------------------------------------------------------------------------------


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
    for question in session.scalars(query.order_by(DeskQuestion.asked_at, DeskQuestion.id).limit(500)):
        age = business_days_between((question.asked_at + JST).date(), today)
        late = question.status in ("new", "in_progress") and age > SERVICE_LEVEL_DAYS
        rows.append(InboxRow(question, age, late))
    return rows


def read_for_desk(session: Session, question_id: int, reader_id: int) -> DeskQuestion | None:
    """A question opened by desk staff (or compliance, or audit); every such read is audited."""
    question = session.get(DeskQuestion, question_id)
    if question is not None:
        record(session, "desk_question_read", actor_id=reader_id, target=("desk_question", question.id))
    return question


def desk_reply(session: Session, question: DeskQuestion, staff_id: int, body: str, portal_url: str) -> DeskMessage:
    """Answers the asker; a named asker is told by email, an anonymous one reads it with the claim code."""
    message = DeskMessage(
        question_id=question.id, author_kind="desk", author_id=staff_id, body=clean_text(body), created_at=clock.now()
    )
    session.add(message)
    question.status, question.answered_at = "answered", clock.now()
    question.assignee_id = question.assignee_id or staff_id
    session.flush()
    record(session, "desk_question_answered", actor_id=staff_id, target=("desk_question", question.id))
    if question.asker_id:
        asker = session.get(User, question.asker_id)
        if asker is not None and asker.email:
            locale = asker.locale
            body_text = "\n".join(
                [
                    t(locale, "Dear %(name)s,", name=asker.name),
                    "",
                    t(locale, "The conduct-rule desk has answered your question. Read the answer on the portal:"),
                    f"{portal_url}desk/mine/{question.id}",
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
        target=("desk_question", question.id),
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
        target=("desk_question", question.id),
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
    return entry


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def set_faq_status(session: Session, entry: FaqEntry, status: str, staff_id: int) -> None:
    entry.status = status
    if status == "published":
        entry.published_at = clock.now()
    record(session, f"faq_{status}", actor_id=staff_id, target=("faq", entry.id))


def published_faq(session: Session, query: str | None = None) -> list[FaqEntry]:
    statement = select(FaqEntry).where(FaqEntry.status == "published")
    if query:
        like = f"%{query.strip()[:100].replace('%', '').replace('_', '')}%"
        statement = statement.where(
            or_(
                FaqEntry.question_ja.ilike(like),
                FaqEntry.question_en.ilike(like),
                FaqEntry.answer_ja.ilike(like),
                FaqEntry.answer_en.ilike(like),
            )
        )
    return list(session.scalars(statement.order_by(FaqEntry.published_at.desc()).limit(200)))


def faq_for_section(session: Session, module_id: int, position: int) -> list[FaqEntry]:
    return list(
        session.scalars(
            select(FaqEntry)
            .where(
                FaqEntry.status == "published",
                FaqEntry.module_id == module_id,
                or_(FaqEntry.section_position == position, FaqEntry.section_position.is_(None)),
            )
            .order_by(FaqEntry.id)
        )
    )


# What questions reveal -------------------------------------------------------------------------


def question_stats(session: Session) -> dict:
    """Aggregates only: counts per category, module, section, quiz question and month. No askers."""
    rows = session.execute(
        select(
            DeskQuestion.category,
            DeskQuestion.module_id,
            DeskQuestion.edition_id,
            DeskQuestion.section_position,
            DeskQuestion.bank_question_id,
            DeskQuestion.asked_at,
        )
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
