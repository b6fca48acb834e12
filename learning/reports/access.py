"""The access register: who holds what, since when, asked for and approved by whom, last reviewed, and
how it ended; and each access review's outcome. Read-only, for internal audit, compliance and the admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from learning.accounts import search
from learning.accounts.models import AccessReview, AccessReviewItem, Department, RoleGrant, User

STATUS_FILTERS = ("open", "pending", "active", "ended", "all")


@dataclass(frozen=True)
class RegisterRow:
    grant: RoleGrant
    holder: User
    holder_department: Department | None
    scope: Department | None
    requested_by: User | None
    approved_by: User | None
    ended_by: User | None
    reviewed_by: User | None


def register(session: Session, status: str = "open", role: str | None = None, person: str | None = None):
    """Every grant matching the filters, newest first: `open` is pending or active; `person` is a people
    search (name, reading, employee number or email) of the holder."""
    holder, requester, approver, ender, reviewer = (aliased(User) for _ in range(5))
    holder_dept, scope = aliased(Department), aliased(Department)
    query = (
        select(RoleGrant, holder, holder_dept, scope, requester, approver, ender, reviewer)
        .join(holder, holder.id == RoleGrant.user_id)
        .outerjoin(holder_dept, holder_dept.id == holder.department_id)
        .outerjoin(scope, scope.id == RoleGrant.department_id)
        .outerjoin(requester, requester.id == RoleGrant.granted_by_id)
        .outerjoin(approver, approver.id == RoleGrant.approved_by_id)
        .outerjoin(ender, ender.id == RoleGrant.revoked_by_id)
        .outerjoin(reviewer, reviewer.id == RoleGrant.last_reviewed_by_id)
        .order_by(RoleGrant.id.desc())
    )
    if status == "open":
        query = query.where(RoleGrant.status != "ended")
    elif status in ("pending", "active", "ended"):
        query = query.where(RoleGrant.status == status)
    if role:
        query = query.where(RoleGrant.role == role)
    if person and (criterion := search.matches(holder, person)) is not None:
        search.plan_for_the_words(session)
        query = query.where(criterion)
    return [RegisterRow(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class ReviewRow:
    item: AccessReviewItem
    holder: User
    holder_department: Department | None
    grant: RoleGrant | None
    reviewer: User | None
    decided_by: User | None


def review_items(session: Session, review_id: int) -> list[ReviewRow]:
    holder, reviewer, decider = (aliased(User) for _ in range(3))
    holder_dept = aliased(Department)
    query = (
        select(AccessReviewItem, holder, holder_dept, RoleGrant, reviewer, decider)
        .join(holder, holder.id == AccessReviewItem.user_id)
        .outerjoin(holder_dept, holder_dept.id == holder.department_id)
        .outerjoin(RoleGrant, RoleGrant.id == AccessReviewItem.grant_id)
        .outerjoin(reviewer, reviewer.id == AccessReviewItem.reviewer_id)
        .outerjoin(decider, decider.id == AccessReviewItem.decided_by_id)
        .where(AccessReviewItem.review_id == review_id)
        .order_by(AccessReviewItem.kind, holder.employee_no, AccessReviewItem.id)
    )
    return [ReviewRow(*row) for row in session.execute(query)]


def all_reviews(session: Session) -> list[AccessReview]:
    return list(session.scalars(select(AccessReview).order_by(AccessReview.id.desc())))


def review(session: Session, review_id: int) -> AccessReview | None:
    return session.get(AccessReview, review_id)


def person(user: User | None) -> str:
    """A person as the register shows them: name (employee number)."""
    return f"{user.name} ({user.employee_no})" if user else ""
