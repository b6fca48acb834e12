"""Assignments: a person's way through one edition, from first section to attestation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.courses.models import Edition
from learning.db import Base

ASSIGNMENT_STATUSES = ("assigned", "in_progress", "completed", "exempt")


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("status in ('assigned', 'in_progress', 'completed', 'exempt')", name="status"),
        # A person's assignments, and "has this person this edition already" (campaign assignment checks).
        Index("ix_assignments_user_edition", "user_id", "edition_id"),
        # Launching twice, or two job runs at once, cannot assign the same edition twice in a campaign.
        UniqueConstraint("campaign_id", "user_id", "edition_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))  # campaign, new_hire, transfer, transfer_rule, demo
    status: Mapped[str] = mapped_column(String(12), default="assigned")
    assigned_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # Reading progress: the last section opened (to resume) and the furthest one finished.
    last_section: Mapped[int] = mapped_column(default=0)
    sections_done: Mapped[int] = mapped_column(default=0)
    quiz_passed_at: Mapped[datetime | None]
    best_score: Mapped[int | None]
    attested_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # Exemption (long leave, secondment): shown, but left out of completion rates until it ends.
    exempt_reason: Mapped[str | None] = mapped_column(String(500))
    exempt_until: Mapped[datetime | None]
    exempted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    edition: Mapped[Edition] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"

    def is_overdue(self, now: datetime) -> bool:
        return self.status in ("assigned", "in_progress") and self.due_at < now
