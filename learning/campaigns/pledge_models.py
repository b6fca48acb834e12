"""Pledges (誓約書) in campaigns: a campaign's pledges beside its modules, and each person's pledge assignment.

A pledge assignment is one per campaign, person and pledge (a unique key: a double launch, a launch racing a
job, a joiner processed twice make one). It names the pledge, not a version: a signature of any published
version of it within the campaign's period completes it (`signature_id`), so a new version published later
neither reopens it nor counts the person twice. Like an assignment it keeps the department and the company
the person was in when assigned, and is frozen when its period closes (triggers of migration 0042 refuse any
change to a frozen row and any new row in a closed campaign).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.db import Base

PLEDGE_ASSIGNMENT_STATUSES = ("assigned", "signed", "exempt")


class CampaignPledge(Base):
    """A pledge a campaign asks its audience to sign."""

    __tablename__ = "campaign_pledges"
    __table_args__ = (UniqueConstraint("campaign_id", "pledge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"))


class PledgeAssignment(Base):
    """A person asked by a campaign to sign a pledge by a due date: assigned, signed or exempt."""

    __tablename__ = "pledge_assignments"
    __table_args__ = (
        CheckConstraint("status in ('assigned', 'signed', 'exempt')", name="status"),
        CheckConstraint("(status = 'signed') = (signature_id is not null)", name="signed_by_signature"),
        CheckConstraint(
            "status <> 'exempt' or (exempted_by_id is not null and length(trim(coalesce(exempt_reason, ''))) > 0)",
            name="exempt_with_reason",
        ),
        CheckConstraint("withdrawn_reason is null or withdrawn_reason in ('left', 'cancelled')", name="withdrawn"),
        # Launching twice, or two job runs at once, cannot ask a person twice for a pledge in a campaign.
        UniqueConstraint("campaign_id", "user_id", "pledge_id"),
        Index("ix_pledge_assignments_campaign_department", "campaign_id", "department_id", "status"),
        Index("ix_pledge_assignments_user_pledge", "user_id", "pledge_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"))
    reason: Mapped[str] = mapped_column(String(40))  # campaign, new_hire, transfer
    status: Mapped[str] = mapped_column(String(10), default="assigned")
    assigned_at: Mapped[datetime]
    due_at: Mapped[datetime]
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("pledge_signatures.id"))
    signed_at: Mapped[datetime | None]
    exempt_reason: Mapped[str | None] = mapped_column(String(500))
    exempted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    exempted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(20))
    frozen_at: Mapped[datetime | None]  # set when the period closes (campaigns/closing.py)
    on_leave_at_close: Mapped[bool] = mapped_column(default=False)

    @property
    def is_open(self) -> bool:
        return self.status == "assigned" and self.withdrawn_at is None and self.frozen_at is None


class PledgeReminderLog(Base):
    """One row per reminder step a pledge assignment has passed, for the due date it was computed from: claimed
    by an insert that ignores a conflict, so each step goes once per due date (as reminder_log does)."""

    __tablename__ = "pledge_reminder_log"
    __table_args__ = (UniqueConstraint("pledge_assignment_id", "due_at", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_assignment_id: Mapped[int] = mapped_column(ForeignKey("pledge_assignments.id"))
    step: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime]
    at: Mapped[datetime]


class PledgeExtensionItem(Base):
    """One pledge assignment moved by a due-date extension (campaigns.models.DueExtension), with its old date."""

    __tablename__ = "pledge_extension_items"
    __table_args__ = (
        UniqueConstraint("extension_id", "pledge_assignment_id"),
        CheckConstraint("new_due_at > previous_due_at", name="later"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    extension_id: Mapped[int] = mapped_column(ForeignKey("due_extensions.id"))
    pledge_assignment_id: Mapped[int] = mapped_column(ForeignKey("pledge_assignments.id"), index=True)
    previous_due_at: Mapped[datetime]
    new_due_at: Mapped[datetime]
