"""The departments as the admin lists them for the HR files: code, names, parent, head, headcount, status.

Read-only and Flask-free; the page and its CSV are in reports/views/departments.py (the one export writer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning.accounts.models import Department, RoleGrant, User
from learning.accounts.tree import ordered
from learning.authz import Role

STATUS_FILTERS = ("all", "active", "closed")


@dataclass
class DepartmentLine:
    """One department: `headcount` counts the people in it who have not left, `in_subtree` those in it and
    every department under it; `heads` are the managers whose scope it is."""

    department: Department
    depth: int
    parent: Department | None
    merged_into: Department | None
    headcount: int
    in_subtree: int
    heads: list[User] = field(default_factory=list)


def listing(session: Session, now: datetime, status: str = "all") -> list[DepartmentLine]:
    """Every department in tree order (parents first, siblings by code), closed ones too unless filtered."""
    departments = {d.id: d for d in session.scalars(select(Department).order_by(Department.code))}
    parents = {d.id: d.parent_id for d in departments.values()}
    counts = dict(
        session.execute(
            select(User.department_id, func.count())
            .where(User.status != "left", User.department_id.is_not(None))
            .group_by(User.department_id)
        ).all()
    )
    heads: dict[int, list[User]] = {}
    for department_id, user in session.execute(
        select(RoleGrant.department_id, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == Role.MANAGER, RoleGrant.in_force_at(now), RoleGrant.department_id.is_not(None))
        .order_by(User.employee_no)
    ):
        heads.setdefault(department_id, []).append(user)
    order = ordered(parents, key=lambda d: departments[d].code)
    in_subtree = {d: counts.get(d, 0) for d in departments}
    for department_id, _depth in reversed(order):  # children before their parents: each adds itself up
        if (parent := parents[department_id]) in in_subtree:
            in_subtree[parent] += in_subtree[department_id]
    lines = []
    for department_id, depth in order:
        department = departments[department_id]
        if status != "all" and department.is_active != (status == "active"):
            continue
        lines.append(
            DepartmentLine(
                department,
                depth,
                departments.get(department.parent_id),
                departments.get(department.merged_into_id),
                counts.get(department_id, 0),
                in_subtree[department_id],
                heads.get(department_id, []),
            )
        )
    return lines
