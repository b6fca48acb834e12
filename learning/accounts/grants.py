"""Role grants with separation of duties: asked for by one person, approved by a second, ended on record.

- Nobody grants, approves or revokes their own roles; nobody approves a grant they asked for. The
  database holds the same rules as CHECK constraints (accounts/models.py), so no path around this
  module can break them.
- A privileged role (desk, trainer, compliance, auditor, admin) is "pending" until someone holding
  Permission.ACCESS_APPROVE (the admin or the compliance office) other than the two of them approves it.
  A manager scope is not privileged and is in force at once.
- A grant may carry an end date and lapses by itself then (`roles` ignores it from that moment;
  `lapse_due` records it). Every request, approval, rejection, lapse and revocation, including those a
  transfer or a departure causes, is its own audit event.
- Whenever what a person may do changes, their sessions end, so the new rights (and, for privileged
  roles, the second factor) apply from a fresh sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.errors import AccountError, refused
from learning.accounts.models import Department, RoleGrant, User
from learning.audit.services import Entry, record, record_many
from learning.authz import PRIVILEGED_ROLES, SCOPED_ROLES, Permission, Role

GRANTABLE = frozenset(r.value for r in Role) - {Role.LEARNER}
# What a contractor's staff may hold (migration 0039's trigger holds the same list).
CONTRACTOR_ROLES = frozenset({Role.CONTRACTOR_SUPERVISOR})


def _details(grant: RoleGrant, **more) -> dict:
    return {"grant_id": grant.id, "role": grant.role, "department_id": grant.department_id, **more}


def end_of_tokyo_day(day: date) -> datetime:
    """The moment a grant with this end date lapses: midnight after it, in Tokyo."""
    return datetime.combine(day + timedelta(days=1), time.min, clock.TOKYO).astimezone(clock.now().tzinfo)


def request_grant(
    session: Session, user: User, role: str, department_id: int | None, requester: User, ends_on: date | None = None
) -> RoleGrant:
    """Asks for a role for `user`: in force at once for a manager scope, pending approval for a privileged role."""
    if role not in GRANTABLE:
        raise AccountError("unknown_role")
    if role in SCOPED_ROLES and department_id is None:
        raise AccountError("scope")
    if (
        department_id is not None
        and session.scalar(select(Department.status).where(Department.id == department_id)) != "active"
    ):
        raise AccountError("closed_scope")  # an abolished or merged department heads nobody
    if user.id == requester.id:
        raise refused("own_grant", requester.id, user.id, role=role)
    if user.status != "active":
        raise AccountError("inactive")
    if user.is_contractor and role not in CONTRACTOR_ROLES:
        raise refused("contractor_role", requester.id, user.id, role=role)  # the database refuses it too
    if role == Role.CONTRACTOR_SUPERVISOR and not user.is_contractor:
        raise AccountError("supervisor_is_contractor")
    now = clock.now()
    ends_at = end_of_tokyo_day(ends_on) if ends_on else None
    if ends_at is not None and ends_at <= now:
        raise AccountError("end_in_past", field="ends_on")
    privileged = role in PRIVILEGED_ROLES
    grant = RoleGrant(
        user_id=user.id,
        role=role,
        department_id=department_id,
        status="pending" if privileged else "active",
        granted_by_id=requester.id,
        granted_at=now,
        approved_at=None if privileged else now,
        ends_at=ends_at,
    )
    if _open_grant_exists(session, user.id, role, department_id):
        raise AccountError("duplicate_grant")
    session.add(grant)
    try:
        session.flush()  # a request made at the same moment: the unique index refuses the second
    except IntegrityError:
        raise AccountError("duplicate_grant") from None  # the transaction is spent; the request is refused
    details = _details(grant, ends_at=ends_at.isoformat() if ends_at else None)
    if privileged:
        record(session, "privilege_requested", actor_id=requester.id, target=("user", user.id), details=details)
    else:
        user.session_version += 1
        record(session, "privilege_granted", actor_id=requester.id, target=("user", user.id), details=details)
    return grant


def _open_grant_exists(session: Session, user_id: int, role: str, department_id: int | None) -> bool:
    scope = RoleGrant.department_id.is_(None) if department_id is None else RoleGrant.department_id == department_id
    query = select(RoleGrant.id).where(
        RoleGrant.user_id == user_id, RoleGrant.role == role, scope, RoleGrant.status != "ended"
    )
    return session.scalar(query.limit(1)) is not None


def _check_second_person(grant: RoleGrant, approver: User) -> None:
    if approver.id == grant.user_id:
        raise refused("own_grant", approver.id, grant.user_id, grant_id=grant.id)
    if approver.id == grant.granted_by_id:
        raise refused("own_request", approver.id, grant.user_id, grant_id=grant.id)
    if not approver.can(Permission.ACCESS_APPROVE):
        raise refused("not_approver", approver.id, grant.user_id, grant_id=grant.id)


def _pending(session: Session, grant_id: int) -> RoleGrant:
    """The grant, locked for this decision (two approvers at once: the second waits, then sees it decided)."""
    grant = session.scalar(select(RoleGrant).where(RoleGrant.id == grant_id).with_for_update())
    if grant is None or grant.status != "pending":
        raise AccountError("not_pending")
    return grant


def approve(session: Session, grant_id: int, approver: User) -> RoleGrant:
    """A second person approves a pending privileged grant: it is in force from the holder's next sign-in."""
    grant = _pending(session, grant_id)
    _check_second_person(grant, approver)
    now = clock.now()
    grant.status, grant.approved_by_id, grant.approved_at = "active", approver.id, now
    session.get(User, grant.user_id).session_version += 1
    record(session, "privilege_approved", actor_id=approver.id, target=("user", grant.user_id), details=_details(grant))
    return grant


def reject(session: Session, grant_id: int, approver: User) -> RoleGrant:
    grant = _pending(session, grant_id)
    _check_second_person(grant, approver)
    _end(grant, "rejected", approver.id, clock.now())
    record(session, "privilege_rejected", actor_id=approver.id, target=("user", grant.user_id), details=_details(grant))
    return grant


def _end(grant: RoleGrant, reason: str, actor_id: int | None, at: datetime) -> None:
    grant.status, grant.revoked_at, grant.revoked_by_id, grant.end_reason = "ended", at, actor_id, reason


def revoke(session: Session, grant_id: int, actor: User, reason: str = "revoked") -> RoleGrant:
    """Ends a pending or active grant (by the admin, or by a reviewer in an access review)."""
    grant = session.scalar(select(RoleGrant).where(RoleGrant.id == grant_id).with_for_update())
    if grant is None or grant.status == "ended":
        raise AccountError("not_pending")
    if actor.id == grant.user_id:
        raise refused("own_grant", actor.id, grant.user_id, grant_id=grant.id)
    _end(grant, reason, actor.id, clock.now())
    session.get(User, grant.user_id).session_version += 1
    record(
        session,
        "privilege_revoked",
        actor_id=actor.id,
        target=("user", grant.user_id),
        details=_details(grant, reason=reason),
    )
    return grant


def end_for_people(
    session: Session, user_ids: Iterable[int], reason: str, actor_id: int | None, scoped_only: bool
) -> int:
    """Ends the open grants of these people (a transfer: the ones tied to a department; a departure: all),
    one audit event per grant. Returns how many ended. The caller ends their sessions."""
    ids = list(user_ids)
    now = clock.now()
    ended = 0
    for start in range(0, len(ids), 2000):
        query = select(RoleGrant).where(RoleGrant.user_id.in_(ids[start : start + 2000]), RoleGrant.status != "ended")
        if scoped_only:
            query = query.where(RoleGrant.department_id.is_not(None))
        grants = session.scalars(query.with_for_update()).all()
        entries = []
        for grant in grants:
            _end(grant, reason, actor_id, now)
            entries.append(
                Entry(
                    "privilege_revoked",
                    actor_id,
                    target=("user", grant.user_id),
                    details=_details(grant, reason=reason),
                )
            )
        record_many(session, entries)
        ended += len(grants)
    return ended


def lapse_due(session: Session) -> int:
    """Records the grants whose end date has passed (they stopped counting at that moment): one event each,
    and the holder's sessions end. Run by `jobs run`; safe to repeat or overlap (row locks)."""
    now = clock.now()
    grants = session.scalars(
        select(RoleGrant)
        .where(RoleGrant.status == "active", RoleGrant.ends_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for grant in grants:
        _end(grant, "lapsed", None, grant.ends_at)
    if grants:
        session.execute(
            update(User)
            .where(User.id.in_({g.user_id for g in grants}))
            .values(session_version=User.session_version + 1)
            .execution_options(synchronize_session=False)
        )
        record_many(
            session,
            [Entry("privilege_lapsed", None, target=("user", g.user_id), details=_details(g)) for g in grants],
        )
    return len(grants)


def open_grants(session: Session, user_id: int) -> list[RoleGrant]:
    return list(
        session.scalars(
            select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.status != "ended").order_by(RoleGrant.id)
        )
    )


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RoleGrant).where(RoleGrant.status == "pending"))


def pending_grants(session: Session) -> list[RoleGrant]:
    return list(session.scalars(select(RoleGrant).where(RoleGrant.status == "pending").order_by(RoleGrant.id)))


def can_bootstrap(session: Session) -> bool:
    """True while nobody could approve a grant: the first administrator is then made from the command line."""
    now = clock.now()
    return (
        session.scalar(
            select(RoleGrant.id)
            .where(RoleGrant.in_force_at(now), RoleGrant.role.in_([Role.ADMIN, Role.COMPLIANCE]))
            .limit(1)
        )
        is None
    )


def bootstrap_grant(session: Session, user: User, role: str) -> RoleGrant:
    """The first administrator or compliance officer, from the command line, while nobody can approve."""
    if role not in (Role.ADMIN, Role.COMPLIANCE) or not can_bootstrap(session):
        raise AccountError("not_approver")
    now = clock.now()
    grant = RoleGrant(user_id=user.id, role=role, status="active", granted_at=now, approved_at=now)
    session.add(grant)
    session.flush()
    user.session_version += 1
    record(session, "privilege_granted", target=("user", user.id), details=_details(grant, bootstrap=True))
    return grant


def department_heads(session: Session) -> dict[int, list[int]]:
    """Department id -> the people whose manager scope, in force, is exactly that department."""
    heads: dict[int, list[int]] = {}
    rows = session.execute(
        select(RoleGrant.department_id, RoleGrant.user_id)
        .where(RoleGrant.in_force_at(clock.now()), RoleGrant.role == Role.MANAGER, RoleGrant.department_id.is_not(None))
        .order_by(RoleGrant.id)
    )
    for department_id, user_id in rows:
        heads.setdefault(department_id, []).append(user_id)
    return heads


def nearest_head(
    heads: dict[int, list[int]], parents: dict[int, int | None], department_id: int | None, user_id: int | None = None
) -> int | None:
    """The manager nearest above a department (never the person themselves), or None where there is none."""
    department, seen = department_id, set()
    while department is not None and department not in seen:
        seen.add(department)
        for head in heads.get(department, []):
            if head != user_id:
                return head
        department = parents.get(department)
    return None
