"""Notices and messages from management: who they are for, when they show, and who has read them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning import clock
from learning.db import Base

KINDS = ("notice", "management")
STATUSES = ("draft", "review", "published", "withdrawn")


class Notice(Base):
    """A notice, or a message from management signed with the sender's title (社長メッセージ).

    One asking for acknowledgement is published only by a second person: the database refuses an approver who
    wrote, last edited or sent it for review, and a published one without an approver."""

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint("kind in ('notice', 'management')", name="kind"),
        CheckConstraint("status in ('draft', 'review', 'published', 'withdrawn')", name="status"),
        CheckConstraint(
            "approved_by_id is null or (approved_by_id <> created_by_id and approved_by_id <> edited_by_id"
            " and (submitted_by_id is null or approved_by_id <> submitted_by_id))",
            name="second_person_approves",
        ),
        CheckConstraint("not requires_ack or published_at is null or approved_by_id is not null", name="four_eyes"),
        CheckConstraint("shown_until is null or shown_until > shown_from", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="notice")
    sender_ja: Mapped[str | None] = mapped_column(String(200))  # the sender's title, for a management message
    sender_en: Mapped[str | None] = mapped_column(String(200))
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_ja: Mapped[str] = mapped_column(Text)  # Markdown, rendered and sanitised as sections are
    body_en: Mapped[str] = mapped_column(Text)
    everyone: Mapped[bool] = mapped_column(default=True)
    shown_from: Mapped[datetime]
    shown_until: Mapped[datetime | None]
    pinned: Mapped[bool] = mapped_column(default=False)
    requires_ack: Mapped[bool] = mapped_column(default=False)
    heads_only: Mapped[bool] = mapped_column(default=False, server_default=false())  # heads of departments only
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Raised by every edit: an edit from an older page is refused, never applied over another's (one UPDATE).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    edited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]

    departments: Mapped[list[NoticeDepartment]] = relationship(
        cascade="all, delete-orphan", order_by="NoticeDepartment.department_id"
    )

    @property
    def titles(self) -> dict[str, str]:
        return {"ja": self.title_ja, "en": self.title_en}

    @property
    def bodies(self) -> dict[str, str]:
        return {"ja": self.body_ja, "en": self.body_en}

    @property
    def first_day(self) -> date:
        """The first Tokyo day it is shown."""
        return clock.tokyo_date(self.shown_from)

    @property
    def last_day(self) -> date | None:
        """The last Tokyo day it is shown (None: until withdrawn)."""
        return clock.tokyo_date(self.shown_until) - timedelta(days=1) if self.shown_until else None

    @property
    def senders(self) -> dict[str, str] | None:
        return {"ja": self.sender_ja or "", "en": self.sender_en or ""} if self.kind == "management" else None


class NoticeDepartment(Base):
    """A department subtree a notice is addressed to (a company is a department at the top of the tree)."""

    __tablename__ = "notice_departments"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)


class NoticeReceipt(Base):
    """A person opened a notice, and (if it asks) acknowledged it: one row per person and notice, so a double
    click acknowledges once. The department is the person's at the moment of acknowledging."""

    __tablename__ = "notice_receipts"
    __table_args__ = (
        UniqueConstraint("notice_id", "user_id"),
        CheckConstraint("acknowledged_at is null or acknowledged_at >= opened_at", name="ack_after_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    opened_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


class NoticeReminder(Base):
    """A reminder to those of a department subtree who have not acknowledged a notice: one per notice,
    department and Tokyo day, claimed by an INSERT before any email is queued."""

    __tablename__ = "notice_reminders"
    __table_args__ = (UniqueConstraint("notice_id", "department_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    day: Mapped[date]
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime]
    people: Mapped[int]
