"""The conduct-rule desk, the asker's side: asking (named or anonymous), claims, own threads, the published FAQ.

Anonymous questions: nothing is stored or recorded that points to the asker (no id, no address, no
request id, no audit event, the day only). The claim code is shown once and kept only as a hash; it is
drawn from a random receipt that rides in the asker's cookie to the next page (keys.py), so the cookie
never holds the code itself. The daily limit on anonymous questions is counted without naming the
question (allowance.py). Named and
anonymous asks do the same kind of work (a few statements, nothing sent from the request), so neither
is measurably slower. Questions are known to people by their random code (models.new_code), never by id.
The desk's own work on the questions is in handling.py.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import throttle
from learning.accounts.models import User
from learning.audit.services import record
from learning.courses.models import Edition, Question, Section
from learning.desk import allowance, keys
from learning.desk.messages import MESSAGES
from learning.desk.models import CATEGORIES, CODE_ALPHABET, CODE_LENGTH, DeskMessage, DeskQuestion, FaqEntry, new_code
from learning.errors import DomainError
from learning.inputs import CONTROL

MAX_LENGTH = 5000
ASK_LIMIT_PER_HOUR = 10
JST = timedelta(hours=9)
CODE_ATTEMPTS = 5


class DeskError(DomainError):
    """A request the desk cannot take; the code says why (desk/messages.py), the field where it is one."""

    messages = MESSAGES

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code, field=field, **params)


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
        raise DeskError("too_long", field, n=MAX_LENGTH)
    if CONTROL.search(text):
        raise DeskError("control_characters", field)
    return text


def hash_claim(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def ask(
    session: Session,
    asker: User,
    body: str,
    category: str,
    context: Context,
    anonymous: bool,
    locale: str,
    secret: str | bytes,
    receipt: str,
) -> tuple[DeskQuestion, str | None]:
    """Stores a question; for an anonymous one returns the claim code (shown once, never stored).

    `secret` (the app's SECRET_KEY) keys the anonymous daily count and, with `receipt` (a random string
    the asker's next page gets to show the code: see sent_receipt), the claim code (keys.py)."""
    text = clean_text(body)
    if category not in CATEGORIES:
        raise DeskError("category", "category")
    context = check_context(session, context)
    now = clock.now()
    today = clock.tokyo_date(now)
    allowance.forget_before(session, today)  # on both paths: neither kind of ask does work the other does not
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
        if allowance.take(session, keys.counter_key(secret, asker.id, today), today) > allowance.ANONYMOUS_PER_DAY:
            raise DeskError("too_many_today", n=allowance.ANONYMOUS_PER_DAY)  # the refusal rolls the count back
        claim_code = keys.claim_code(secret, receipt)
        question = add_question(
            session, DeskQuestion(**fields, claim_hash=hash_claim(claim_code), asked_at=_start_of_day(now))
        )
        return question, claim_code  # deliberately no audit event: it would carry a time and a request
    recent = session.scalar(
        select(func.count())
        .select_from(DeskQuestion)
        .where(DeskQuestion.asker_id == asker.id, DeskQuestion.asked_at > now - timedelta(hours=1))
    )
    if recent >= ASK_LIMIT_PER_HOUR:
        raise DeskError("too_many")
    question = add_question(session, DeskQuestion(**fields, asker_id=asker.id, asked_at=now))
    record(session, "desk_question_asked", actor_id=asker.id, target=("desk_question", question.code))
    return question, None


def add_question(session: Session, question: DeskQuestion, codes=new_code) -> DeskQuestion:
    """Adds `question` under a fresh random code from `codes`; the unique index refuses a code already
    taken (rare: 50 bits), and then another is drawn."""
    for _ in range(CODE_ATTEMPTS):
        question.code = codes()
        try:
            with session.begin_nested():
                session.add(question)
        except IntegrityError:
            if session.scalar(select(DeskQuestion.id).where(DeskQuestion.code == question.code)) is None:
                raise  # some other constraint
        else:
            return question
    raise RuntimeError("no free question code after several draws")


def normal_code(code: str | None) -> str | None:
    """A question code as typed or in a URL, in its stored form; None if it cannot be one."""
    code = (code or "").strip().upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def question_by_code(session: Session, code: str | None) -> DeskQuestion | None:
    code = normal_code(code)
    return session.scalar(select(DeskQuestion).where(DeskQuestion.code == code)) if code else None


def sent_receipt(session: Session, secret: str | bytes, receipt: str) -> tuple[str, bool]:
    """The claim code a receipt stands for, and whether a question has it (an anonymous ask) or not (a
    named one: the code then opens nothing, and only fills the page to the same length). One lookup
    either way."""
    code = keys.claim_code(secret, receipt)
    return code, session.scalar(select(DeskQuestion.id).where(DeskQuestion.claim_hash == hash_claim(code))) is not None


def _start_of_day(moment: datetime) -> datetime:
    """The start of the Tokyo day of `moment`, in UTC: an anonymous question keeps no finer time."""
    day = (moment.astimezone(UTC) + JST).date()
    return datetime.combine(day, time.min, UTC) - JST


def claim_counters(address: str | None) -> list[throttle.Counter]:
    """Claim-code guesses count per address, on a counter of their own (not a sign-in's)."""
    return [throttle.counter("claim_code", throttle.CLAIM_CODE, address)]


def claim(session: Session, code: str, address: str | None) -> DeskQuestion | None:
    """The anonymous question a claim code opens, or None; guessing slows down per address."""
    delay = throttle.wait(session, claim_counters(address))
    if delay:
        raise DeskError("claim_locked", seconds=throttle.seconds(delay))
    # The code as typed (the 32-character codes given out before, exact) and in its shown form (today's).
    candidates = {hash_claim(code or "")}
    if (shown := keys.typed_claim_code(code or "")) is not None:
        candidates.add(hash_claim(shown))
    question = session.scalar(select(DeskQuestion).where(DeskQuestion.claim_hash.in_(candidates)))
    if question is None or not any(hmac.compare_digest(question.claim_hash, c) for c in candidates):
        return None
    return question


def count_failed_claim(session: Session, address: str | None) -> None:
    """A wrong claim code, counted towards the address's delay (the view writes it with web.security_event,
    with no audit event: nothing may tie an address to an anonymous question's code)."""
    throttle.count_failure(session, claim_counters(address))


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
        session.scalars(
            select(DeskQuestion)
            .where(DeskQuestion.asker_id == user_id)
            .order_by(DeskQuestion.asked_at.desc(), DeskQuestion.code)
        )
    )


def own_question(session: Session, user_id: int, code: str) -> DeskQuestion | None:
    question = question_by_code(session, code)
    return question if question is not None and question.asker_id == user_id else None


# The published FAQ ----------------------------------------------------------------------------


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


# Built once: the reader shows it on every section page (see training/services.py's learner statements).
_FAQ_FOR_SECTION = (
    select(FaqEntry)
    .where(
        FaqEntry.status == "published",
        FaqEntry.module_id == bindparam("module_id"),
        or_(FaqEntry.section_position == bindparam("position"), FaqEntry.section_position.is_(None)),
    )
    .order_by(FaqEntry.id)
)


def faq_for_section(session: Session, module_id: int, position: int) -> list[FaqEntry]:
    return list(session.scalars(_FAQ_FOR_SECTION, {"module_id": module_id, "position": position}))
