"""Contractor companies (委託先), their branches and the contracts they work under.

A contract names the group company's sponsoring department and an internal owner (a named employee), and
runs from a start to an end day (Tokyo days); the database refuses an end before the start.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base


class ContractorCompany(Base):
    __tablename__ = "contractor_companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    branches: Mapped[list[ContractorBranch]] = relationship(
        back_populates="company", order_by="ContractorBranch.name_ja"
    )
    contracts: Mapped[list[ContractorContract]] = relationship(
        back_populates="company", order_by="ContractorContract.starts_on"
    )

    @property
    def names(self) -> dict[str, str]:
        return {"ja": self.name_ja, "en": self.name_en}


class ContractorBranch(Base):
    """A branch or site of a contractor company (optional)."""

    __tablename__ = "contractor_branches"
    __table_args__ = (UniqueConstraint("company_id", "name_ja", name="uq_contractor_branches_company_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("contractor_companies.id"), index=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    company: Mapped[ContractorCompany] = relationship(back_populates="branches")

    @property
    def names(self) -> dict[str, str]:
        return {"ja": self.name_ja, "en": self.name_en}


class ContractorContract(Base):
    """A contract a contractor company works under: its reference is unique across the group."""

    __tablename__ = "contractor_contracts"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("contractor_companies.id"), index=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    sponsor_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    company: Mapped[ContractorCompany] = relationship(back_populates="contracts")
    sponsor_department = relationship("Department", foreign_keys=[sponsor_department_id])
    owner = relationship("User", foreign_keys=[owner_id])
