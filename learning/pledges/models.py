"""Pledges (誓約書), their versions, clauses and declarations; signatures and the cases they open.

A pledge's versions go draft → review → published → retired, as checklists do: one version in the works
(draft or review) and one published per pledge (partial unique indexes), every status step under the
pledge's row lock (services.lock_pledge), and the approver never the version's last editor or its submitter
(a CHECK). Published versions never change: signatures name them and keep their content hash.

A signature (`PledgeSignature`) is one per person and version (a unique index: a double click signs once):
signed, or refused with a reason; it keeps the person's employee number and department at that moment, the
version's content hash, the answers to the declarations and a random verification code. A declaration
answered "no" or a refusal opens a `PledgeCase` for compliance (one per signature).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base

STATUSES = ("draft", "review", "published", "retired")
IN_THE_WORKS_WHERE = "status in ('draft', 'review')"
PUBLISHED_WHERE = "status = 'published'"
KINDS = ("clause", "declaration")


class Pledge(Base):
    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime]


class PledgeVersion(Base):
    """One version of a pledge. Published and retired versions never change."""

    __tablename__ = "pledge_versions"
    __table_args__ = (
        UniqueConstraint("pledge_id", "version"),
        CheckConstraint("status in ('draft', 'review', 'published', 'retired')", name="status"),
        CheckConstraint(
            "approved_by_id IS NULL OR (approved_by_id <> coalesce(edited_by_id, 0) "
            "AND approved_by_id <> coalesce(submitted_by_id, 0))",
            name="four_eyes",
        ),
        CheckConstraint("status in ('draft', 'review') OR length(content_hash) = 64", name="hashed"),
        Index(
            "uq_pledge_versions_in_the_works",
            "pledge_id",
            unique=True,
            postgresql_where=text(IN_THE_WORKS_WHERE),
            sqlite_where=text(IN_THE_WORKS_WHERE),
        ),
        Index(
            "uq_pledge_versions_published",
            "pledge_id",
            unique=True,
            postgresql_where=text(PUBLISHED_WHERE),
            sqlite_where=text(PUBLISHED_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
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
    review_note: Mapped[str | None] = mapped_column(Text)

    pledge: Mapped[Pledge] = relationship(lazy="joined", innerjoin=True)
    parts: Mapped[list[PledgePart]] = relationship(
        order_by="(PledgePart.kind, PledgePart.position)", back_populates="version", lazy="selectin"
    )

    @property
    def titles(self) -> dict[str, str]:
        return {"ja": self.title_ja, "en": self.title_en}

    @property
    def intros(self) -> dict[str, str]:
        return {"ja": self.intro_ja, "en": self.intro_en}

    @property
    def clauses(self) -> list[PledgePart]:
        return [p for p in self.parts if p.kind == "clause"]

    @property
    def declarations(self) -> list[PledgePart]:
        return [p for p in self.parts if p.kind == "declaration"]


class PledgePart(Base):
    """A numbered clause, or a declaration the signer answers yes or no."""

    __tablename__ = "pledge_parts"
    __table_args__ = (
        UniqueConstraint("version_id", "kind", "position"),
        CheckConstraint("kind in ('clause', 'declaration')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pledge_versions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    position: Mapped[int]
    text_ja: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)

    version: Mapped[PledgeVersion] = relationship(back_populates="parts")

    @property
    def texts(self) -> dict[str, str]:
        return {"ja": self.text_ja, "en": self.text_en}


class PledgeSignature(Base):
    """A person's signature of one published version, or their refusal to sign it with a reason."""

    __tablename__ = "pledge_signatures"
    __table_args__ = (
        UniqueConstraint("version_id", "user_id"),
        CheckConstraint("outcome in ('signed', 'refused')", name="outcome"),
        CheckConstraint("outcome = 'signed' OR length(trim(coalesce(refusal_reason, ''))) > 0", name="reason"),
        CheckConstraint("length(content_hash) = 64", name="content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pledge_versions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    employee_no: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(10))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # {"1": true, "2": false}: declaration position
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # the verification code on the signed copy
    signed_at: Mapped[datetime]

    version: Mapped[PledgeVersion] = relationship(lazy="joined", innerjoin=True)


class PledgePending(Base):
    """A signature (or refusal) waiting for its signer to re-authenticate at the company directory: the answers
    kept here, on the server, across the round trip (never in the URL), bound to the provider's state. Spent
    once by the callback's return (a conditional UPDATE of used_at); left over ones are harmless and old."""

    __tablename__ = "pledge_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pledge_versions.id"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    state_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # sso_states' key
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PledgeCase(Base):
    """A signature compliance follows up: a declaration answered "no", or a refusal to sign."""

    __tablename__ = "pledge_cases"
    __table_args__ = (
        CheckConstraint("reason in ('declaration_no', 'refused')", name="reason"),
        CheckConstraint("status in ('open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("pledge_signatures.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    opened_at: Mapped[datetime]

    signature: Mapped[PledgeSignature] = relationship(lazy="joined", innerjoin=True)
