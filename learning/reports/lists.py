"""The lists compliance works from: for a campaign, every person in a department's subtree (or the whole
organisation) with their status per module, their department and its head; filtered, sorted, paged or
read whole for an export. One line per person and department: a person × module matrix.

Counted as the report counts (reports/services.py `placement`): a closed period where people were, with its
amendments; the running one where people are now. Withdrawn assignments (leavers) are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from learning.accounts.grants import department_heads, nearest_head
from learning.accounts.models import Department, User
from learning.accounts.tree import parent_map
from learning.campaigns.models import Campaign, PeriodAmendment
from learning.courses.models import Edition
from learning.reports.services import Placement, placement
from learning.training.models import Assignment

FILTERS = ("all", "not_finished", "overdue", "exempt")
SORTS = ("employee_no", "name", "department", "progress")
PAGE_SIZE = 50
OPEN = ("assigned", "in_progress")


@dataclass
class PersonLine:
    user_id: int
    employee_no: str
    name: str
    department_id: int | None
    counted: int
    completed: int
    overdue: int
    exempt: int
    modules: dict[int, str] = field(default_factory=dict)  # module id -> status code (reports/messages.py)
    department: dict[str, str] = field(default_factory=dict)  # names by language
    department_code: str = ""
    head: str = ""

    @property
    def status(self) -> str:
        """The person's standing in the campaign, as one status code."""
        if self.counted == 0:
            return "exempt"
        if self.completed == self.counted:
            return "completed"
        if self.overdue:
            return "overdue"
        return "in_progress" if self.completed else "not_started"


def _effective_status(latest):
    """The status an assignment is counted under: a closed period's latest amendment corrects it."""
    if latest is None:
        return Assignment.status
    return case(
        (latest.c.corrected_status == "completed", "completed"),
        (latest.c.corrected_status == "exempt", "exempt"),
        (latest.c.corrected_status == "not_completed", "assigned"),
        else_=Assignment.status,
    )


def _latest_amendments(campaign_id: int):
    newest = (
        select(func.max(PeriodAmendment.id))
        .where(PeriodAmendment.campaign_id == campaign_id)
        .group_by(PeriodAmendment.assignment_id)
    )
    return (
        select(PeriodAmendment.assignment_id, PeriodAmendment.corrected_status)
        .where(PeriodAmendment.id.in_(newest))
        .subquery()
    )


def _base(campaign: Campaign, where: Placement, departments: set[int] | None, latest):
    """The campaign's counted assignments with their person and effective status."""
    status = _effective_status(latest)
    query = (
        select(Assignment, User)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.campaign_id == campaign.id, Assignment.withdrawn_at.is_(None))
    )
    if latest is not None:
        query = query.outerjoin(latest, latest.c.assignment_id == Assignment.id)
    if departments is not None:
        query = query.where(where.department.in_(departments or {-1}))
    return query, status


def _per_person(campaign: Campaign, where: Placement, departments: set[int] | None, chosen: str):
    latest = _latest_amendments(campaign.id) if where.frozen else None
    base, status = _base(campaign, where, departments, latest)
    late = and_(status.in_(OPEN), Assignment.due_at < where.as_of, where.not_on_leave)
    counted = func.sum(case((status != "exempt", 1), else_=0))
    completed = func.sum(case((status == "completed", 1), else_=0))
    overdue = func.sum(case((late, 1), else_=0))
    exempt = func.sum(case((status == "exempt", 1), else_=0))
    query = base.with_only_columns(
        User.id,
        User.employee_no,
        User.name,
        where.department,
        counted.label("counted"),
        completed.label("completed"),
        overdue.label("overdue"),
        exempt.label("exempt"),
    ).group_by(User.id, User.employee_no, User.name, where.department)
    if chosen == "not_finished":
        query = query.having(completed < counted)
    elif chosen == "overdue":
        query = query.having(overdue > 0)
    elif chosen == "exempt":
        query = query.having(exempt > 0)
    return query, (completed, counted)


def _ordered(query, where: Placement, sort: str, descending: bool, progress):
    completed, counted = progress
    keys = {
        "employee_no": [User.employee_no],
        "name": [User.name, User.employee_no],
        "department": [where.department, User.employee_no],
        "progress": [completed * 1.0 / func.nullif(counted, 0), User.employee_no],
    }[sort if sort in SORTS else "employee_no"]
    return query.order_by(*(key.desc() if descending else key for key in keys), User.id)


def page(
    session: Session,
    campaign: Campaign,
    departments: set[int] | None,
    chosen: str = "all",
    sort: str = "employee_no",
    descending: bool = False,
    number: int = 1,
) -> tuple[list[PersonLine], int]:
    """One page of the list, and how many lines there are in all."""
    where = placement(campaign)
    query, progress = _per_person(campaign, where, departments, chosen if chosen in FILTERS else "all")
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        _ordered(query, where, sort, descending, progress).limit(PAGE_SIZE).offset((max(number, 1) - 1) * PAGE_SIZE)
    ).all()
    lines = [PersonLine(*row) for row in rows]
    _complete(session, campaign, where, lines)
    return lines, total


def every_line(
    session_factory, campaign_id: int, departments: set[int] | None, chosen: str, chunk: int = 2000
) -> Iterator[PersonLine]:
    """All of the list in employee-number order, read in chunks, each in a short session of its own (an
    export of a hundred thousand people streams without holding them)."""
    after = ""
    while True:
        with session_factory() as session:
            campaign = session.get(Campaign, campaign_id)
            where = placement(campaign)
            query, _progress = _per_person(campaign, where, departments, chosen if chosen in FILTERS else "all")
            rows = session.execute(
                query.where(User.employee_no > after).order_by(User.employee_no, where.department).limit(chunk)
            ).all()
            if not rows:
                return
            lines = [PersonLine(*row) for row in rows]
            # A person in two departments of one period straddles a chunk's end at most once: both lines
            # come with the next chunk, which starts after the last complete person.
            if len(rows) == chunk and len({line.employee_no for line in lines}) > 1:
                last = lines[-1].employee_no
                lines = [line for line in lines if line.employee_no != last]
            _complete(session, campaign, where, lines)
        yield from lines
        after = lines[-1].employee_no


def _complete(session: Session, campaign: Campaign, where: Placement, lines: list[PersonLine]) -> None:
    """Fills in each line's statuses per module, department name and head."""
    if not lines:
        return
    latest = _latest_amendments(campaign.id) if where.frozen else None
    base, status = _base(campaign, where, None, latest)
    late = and_(status.in_(OPEN), Assignment.due_at < where.as_of, where.not_on_leave)
    cells = session.execute(
        base.with_only_columns(User.id, where.department, Edition.module_id, status, late)
        .join(Edition, Edition.id == Assignment.edition_id)
        .where(User.id.in_({line.user_id for line in lines}))
    ).all()
    by_line = {(line.user_id, line.department_id): line for line in lines}
    for user_id, department_id, module_id, code, is_late in cells:
        line = by_line.get((user_id, department_id))
        if line is not None:
            line.modules[module_id] = "overdue" if is_late else ("not_started" if code == "assigned" else code)
    departments = {d.id: d for d in session.scalars(select(Department))}
    heads, parents = department_heads(session), parent_map(session)
    named = {
        u.id: u.name for u in session.scalars(select(User).where(User.id.in_({i for v in heads.values() for i in v})))
    }
    for line in lines:
        found = departments.get(line.department_id)
        line.department, line.department_code = (found.names, found.code) if found else ({}, "")
        head = nearest_head(heads, parents, line.department_id, line.user_id)
        line.head = named.get(head, "") if head else ""


def modules_of(session: Session, campaign: Campaign) -> list[tuple[int, dict[str, str]]]:
    """The campaign's modules (id, titles) in the campaign's order: the matrix's columns."""
    editions = {
        e.module_id: e
        for e in session.scalars(
            select(Edition).where(Edition.id.in_([cm.edition_id for cm in campaign.modules if cm.edition_id]))
        )
    }
    return [
        (cm.module_id, editions[cm.module_id].titles)
        for cm in campaign.modules
        if cm.module_id in editions and not cm.on_transfer
    ]
