"""Who a notice is addressed to, and who of them has acknowledged it: for the report and the reminders.

Everyone counted is a person not gone (active or on leave) in a department the notice reaches, where they are
now (as a running campaign counts them); an acknowledgement keeps the department it was given in. Pure of Flask.
"""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import RoleGrant, User
from learning.accounts.tree import Parents, subtree
from learning.announcements.models import Notice, NoticeReceipt
from learning.authz import Role


def covered(notice: Notice, parents: Parents) -> set[int]:
    """The departments the notice reaches: the whole tree, or its subtrees."""
    if notice.everyone:
        return set(parents)
    return subtree([d.department_id for d in notice.departments], parents)


def addressed(notice: Notice, departments: set[int]):
    """The criterion for the people a notice addresses in these departments: not gone; for a notice to heads
    only, holding a manager grant in force (as a heads-only campaign counts them)."""
    criterion = and_(User.status != "left", User.department_id.in_(departments or {-1}))
    if notice.heads_only:
        heads = select(RoleGrant.user_id).where(RoleGrant.role == Role.MANAGER, RoleGrant.in_force_at(clock.now()))
        criterion = and_(criterion, User.id.in_(heads))
    return criterion


def counts(session: Session, notice: Notice, departments: set[int]) -> dict[int, tuple[int, int]]:
    """{department: (people addressed, of them acknowledged)} for the given departments."""
    rows = session.execute(
        select(User.department_id, func.count(User.id), func.count(NoticeReceipt.acknowledged_at))
        .outerjoin(NoticeReceipt, and_(NoticeReceipt.user_id == User.id, NoticeReceipt.notice_id == notice.id))
        .where(addressed(notice, departments))
        .group_by(User.department_id)
    ).all()
    return {department: (int(people), int(acked)) for department, people, acked in rows}


def people(session: Session, notice: Notice, departments: set[int], *, acknowledged: bool | None = None) -> list:
    """(person, receipt or None) of these departments, by employee number; `acknowledged` filters."""
    query = (
        select(User, NoticeReceipt)
        .outerjoin(NoticeReceipt, and_(NoticeReceipt.user_id == User.id, NoticeReceipt.notice_id == notice.id))
        .where(addressed(notice, departments))
        .order_by(User.employee_no)
    )
    if acknowledged is True:
        query = query.where(NoticeReceipt.acknowledged_at.is_not(None))
    elif acknowledged is False:
        query = query.where(NoticeReceipt.acknowledged_at.is_(None))
    return list(session.execute(query).all())
