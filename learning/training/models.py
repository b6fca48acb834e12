"""Assignments: a person's way through one edition, from first section to attestation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from learning import clock
from learning.courses.models import Edition
from learning.db import Base

ASSIGNMENT_STATUSES = ("assigned", "in_progress", "completed", "exempt")


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("status in ('assigned', 'in_progress', 'completed', 'exempt')", name="status"),
        # A person's assignments, and "has this person this edition already" (campaign assignment checks).
        Index("ix_assignments_user_edition", "user_id", "edition_id"),
        # The department report reads only this index for a campaign (an index-only scan), and the
        # completion curve counts completions per day from the second.
        # On PostgreSQL the columns the reports and lists also read ride along (INCLUDE), so that they stay
        # index-only scans (bench/reports_scale.py, bench/lists_scale.py).
        Index(
            "ix_assignments_campaign_report",
            "campaign_id",
            "user_id",
            "status",
            "due_at",
            "completed_at",
            postgresql_include=["withdrawn_at", "department_id", "on_leave_at_close", "edition_id"],
        ),
        # A closed period's report groups by the department the person was in when assigned.
        Index("ix_assignments_campaign_department", "campaign_id", "department_id", "status"),
        CheckConstraint(
            "withdrawn_reason is null or withdrawn_reason in ('left', 'cancelled')", name="withdrawn_reason"
        ),
        # contract_id rides along on PostgreSQL: the curve counts the organisation's people only, index-only.
        # (Migration 0046 also gives PostgreSQL statistics on campaign_id and status together.)
        Index(
            "ix_assignments_campaign_curve", "campaign_id", "status", "completed_on", postgresql_include=["contract_id"]
        ),
        # Launching twice, or two job runs at once, cannot assign the same edition twice in a campaign.
        UniqueConstraint("campaign_id", "user_id", "edition_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))  # campaign, new_hire, transfer, transfer_rule, demo, reattest
    note: Mapped[str | None] = mapped_column(String(500))  # shown to the learner (why a completed module reopened)
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
    # The day in Japan of completed_at, kept alongside so that the completion curve counts days from an
    # index instead of converting every row's time (see the reports benchmark).
    completed_on: Mapped[date | None]
    # Exemption (long leave, secondment): shown, but left out of completion rates until it ends.
    exempt_reason: Mapped[str | None] = mapped_column(String(500))
    exempt_until: Mapped[datetime | None]
    exempted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Where the person belonged when assigned: a closed period's reports count them there, whatever
    # transfers came after (the company is the top of that department's tree, at that time).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # A contractor's staff (no department): the contract they worked under when assigned, and its company,
    # so that a closed period's contractors section counts them there (integers, as users' are: SQLite adds a
    # column to a table others refer to only without a named constraint).
    contract_id: Mapped[int | None] = mapped_column(index=True)
    contractor_company_id: Mapped[int | None]
    # A leaver's open assignment is withdrawn, not deleted: kept, marked, and out of every denominator; so
    # is an open assignment of a cancelled campaign ("cancelled", campaigns/lifecycle.py).
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(20))
    # Set when the period closes (campaigns/closing.py): from then on the database refuses any change to
    # the row (a trigger), so a closed period's figures can be given again a year later. A correction is
    # an amendment of its own (campaigns.models.PeriodAmendment), never an update.
    frozen_at: Mapped[datetime | None]
    on_leave_at_close: Mapped[bool] = mapped_column(default=False)  # not counted as overdue

    edition: Mapped[Edition] = relationship(lazy="joined", innerjoin=True)

    @validates("completed_at")
    def _keep_completed_on(self, _key, value: datetime | None) -> datetime | None:
        self.completed_on = None if value is None else clock.tokyo_date(value)
        return value

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at < now

    @property
    def is_open(self) -> bool:
        """Still to be done: neither completed, exempt, withdrawn nor part of a closed period."""
        return self.status in ("assigned", "in_progress") and self.withdrawn_at is None and self.frozen_at is None


EXEMPTION_ENDINGS = ("lifted", "expired", "replaced", "completed")


class Exemption(Base):
    """One exemption, kept for good: the assignment row holds only its current state, and forgets who granted a
    past exemption once it ends (or a new one replaces it). Written by training.services.exempt and
    end_exemption; read by the exemption register and a person's history."""

    __tablename__ = "exemptions"
    __table_args__ = (
        CheckConstraint(
            "ended_how is null or ended_how in ('lifted', 'expired', 'replaced', 'completed')", name="ended_how"
        ),
        CheckConstraint("(ended_at is null) = (ended_how is null)", name="ended_together"),
        # The register lists the newest first, the open ones of an assignment are found by it.
        Index("ix_exemptions_assignment", "assignment_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime]
    until: Mapped[datetime]
    # How it ended: lifted by someone (ended_by), expired (the job, at its end date), replaced by a new one, or
    # completed (the person studied the module all the same and attested: ended_by is the person).
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_how: Mapped[str | None] = mapped_column(String(10))


class SectionOpen(Base):
    """When a learner first opened a section of an assignment: the server's clock, never the browser's, so that
    a module's minimum reading time (editions.min_read_seconds) counts from here. Written only for editions
    that set one; the first opening stands (a reload does not restart the count)."""

    __tablename__ = "section_opens"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    opened_at: Mapped[datetime]


class Certificate(Base):
    """The certificate of a completed assignment: a random number that says nothing about who, what or when
    (never the assignment's id, a sequence), unique in the database. Issued once, at completion
    (training.certificates.issue); whether it still stands is read from the assignment and its period's
    record, never stored twice."""

    __tablename__ = "certificates"
    __table_args__ = (CheckConstraint("length(number) = 16", name="number_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # Crockford base32, shown in groups of four
    issued_at: Mapped[datetime]
