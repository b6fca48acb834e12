"""Self-inspection checklists (自主点検): templates, their versions and items; the answers a department gives.

A template's versions go draft → review → published → retired, as module editions do: one version in the
works (draft or review) and one published per template (partial unique indexes), every status step under
the template's row lock (services.lock_template), and the approver never the version's last editor or its
submitter (a CHECK). Published versions never change: answers name them.

Answers (`InspectionResponse`, one per department and version; `InspectionAnswer`, one per item) are
designed for the inspection rounds to come: conforms / does not conform / not applicable, a comment where
the answer is not "conforms" (a CHECK), and an evidence file stored in the database, its type checked by its
bytes (evidence.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base

STATUSES = ("draft", "review", "published", "retired")
IN_THE_WORKS_WHERE = "status in ('draft', 'review')"
PUBLISHED_WHERE = "status = 'published'"
ANSWERS = ("conforms", "does_not_conform", "not_applicable")
EVIDENCE_TYPES = ("image/png", "image/jpeg", "application/pdf")


class InspectionTemplate(Base):
    __tablename__ = "inspection_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime]


class InspectionVersion(Base):
    """One version of a checklist. Published and retired versions never change."""

    __tablename__ = "inspection_versions"
    __table_args__ = (
        UniqueConstraint("template_id", "version"),
        CheckConstraint("status in ('draft', 'review', 'published', 'retired')", name="status"),
        # Four eyes: whoever approved a version neither edited it last nor sent it to review.
        CheckConstraint(
            "approved_by_id IS NULL OR (approved_by_id <> coalesce(edited_by_id, 0) "
            "AND approved_by_id <> coalesce(submitted_by_id, 0))",
            name="four_eyes",
        ),
        Index(
            "uq_inspection_versions_in_the_works",
            "template_id",
            unique=True,
            postgresql_where=text(IN_THE_WORKS_WHERE),
            sqlite_where=text(IN_THE_WORKS_WHERE),
        ),
        Index(
            "uq_inspection_versions_published",
            "template_id",
            unique=True,
            postgresql_where=text(PUBLISHED_WHERE),
            sqlite_where=text(PUBLISHED_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("inspection_templates.id"), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    intro_ja: Mapped[str] = mapped_column(Text, default="", server_default="")
    intro_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(Text)  # the reviewer's comments when sent back

    template: Mapped[InspectionTemplate] = relationship(lazy="joined", innerjoin=True)
    items: Mapped[list[InspectionItem]] = relationship(
        order_by="InspectionItem.position", back_populates="version", lazy="selectin"
    )

    @property
    def titles(self) -> dict[str, str]:
        return {"ja": self.title_ja, "en": self.title_en}

    @property
    def intros(self) -> dict[str, str]:
        return {"ja": self.intro_ja, "en": self.intro_en}


class InspectionItem(Base):
    """One check. `key` stays the same across versions (diffs and answers across rounds follow it)."""

    __tablename__ = "inspection_items"
    __table_args__ = (UniqueConstraint("version_id", "position"), UniqueConstraint("version_id", "key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("inspection_versions.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(60))
    text_ja: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    guidance_ja: Mapped[str] = mapped_column(Text, default="", server_default="")  # Markdown
    guidance_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    evidence_required: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(Text, default="", server_default="")  # the measure it comes from

    version: Mapped[InspectionVersion] = relationship(back_populates="items")

    @property
    def texts(self) -> dict[str, str]:
        return {"ja": self.text_ja, "en": self.text_en}

    @property
    def guidances(self) -> dict[str, str]:
        return {"ja": self.guidance_ja, "en": self.guidance_en}


FREQUENCIES = ("monthly", "quarterly", "half", "yearly")
FINDING_STATUSES = ("open", "in_progress", "done", "verified")


class InspectionRound(Base):
    """A published checklist version given to the heads of departments (subtrees) every period.

    One inspection (`InspectionResponse`) per department and period (a unique index); the period's due day
    is its first day plus `due_days`.
    """

    __tablename__ = "inspection_rounds"
    __table_args__ = (
        CheckConstraint("frequency in ('monthly', 'quarterly', 'half', 'yearly')", name="frequency"),
        CheckConstraint("due_days between 1 and 365", name="due_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("inspection_versions.id"), index=True)
    frequency: Mapped[str] = mapped_column(String(10))
    due_days: Mapped[int]
    starts_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    version: Mapped[InspectionVersion] = relationship(lazy="joined", innerjoin=True)
    departments: Mapped[list[InspectionRoundDepartment]] = relationship(lazy="selectin")


class InspectionRoundDepartment(Base):
    """A department subtree a round covers: each department in it with a head is inspected."""

    __tablename__ = "inspection_round_departments"

    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)


class InspectionDeputy(Base):
    """A deputy a department's head delegates the department's inspections to: in force through `ends_on` (a
    Tokyo day, inclusive) unless removed earlier (`ended_at`). A row whose day has passed is closed (ended_at
    set) when the head names the same person again, so that the open-row index holds."""

    __tablename__ = "inspection_deputies"
    __table_args__ = (
        CheckConstraint("deputy_id <> delegated_by_id", name="not_self"),
        Index(
            "uq_inspection_deputies_open",
            "department_id",
            "deputy_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delegated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ends_on: Mapped[date | None]  # the last day in force; None only on rows from before migration 0042

    def in_force(self, today: date) -> bool:
        return self.ended_at is None and (self.ends_on is None or self.ends_on >= today)


class InspectionResponse(Base):
    """A department's inspection: its answers to one published version, for a round's period.

    open (being answered, also after the second line returned it) → submitted → accepted by the second line.
    """

    __tablename__ = "inspection_responses"
    __table_args__ = (
        CheckConstraint("status in ('open', 'submitted')", name="status"),
        CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_at"),
        CheckConstraint("accepted_at IS NULL OR status = 'submitted'", name="accepted_submitted"),
        CheckConstraint("(round_id IS NULL) = (period_start IS NULL)", name="round_period"),
        UniqueConstraint("round_id", "department_id", "period_start", name="uq_inspection_responses_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("inspection_versions.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    responder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    round_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_rounds.id"), index=True)
    period_start: Mapped[date | None]
    due_on: Mapped[date | None]
    accepted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(Text)  # the second line's comments when returned

    version: Mapped[InspectionVersion] = relationship(lazy="joined", innerjoin=True)


class InspectionAnswer(Base):
    __tablename__ = "inspection_answers"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        CheckConstraint("answer in ('conforms', 'does_not_conform', 'not_applicable')", name="answer"),
        CheckConstraint("answer = 'conforms' OR length(trim(comment)) > 0", name="comment_required"),
        CheckConstraint(
            "(evidence IS NULL) = (evidence_type IS NULL) AND (evidence IS NULL) = (evidence_name IS NULL)",
            name="evidence_whole",
        ),
        CheckConstraint(
            "evidence_type IS NULL OR evidence_type in ('image/png', 'image/jpeg', 'application/pdf')",
            name="evidence_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("inspection_responses.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id"))
    answer: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    evidence_name: Mapped[str | None] = mapped_column(String(200))
    evidence_type: Mapped[str | None] = mapped_column(String(40))
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime]


class InspectionFinding(Base):
    """A "does not conform" answer of a submitted inspection, followed up until the second line verifies it.

    open → in progress → done (a corrective action required, a CHECK) → verified (by the second line).
    """

    __tablename__ = "inspection_findings"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        CheckConstraint("status in ('open', 'in_progress', 'done', 'verified')", name="status"),
        CheckConstraint(
            "status in ('open', 'in_progress') OR length(trim(corrective_action)) > 0", name="action_when_done"
        ),
        CheckConstraint("(status = 'verified') = (verified_at IS NOT NULL)", name="verified_at"),
        CheckConstraint("verified_by_id IS NULL OR verified_by_id <> owner_id", name="verifier_not_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("inspection_responses.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    corrective_action: Mapped[str] = mapped_column(Text, default="", server_default="")
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]

    item: Mapped[InspectionItem] = relationship(lazy="joined", innerjoin=True)
