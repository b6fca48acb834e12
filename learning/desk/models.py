"""Questions to the conduct-rule desk, their threads, and the FAQ built from them.

An anonymous question stores nothing that points to its asker: no user id, no address, no session, and
only the day it was asked. The asker holds a claim code; only its hash is kept. Every question is shown
to people by a random public code, never by its row id: ids are a sequence, and an anonymous question's
id between two named ones would tell when it was asked.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base

CATEGORIES = ("information", "ids_systems", "consignment", "transfers", "other")
STATUSES = ("new", "in_progress", "waiting", "answered", "closed")
# Crockford's base 32: digits and capitals without I, L, O and U, so a code read aloud or typed is not
# misread. Ten characters: 50 bits, so a collision (retried, see services.add_question) is rare.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    """A random public code for a question (no order, no time in it)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class DeskQuestion(Base):
    __tablename__ = "desk_questions"
    __table_args__ = (
        CheckConstraint("status in ('new', 'in_progress', 'waiting', 'answered', 'closed')", name="status"),
        # Either a named asker or a claim code, never both.
        CheckConstraint("(asker_id IS NULL) <> (claim_hash IS NULL)", name="named_or_anonymous"),
        Index("ix_desk_questions_status_asked_at", "status", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # internal only: never in a URL or on a page
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True, index=True, default=new_code)
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claim_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id"))
    section_position: Mapped[int | None]
    bank_question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    asked_at: Mapped[datetime]  # anonymous questions: the start of the day only
    answered_at: Mapped[datetime | None]
    # A named asker's last look at the thread: a desk reply after it is a notice on their home page.
    asker_seen_at: Mapped[datetime | None]

    messages: Mapped[list[DeskMessage]] = relationship(order_by="DeskMessage.id", lazy="selectin")

    @property
    def anonymous(self) -> bool:
        return self.asker_id is None


class DeskAskCount(Base):
    """How many anonymous questions one person has sent on one Tokyo day, for the daily limit.

    The key is an HMAC, under a key derived from the app's secret, of the person's id and the day
    (desk/keys.py): the row holds that key, the day and a count, nothing else; no question id, no
    time of day. Rows of earlier days are deleted by the next question asked. See allowance.py for what
    someone holding both the database and the secret could learn from it.
    """

    __tablename__ = "desk_ask_counts"
    __table_args__ = (CheckConstraint("asked > 0", name="asked_positive"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    asked: Mapped[int]


class DeskMessage(Base):
    """A reply in a question's thread: from the asker, from the desk, or an internal note of the desk."""

    __tablename__ = "desk_messages"
    __table_args__ = (CheckConstraint("author_kind in ('asker', 'desk', 'note')", name="author_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("desk_questions.id"), index=True)
    author_kind: Mapped[str] = mapped_column(String(6))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # desk staff only; never an anonymous asker
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class FaqEntry(Base):
    """A vetted, rewritten question and answer in both languages, published on the portal."""

    __tablename__ = "faq_entries"
    __table_args__ = (CheckConstraint("status in ('draft', 'published', 'retired')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_ja: Mapped[str] = mapped_column(Text)
    question_en: Mapped[str] = mapped_column(Text)
    answer_ja: Mapped[str] = mapped_column(Text)
    answer_en: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    section_position: Mapped[int | None]  # with module_id: shown at the end of that section
    source_question_id: Mapped[int | None] = mapped_column(ForeignKey("desk_questions.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]

    @property
    def questions(self) -> dict[str, str]:
        return {"ja": self.question_ja, "en": self.question_en}

    @property
    def answers(self) -> dict[str, str]:
        return {"ja": self.answer_ja, "en": self.answer_en}
