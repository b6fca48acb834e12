"""People, departments (a tree) and role grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning import clock
from learning.authz import PRIVILEGED_ROLES, Permission, Role, permissions_of
from learning.db import Base

USER_STATUSES = ("active", "leave", "left")


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)

    parent: Mapped[Department | None] = relationship(remote_side=[id])

    @property
    def names(self) -> dict[str, str]:
        return {"ja": self.name_ja, "en": self.name_en}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("status in ('active', 'leave', 'left')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(20), unique=True)
    login_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    status: Mapped[str] = mapped_column(String(10), default="active")
    session_version: Mapped[int] = mapped_column(default=1)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # TOTP second factor for privileged roles; the last accepted time step stops a code being replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    # The secret of an enrolment under way, kept here rather than in the (readable) session cookie.
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    department: Mapped[Department | None] = relationship()
    grants: Mapped[list[RoleGrant]] = relationship(
        primaryjoin="and_(User.id == RoleGrant.user_id, RoleGrant.revoked_at.is_(None))",
        foreign_keys="RoleGrant.user_id",
        viewonly=True,
        lazy="selectin",
    )

    # Flask-Login protocol. The id carries the session version, so bumping the version revokes
    # every cookie issued before (logout everywhere, password change, deactivation, transfer).
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def roles(self) -> set[str]:
        return {Role.LEARNER, *(grant.role for grant in self.grants)}

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.roles & PRIVILEGED_ROLES)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


class RoleGrant(Base):
    """A role given to a person, optionally limited to a department subtree; revoked, never deleted."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class SignInFailure(Base):
    """Failed sign-ins, counted in the database so every worker and host agrees on throttling."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str | None] = mapped_column(String(64), index=True)


class PersonnelEvent(Base):
    """A joiner, mover or leaver, as the roster import saw it. Campaigns pick these up to assign training
    (the accounts room cannot call campaigns, which sit above it)."""

    __tablename__ = "personnel_events"
    __table_args__ = (CheckConstraint("kind in ('hire', 'transfer', 'leave')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    from_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    to_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    processed_at: Mapped[datetime | None] = mapped_column(index=True)


class PendingImport(Base):
    """An uploaded HR file waiting for the admin to confirm its dry run (kept server-side, not in the cookie)."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # "departments" or "roster"
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


class PasswordToken(Base):
    """A one-time link to set a password (invitation of a joiner). Only the token's hash is kept."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
