"""The rules library: documents employees must be able to find, each in dated versions.

A version's body is Markdown or a PDF, per language; the current version is the newest whose effective day
(Tokyo) has come. Acknowledgements are one per person and version; views are counted per document and
Tokyo day in one row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base

KINDS = ("regulation", "guideline", "manual", "contacts")
FORMATS = ("markdown", "pdf")
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,59}$"


class RuleDocument(Base):
    __tablename__ = "rule_documents"
    __table_args__ = (CheckConstraint("kind in ('regulation', 'guideline', 'manual', 'contacts')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    versions: Mapped[list[RuleVersion]] = relationship(
        order_by="RuleVersion.number", back_populates="document", lazy="selectin"
    )

    @property
    def titles(self) -> dict[str, str]:
        return {"ja": self.title_ja, "en": self.title_en}


class RuleVersion(Base):
    __tablename__ = "rule_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint("format in ('markdown', 'pdf')", name="format"),
        CheckConstraint("number > 0", name="number_positive"),
        # A Markdown version has its bodies, a PDF version its files: never neither.
        CheckConstraint(
            "(format = 'markdown' AND body_ja IS NOT NULL AND body_en IS NOT NULL) OR "
            "(format = 'pdf' AND pdf_ja IS NOT NULL AND pdf_en IS NOT NULL)",
            name="body_or_pdf",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("rule_documents.id"), index=True)
    number: Mapped[int]
    effective_on: Mapped[date]  # a Tokyo day
    format: Mapped[str] = mapped_column(String(8))
    changes_ja: Mapped[str] = mapped_column(Text)
    changes_en: Mapped[str] = mapped_column(Text)
    body_ja: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    pdf_ja: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_en: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_ja_size: Mapped[int | None]
    pdf_en_size: Mapped[int | None]
    needs_acknowledgement: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None]

    document: Mapped[RuleDocument] = relationship(back_populates="versions")

    @property
    def changes(self) -> dict[str, str]:
        return {"ja": self.changes_ja, "en": self.changes_en}

    @property
    def bodies(self) -> dict[str, str | None]:
        return {"ja": self.body_ja, "en": self.body_en}


class RuleAcknowledgement(Base):
    """One person's acknowledgement of one version: the unique key makes a double click count once."""

    __tablename__ = "rule_acknowledgements"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("rule_versions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime]


class RuleView(Base):
    """How often a document was opened on one Tokyo day: one row, counted up by an UPSERT."""

    __tablename__ = "rule_views"
    __table_args__ = (UniqueConstraint("document_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("rule_documents.id"))
    day: Mapped[date]
    views: Mapped[int] = mapped_column(default=0)
