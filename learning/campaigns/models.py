"""Campaigns: who must complete which modules by when, once or every period."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base

if TYPE_CHECKING:
    from learning.campaigns.pledge_models import CampaignPledge

CAMPAIGN_STATUSES = ("draft", "running", "closed")
# How a closed campaign ended, when not at the end of its period: closed early, or cancelled (its open
# assignments withdrawn). Either way it is closed, so the frozen-period triggers hold it (migration 0018).
ENDINGS = ("closed_early", "cancelled")


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("status in ('draft', 'running', 'closed')", name="status"),
        CheckConstraint("recurrence in ('none', 'yearly', 'half', 'quarterly')", name="recurrence"),
        # One campaign per series and period: two overlapping rollovers cannot both create the next one.
        UniqueConstraint("series_id", "period_start"),
        CheckConstraint("ended_how is null or ended_how in ('closed_early', 'cancelled')", name="ended_how"),
        CheckConstraint(
            "(ended_how is null) = (ended_reason is null) and (ended_reason is null or length(trim(ended_reason)) > 0)",
            name="ended_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(index=True)  # the first campaign of a recurring series
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    whole_organisation: Mapped[bool] = mapped_column(default=True)
    # Only the heads of departments: people in the audience's departments who hold a manager grant in force.
    managers_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    recurrence: Mapped[str] = mapped_column(String(10), default="none")
    opens_on: Mapped[date]
    due_on: Mapped[date]
    period_start: Mapped[date]
    period_end: Mapped[date]  # first day after the period
    event_due_days: Mapped[int] = mapped_column(default=30)  # joiners and movers get this long
    reminder_days: Mapped[str] = mapped_column(String(40), default="14,7,1")  # before the due date
    escalate_after_days: Mapped[int] = mapped_column(default=7)  # overdue this long: managers' digest
    transfer_from_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    transfer_to_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    launched_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # when its records were frozen (campaigns/closing.py)
    # Raised by every edit of a draft: an edit made from an older page is refused, never silently applied
    # over another person's (campaigns/lifecycle.py, a conditional UPDATE).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    ended_how: Mapped[str | None] = mapped_column(String(12))
    ended_reason: Mapped[str | None] = mapped_column(String(1000))

    modules: Mapped[list[CampaignModule]] = relationship(order_by="CampaignModule.id", lazy="selectin")
    departments: Mapped[list[CampaignDepartment]] = relationship(lazy="selectin")
    # Loaded when read (not with every campaign, as modules are): most pages that list campaigns never need them.
    pledges: Mapped[list[CampaignPledge]] = relationship(order_by="CampaignPledge.id")
    # Loaded when read (launch, the joiners step, the campaign page): a report loading a campaign reads no rules.
    contractors: Mapped[list[CampaignContractor]] = relationship(order_by="CampaignContractor.id")

    @property
    def names(self) -> dict[str, str]:
        return {"ja": self.name_ja, "en": self.name_en}

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_days.split(",") if d.strip().isdigit()}, reverse=True)


class CampaignModule(Base):
    """A module of a campaign; the edition is pinned when the campaign launches.

    `on_transfer` modules are not for everyone: they go only to people moved along the campaign's
    transfer rule (from the grid company's tree into the retail company's, say).
    """

    __tablename__ = "campaign_modules"
    __table_args__ = (UniqueConstraint("campaign_id", "module_id", "on_transfer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id"))
    on_transfer: Mapped[bool] = mapped_column(default=False)


class CampaignDepartment(Base):
    """A department subtree the campaign includes, or (exclude=True) leaves out."""

    __tablename__ = "campaign_departments"
    __table_args__ = (UniqueConstraint("campaign_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    exclude: Mapped[bool] = mapped_column(default=False)


class CampaignContractor(Base):
    """Contractors' staff in the audience (issue 19), one rule a row: all staff of a contractor company, the
    staff on one contract, or the staff on any contract sponsored within a department subtree. Exactly one of
    the three is named (a CHECK); contractor staff are never in a department, so only these rules reach them."""

    __tablename__ = "campaign_contractors"
    __table_args__ = (
        CheckConstraint(
            "(case when company_id is null then 0 else 1 end) + (case when contract_id is null then 0 else 1 end)"
            " + (case when sponsor_department_id is null then 0 else 1 end) = 1",
            name="one_rule",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("contractor_companies.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contractor_contracts.id"))
    sponsor_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


class ReminderLog(Base):
    """One row per reminder step an assignment has passed ("before:7", "overdue:2", "digest:2026-07-08"), for
    the due date it was computed from: an extended due date has its own steps, each sent once again.

    Claiming the row (insert, ignoring conflicts) decides which job run sends it: exactly one per due date.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("assignment_id", "due_at", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    step: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime]  # the assignment's due date the step was reached for
    at: Mapped[datetime]


class StaffReminder(Base):
    """A department head's reminder to the not-finished people of a department subtree in a campaign.

    One per department, campaign and Tokyo day: the unique key decides which of two clicks at once sends.
    """

    __tablename__ = "staff_reminders"
    __table_args__ = (UniqueConstraint("campaign_id", "department_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    day: Mapped[date]
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime]
    people: Mapped[int]


AMENDMENT_STATUSES = ("completed", "exempt", "not_completed")


class PeriodAmendment(Base):
    """A correction to a closed period: one assignment's outcome as it should have been recorded, with who
    and why. The frozen assignment itself never changes; reports show the original and the corrected
    figure side by side, and list each amendment."""

    __tablename__ = "period_amendments"
    __table_args__ = (
        CheckConstraint("corrected_status in ('completed', 'exempt', 'not_completed')", name="corrected_status"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    original_status: Mapped[str] = mapped_column(String(14))
    corrected_status: Mapped[str] = mapped_column(String(14))
    corrected_completed_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(String(1000))
    amended_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amended_at: Mapped[datetime]


TRANSFER_OUTCOMES = ("assigned", "skipped")
# Why the rule assigned (moved; completed_before_move: assigned all the same, the point being the new role) or
# skipped (completed after the move; held open in another campaign, its due date perhaps brought forward to the
# rule's; already held in this campaign; no longer active).
TRANSFER_ASSIGNED = ("moved", "completed_before_move")
TRANSFER_SKIPPED = (
    "completed_after_move",
    "open_elsewhere",
    "open_elsewhere_due_brought_forward",
    "already_in_campaign",
    "not_active",
)


class TransferRuleOutcome(Base):
    """What a campaign's transfer rule did with one move and one of its modules: assigned or skipped, and why.

    One row per (campaign, personnel event, edition): a job run that processes the same move again, or two
    runs at once, record it once (the insert gives way on the unique key)."""

    __tablename__ = "transfer_rule_outcomes"
    __table_args__ = (
        CheckConstraint("outcome in ('assigned', 'skipped')", name="outcome"),
        CheckConstraint(
            "(outcome = 'assigned' and reason in ('moved', 'completed_before_move')) or (outcome = 'skipped' and "
            "reason in ('completed_after_move', 'open_elsewhere', 'open_elsewhere_due_brought_forward', "
            "'already_in_campaign', 'not_active'))",
            name="reason",
        ),
        CheckConstraint("outcome = 'skipped' or assignment_id is not null", name="assigned_names_assignment"),
        UniqueConstraint("campaign_id", "event_id", "edition_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("personnel_events.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(40))
    # The assignment made, or the one found that made the rule skip (the completion, the open one elsewhere).
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    previous_due_at: Mapped[datetime | None]  # the open assignment's due date before it was brought forward
    at: Mapped[datetime]


EXTENSION_SCOPES = ("person", "department", "campaign")


class DueExtension(Base):
    """A due date moved on, for a person, a department subtree or the whole campaign, with who and why.

    The assignments' `due_at` is updated (so every report, reminder and overdue count follows); each one
    moved has a `DueExtensionItem` keeping the due date it had, so the first item of an assignment holds its
    original due date for good."""

    __tablename__ = "due_extensions"
    __table_args__ = (
        CheckConstraint("scope in ('person', 'department', 'campaign')", name="scope"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
        CheckConstraint(
            "(scope = 'person') = (user_id is not null) and (scope = 'department') = (department_id is not null)",
            name="scope_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    due_on: Mapped[date]  # the new due date, a day in Japan (the whole day counts)
    reason: Mapped[str] = mapped_column(String(1000))
    extended_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    extended_at: Mapped[datetime]
    assignments: Mapped[int] = mapped_column(default=0)  # how many were moved


class DueExtensionItem(Base):
    """One assignment moved by an extension, with the due date it had before."""

    __tablename__ = "due_extension_items"
    __table_args__ = (
        UniqueConstraint("extension_id", "assignment_id"),
        CheckConstraint("new_due_at > previous_due_at", name="later"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    extension_id: Mapped[int] = mapped_column(ForeignKey("due_extensions.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    previous_due_at: Mapped[datetime]
    new_due_at: Mapped[datetime]
