"""Questions to the conduct-rule desk, their threads, and the FAQ built from them.

An anonymous question stores nothing that points to its asker: no user id, no address, no session, and
only the day it was asked. The asker holds a claim code; only its hash is kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base

CATEGORIES = ("information", "ids_systems", "consignment", "transfers", "other")
STATUSES = ("new", "in_progress", "waiting", "answered", "closed")


class DeskQuestion(Base):
    __tablename__ = "desk_questions"
    __table_args__ = (
        CheckConstraint("status in ('new', 'in_progress', 'waiting', 'answered', 'closed')", name="status"),
        # Either a named asker or a claim code, never both.
        CheckConstraint("(asker_id IS NULL) <> (claim_hash IS NULL)", name="named_or_anonymous"),
        Index("ix_desk_questions_status_asked_at", "status", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
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

    messages: Mapped[list[DeskMessage]] = relationship(order_by="DeskMessage.id", lazy="selectin")

    @property
    def anonymous(self) -> bool:
        return self.asker_id is None


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
