"""People, departments (a tree) and role grants."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, and_, or_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning import clock
from learning.accounts.employment import EMPLOYMENT_TYPES
from learning.authz import PRIVILEGED_ROLES, Permission, Role, permissions_of
from learning.db import Base

USER_STATUSES = ("active", "leave", "left")
DEPARTMENT_STATUSES = ("active", "abolished", "merged")


def _trigram(name: str, column: str) -> Index:
    """A trigram index for people search (accounts/search.py) on PostgreSQL; a plain one on SQLite."""
    return Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


class Department(Base):
    """A department; abolished or merged ones stay (assignments and closed periods keep their id and name)."""

    __tablename__ = "departments"
    __table_args__ = (
        CheckConstraint("status in ('active', 'abolished', 'merged')", name="status"),
        CheckConstraint("(status = 'merged') = (merged_into_id is not null)", name="merged_into"),
        CheckConstraint("(status = 'active') = (closed_at is null)", name="closed_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    closed_at: Mapped[datetime | None]

    parent: Mapped[Department | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def names(self) -> dict[str, str]:
        return {"ja": self.name_ja, "en": self.name_en}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("status in ('active', 'leave', 'left')", name="status"),
        _trigram("ix_users_name_trgm", "name"),
        _trigram("ix_users_name_kana_trgm", "name_kana"),
        _trigram("ix_users_employee_no_trgm", "employee_no"),
        _trigram("ix_users_email_trgm", "email"),
        Index("uq_users_contractor_staff_no", "contractor_company_id", "contractor_staff_no", unique=True),
        CheckConstraint(
            "employment_type is null or employment_type in (" + ", ".join(f"'{t}'" for t in EMPLOYMENT_TYPES) + ")",
            name="employment_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(20), unique=True)
    login_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The reading in katakana (シミズ タロウ), from the roster's optional name_kana column: a name in kanji is
    # found by its reading only through this (accounts/search.py normalises what is typed the same way).
    name_kana: Mapped[str | None] = mapped_column(String(100))
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
    # Marked compromised: the password is gone (password_hash is None) until a one-time reset; the leaked
    # one's hash is kept only so that the reset cannot set it again.
    compromised_at: Mapped[datetime | None]
    # For the access review's dormant accounts (an account nobody signs in with is a shared or forgotten ID).
    last_sign_in_at: Mapped[datetime | None]
    leaked_password_hash: Mapped[str | None] = mapped_column(String(255))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # An employee of the group, or a contractor's staff (issue 19): a contractor works under one contract of
    # their company, has the company's own staff number (unique per company) and an end day (a Tokyo day, the
    # last one with access) never after the contract's. Triggers in the database hold this (migration 0039),
    # and refuse a contractor any role but learner and contractor supervisor; the kind is set once.
    kind: Mapped[str] = mapped_column(String(12), default="employee", server_default="employee")
    # Integers that the triggers of migration 0039 hold to a contract of that company (and a contract with staff
    # is never deleted), rather than foreign keys: a contract names its owner in users, and SQLite adds a column
    # to users only without a named constraint (rebuilding users would drop a table everything refers to).
    contractor_company_id: Mapped[int | None]
    contract_id: Mapped[int | None] = mapped_column(index=True)
    contractor_staff_no: Mapped[str | None] = mapped_column(String(20))
    ends_on: Mapped[date | None] = mapped_column(Date)
    # One of EMPLOYMENT_TYPES, from the roster (None: the roster has not said; always None for a contractor).
    employment_type: Mapped[str | None] = mapped_column(String(12))

    department: Mapped[Department | None] = relationship()
    # Active grants; one whose end date has passed is filtered out in `roles` until `jobs run` records it.
    grants: Mapped[list[RoleGrant]] = relationship(
        primaryjoin="and_(User.id == RoleGrant.user_id, RoleGrant.status == 'active')",
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
        return self.status == "active" and not self.lapsed

    @property
    def lapsed(self) -> bool:
        """A contractor's access has ended: their end day (never after the contract's) has passed in Tokyo."""
        return self.ends_on is not None and clock.tokyo_date(clock.now()) > self.ends_on

    @property
    def is_contractor(self) -> bool:
        return self.kind == "contractor"

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def roles(self) -> set[str]:
        now = clock.now()
        return {Role.LEARNER, *(grant.role for grant in self.grants if grant.in_force(now))}

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.roles & PRIVILEGED_ROLES)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


GRANT_STATUSES = ("pending", "active", "ended")
# Why a grant ended: revoked by someone, rejected instead of approved, its end date passed, a transfer or
# a departure, revoked or left unconfirmed in an access review.
END_REASONS = ("revoked", "rejected", "lapsed", "transfer", "left", "review")


class RoleGrant(Base):
    """A role given to a person, optionally limited to a department subtree; ended, never deleted.

    A privileged role (authz.PRIVILEGED_ROLES) is "pending" until a second person approves it; the database
    refuses a grant made or approved by its holder, or approved by the person who asked for it."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint("status in ('pending', 'active', 'ended')", name="status"),
        CheckConstraint(
            "end_reason is null or end_reason in ('revoked', 'rejected', 'lapsed', 'transfer', 'left', 'review')",
            name="end_reason",
        ),
        CheckConstraint("granted_by_id is null or granted_by_id <> user_id", name="not_self_granted"),
        CheckConstraint(
            "approved_by_id is null or (approved_by_id <> user_id and approved_by_id <> granted_by_id)",
            name="second_person_approves",
        ),
        CheckConstraint("revoked_by_id is null or revoked_by_id <> user_id", name="not_self_revoked"),
        # One open grant (pending or active) per person, role and scope: a double request cannot make two.
        # (Two partial indexes rather than one on coalesce(department_id, 0): plain columns stay reflectable.)
        Index(
            "uq_role_grants_open_scoped",
            "user_id",
            "role",
            "department_id",
            unique=True,
            postgresql_where=text("status in ('pending', 'active') and department_id is not null"),
            sqlite_where=text("status in ('pending', 'active') and department_id is not null"),
        ),
        Index(
            "uq_role_grants_open_unscoped",
            "user_id",
            "role",
            unique=True,
            postgresql_where=text("status in ('pending', 'active') and department_id is null"),
            sqlite_where=text("status in ('pending', 'active') and department_id is null"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    # Who asked for it and when (for a grant that needs no approval, who gave it).
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    # Optional end: the grant lapses by itself then (checked on every request, recorded by `jobs run`).
    ends_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]  # when it ended, for whatever reason
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(String(12))
    last_reviewed_at: Mapped[datetime | None]
    last_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def in_force(self, at: datetime) -> bool:
        return self.status == "active" and (self.ends_at is None or self.ends_at > at)

    @classmethod
    def in_force_at(cls, at: datetime):
        """The same test as a query criterion."""
        return and_(cls.status == "active", or_(cls.ends_at.is_(None), cls.ends_at > at))


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
    """An uploaded HR file waiting for the admin to confirm its dry run (kept server-side, not in the cookie).

    Applying claims it first, in one conditional UPDATE (imports.claim): of two Applies at once only one
    applies; the row stays, marked applied (its file dropped), so that the other can say so.
    """

    __tablename__ = "pending_imports"
    __table_args__ = (
        CheckConstraint("status in ('pending', 'applied')", name="status"),
        CheckConstraint("(status = 'applied') = (applied_at is not null)", name="applied_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # "departments", "roster" or "contractors"
    # For a contractor's staff file: the contractor company it is for (checked when it is applied).
    company_id: Mapped[int | None]
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    applied_at: Mapped[datetime | None]


TOKEN_PURPOSES = ("invitation", "reset", "code")


class PasswordToken(Base):
    """A one-time way to set a password: an invitation link, a reset link, or a reset code handed over in
    person. Only the secret's hash is kept; the link is made when its email is sent (accounts/links.py)."""

    __tablename__ = "password_tokens"
    __table_args__ = (CheckConstraint("purpose in ('invitation', 'reset', 'code')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(12), default="invitation")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Issuing a new link or code of the same purpose withdraws the older ones.
    withdrawn_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ThrottleCounter(Base):
    """Failures counted towards a growing delay (accounts/throttle.py); the key is a hash of what is counted.
    Rows of scope "known" record the last successful sign-in of an account from an address instead."""

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    failures: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(index=True)
    blocked_until: Mapped[datetime | None]


REVIEW_DECISIONS = ("confirmed", "revoked", "lapsed")


class AccessReview(Base):
    """A periodic inventory of access (棚卸し): every privileged grant, manager scope and dormant account
    goes to a reviewer who confirms or revokes it by the due date; grants left unconfirmed lapse then."""

    __tablename__ = "access_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    due_on: Mapped[date] = mapped_column(Date)  # a Tokyo day; unconfirmed grants lapse at its end
    dormant_days: Mapped[int]
    closed_at: Mapped[datetime | None]


class AccessReviewItem(Base):
    """One grant, one dormant account, or one contractor's account, to confirm or revoke. The reviewer is a
    department head (dormant accounts), a contract's internal owner (contractor accounts), or nobody in
    particular (reviewer_id null): then the compliance office decides."""

    __tablename__ = "access_review_items"
    __table_args__ = (
        CheckConstraint("kind in ('grant', 'dormant', 'contractor')", name="kind"),
        CheckConstraint("decision is null or decision in ('confirmed', 'revoked', 'lapsed')", name="decision"),
        CheckConstraint("(kind = 'grant') = (grant_id is not null)", name="grant_item_has_grant"),
        CheckConstraint("decided_by_id is null or decided_by_id <> user_id", name="not_self_reviewed"),
        Index("uq_access_review_items_grant", "review_id", "grant_id", unique=True),
        Index(
            "uq_access_review_items_dormant",
            "review_id",
            "user_id",
            unique=True,
            postgresql_where=text("kind = 'dormant'"),
            sqlite_where=text("kind = 'dormant'"),
        ),
        Index(
            "uq_access_review_items_contractor",
            "review_id",
            "user_id",
            unique=True,
            postgresql_where=text("kind = 'contractor'"),
            sqlite_where=text("kind = 'contractor'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("access_reviews.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("role_grants.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # whose access
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    last_sign_in_at: Mapped[datetime | None]  # as it was when the review opened (dormant items)
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]


class SsoState(Base):
    """One sign-in through the OpenID provider on its way (accounts/oidc.py): the state's hash, the nonce
    and PKCE verifier that go with it. Spent once, by a conditional UPDATE, so that a replayed callback
    (the same state a second time, from this browser or another) is refused before the provider is asked."""

    __tablename__ = "sso_states"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_url: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    # A re-authentication of someone already signed in (a pledge's signature): who must come back, and when
    # the provider's answer proved they had just signed in again (oidc.confirm_reauth). No sign-in follows.
    reauth_user_id: Mapped[int | None]
    reauthenticated_at: Mapped[datetime | None]
