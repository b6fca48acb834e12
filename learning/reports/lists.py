"""The lists compliance works from: for a campaign, every person in a department's subtree (or the whole
organisation) with their status per module, their department and its head; filtered, sorted, paged or
read whole for an export. One line per person and department: a person × module matrix.

Counted as the report counts (reports/services.py `placement`): a closed period where people were, with its
amendments; the running one where people are now. Withdrawn assignments (leavers) are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from learning.accounts.grants import department_heads, nearest_head
from learning.accounts.models import Department, User
from learning.accounts.tree import parent_map
from learning.campaigns.models import Campaign, DueExtension, DueExtensionItem, PeriodAmendment
from learning.courses.models import Edition
from learning.reports.employment import employment_people
from learning.reports.services import Placement, in_scope, placement
from learning.training.models import Assignment
from learning.training.services import OPEN

FILTERS = ("all", "not_finished", "overdue", "exempt")
SORTS = ("employee_no", "name", "department", "progress", "due")
PAGE_SIZE = 50


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
    # The person's current due date (after any extension): the earliest of their assignments not finished,
    # else the earliest of all (everything done or exempt); `extended_from` the first due date it replaced.
    due_at: datetime | None = None
    extended_from: datetime | None = None
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


def _per_person(
    campaign: Campaign,
    where: Placement,
    departments: set[int] | None,
    chosen: str,
    user_ids=None,
    employment: str | None = None,
    cells: dict[int, list[int]] | None = None,
):
    """One row per person (and department): the counts of their assignments, from the assignments alone
    (an index-only scan on PostgreSQL), joined to the people afterwards; `employment` keeps the people that
    filter keeps (reports/employment.py). With `cells` (each shown module's editions, _cell_editions), each
    module's status and lateness and the earliest due date an extension replaced follow in the same row
    (read by _line): one row per person instead of one per assignment (the whole organisation's file at
    100,000 people read 600,000 rows before)."""
    latest = _latest_amendments(campaign.id) if where.frozen else None
    status = _effective_status(latest)
    late = and_(status.in_(OPEN), Assignment.due_at < where.as_of)
    if where.frozen:
        late = and_(late, Assignment.on_leave_at_close.is_(False))
    inner = select(
        Assignment.user_id.label("user_id"),
        *([Assignment.department_id.label("department_id")] if where.frozen else []),
        func.sum(case((status != "exempt", 1), else_=0)).label("counted"),
        func.sum(case((status == "completed", 1), else_=0)).label("completed"),
        func.sum(case((late, 1), else_=0)).label("late"),
        func.sum(case((status == "exempt", 1), else_=0)).label("exempt"),
        func.coalesce(func.min(case((status.in_(OPEN), Assignment.due_at))), func.min(Assignment.due_at)).label(
            "due_at"
        ),
    ).where(Assignment.campaign_id == campaign.id, Assignment.withdrawn_at.is_(None))
    if latest is not None:
        inner = inner.outerjoin(latest, latest.c.assignment_id == Assignment.id)
    inner, cell_names = _with_cells(inner, campaign.id, cells, status, late)
    if user_ids is not None:
        inner = inner.where(Assignment.user_id.in_(user_ids))
    else:
        inner = inner.where(*in_scope(where, departments))
    grouped = inner.group_by(Assignment.user_id, *([Assignment.department_id] if where.frozen else [])).subquery()
    department = grouped.c.department_id if where.frozen else User.department_id
    # People on leave now are not overdue in the running period (a closed one kept that in on_leave_at_close).
    overdue = grouped.c.late if where.frozen else case((User.status == "leave", 0), else_=grouped.c.late)
    query = select(
        User.id,
        User.employee_no,
        User.name,
        department,
        grouped.c.counted,
        grouped.c.completed,
        overdue,
        grouped.c.exempt,
        grouped.c.due_at,
    ).join(grouped, grouped.c.user_id == User.id)
    for name in cell_names:
        cell = grouped.c[name]
        if name.startswith("late_") and not where.frozen:
            cell = case((User.status == "leave", 0), else_=cell)  # as `overdue`: no one on leave now is late
        query = query.add_columns(cell)
    if departments is not None:
        query = query.where(department.in_(departments or {-1}))
    query = query.where(*employment_people(employment))
    if chosen == "not_finished":
        query = query.where(grouped.c.completed < grouped.c.counted)
    elif chosen == "overdue":
        query = query.where(overdue > 0)
    elif chosen == "exempt":
        query = query.where(grouped.c.exempt > 0)
    return query, (grouped.c.completed, grouped.c.counted, grouped.c.due_at), department


def _with_cells(inner, campaign_id: int, cells: dict[int, list[int]] | None, status, late):
    """`inner` with a status and a lateness per module of `cells`, and the earliest due date an extension
    replaced; and the names of those columns, in _line's order."""
    if cells is None:
        return inner, []
    names = []
    for module_id, editions in cells.items():
        of_module = Assignment.edition_id.in_(editions)
        inner = inner.add_columns(
            func.max(case((of_module, status))).label(f"status_{module_id}"),
            func.max(case((and_(of_module, late), 1), else_=0)).label(f"late_{module_id}"),
        )
        names += [f"status_{module_id}", f"late_{module_id}"]
    first_due = _first_due_dates(campaign_id)
    inner = inner.outerjoin(first_due, first_due.c.assignment_id == Assignment.id)
    return inner.add_columns(func.min(first_due.c.first_due).label("first_due")), [*names, "first_due"]


def _ordered(query, department, sort: str, descending: bool, progress):
    completed, counted, due_at = progress
    keys = {
        "due": [due_at, User.employee_no],
        "employee_no": [User.employee_no],
        "name": [User.name, User.employee_no],
        "department": [department, User.employee_no],
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
    employment: str | None = None,
) -> tuple[list[PersonLine], int]:
    """One page of the list, and how many lines there are in all."""
    where = placement(campaign)
    chosen = chosen if chosen in FILTERS else "all"
    query, progress, department = _per_person(campaign, where, departments, chosen, None, employment)
    # The page, then the count in a statement of its own. (A count over the window beside each row made one
    # statement of it, but the planner costs a window under a LIMIT as if it could stop early: at 100,000
    # people it chose a nested loop over the whole aggregate, 270 s for the "not finished" list.)
    rows = session.execute(
        _ordered(query, department, sort, descending, progress)
        .limit(PAGE_SIZE)
        .offset((max(number, 1) - 1) * PAGE_SIZE)
    ).all()
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    lines = _with_cells_of(session, campaign, where, [PersonLine(*row) for row in rows])
    _name_places(lines, _places(session))
    return lines, total


def _with_cells_of(session: Session, campaign: Campaign, where: Placement, lines: list[PersonLine]):
    """The lines of a page with their cells, read for their people only: the page is chosen and sorted from
    the counts alone (the cells of the whole organisation, aggregated before the page is cut, made the first
    page of 100,000 people 2.6 times slower)."""
    if not lines:
        return lines
    cells = _cell_editions(session, campaign)
    people = [line.user_id for line in lines]
    query, _progress, _department = _per_person(campaign, where, None, "all", people, None, cells)
    found = {(line.user_id, line.department_id): line for line in (_line(row, cells) for row in session.execute(query))}
    for line in lines:
        complete = found.get((line.user_id, line.department_id))
        if complete is not None:
            line.modules, line.extended_from = complete.modules, complete.extended_from
    return lines


def every_line(
    session_factory,
    campaign_id: int,
    departments: set[int] | None,
    chosen: str,
    chunk: int = 5000,
    employment: str | None = None,
) -> Iterator[PersonLine]:
    """All of the list in employee-number order, read in chunks, each in a short session of its own (an
    export of a hundred thousand people streams without holding them)."""
    after = ""
    places = cells = None
    while True:
        with session_factory() as session:
            campaign = session.get(Campaign, campaign_id)
            where = placement(campaign)
            # The next `chunk` people of the campaign by employee number, then their lines: each chunk
            # aggregates only its own people's assignments.
            # Within the scope from the start: a branch's file reads its people, not every chunk of the company.
            held = select(Assignment.id).where(Assignment.campaign_id == campaign.id, Assignment.user_id == User.id)
            if departments is not None:
                held = held.where(where.department.in_(departments or {-1}))
            chosen_people = select(User.id, User.employee_no).where(User.employee_no > after, held.exists())
            chosen_people = chosen_people.where(*employment_people(employment))
            people = session.execute(chosen_people.order_by(User.employee_no).limit(chunk)).all()
            if not people:
                return
            chosen_ = chosen if chosen in FILTERS else "all"
            # The chunk's people as a range of employee numbers, not a list of their ids: a statement with
            # thousands of parameters cost the driver more to convert than the database took to run it.
            in_chunk = select(User.id).where(User.employee_no > after, User.employee_no <= people[-1][1])
            if departments is not None:
                # A branch's people are spread over the whole range of numbers: without this, each chunk read
                # every assignment of everyone numbered between them (a branch head's file: 1.8 s at 100,000).
                in_chunk = in_chunk.where(held.exists())
            cells = _cell_editions(session, campaign) if cells is None else cells
            query, _progress, department = _per_person(
                campaign, where, departments, chosen_, in_chunk, employment, cells
            )
            lines = [_line(row, cells) for row in session.execute(query.order_by(User.employee_no, department))]
            places = places or _places(session)
            _name_places(lines, places)
        yield from lines
        after = people[-1][1]


@dataclass
class _Places:
    """Every department's names, heads and parents, and the heads' names: what a line names beside the person.
    Read once for an export however many chunks it reads (each chunk read them again before)."""

    departments: dict[int, Department]
    heads: dict
    parents: dict
    named: dict[int, str]


def _places(session: Session) -> _Places:
    departments = {d.id: d for d in session.scalars(select(Department))}
    heads = department_heads(session)
    head_ids = {i for v in heads.values() for i in v}
    named = dict(session.execute(select(User.id, User.name).where(User.id.in_(head_ids))).all()) if head_ids else {}
    return _Places(departments, heads, parent_map(session), named)


def _cell_editions(session: Session, campaign: Campaign) -> dict[int, list[int]]:
    """The editions of each module the matrix has a column for (modules_of), in its order: what a person's
    assignment is matched to its column by."""
    editions: dict[int, list[int]] = {module_id: [] for module_id, _titles in modules_of(session, campaign)}
    if editions:
        found = session.execute(select(Edition.id, Edition.module_id).where(Edition.module_id.in_(editions)))
        for edition_id, module_id in found:
            editions[module_id].append(edition_id)
    return editions


def _first_due_dates(campaign_id: int):
    """Per assignment of the campaign that an extension moved, the due date it had before the first one
    (campaigns/extensions.py keeps it on each item)."""
    return (
        select(DueExtensionItem.assignment_id, func.min(DueExtensionItem.previous_due_at).label("first_due"))
        .join(DueExtension, DueExtension.id == DueExtensionItem.extension_id)
        .where(DueExtension.campaign_id == campaign_id)
        .group_by(DueExtensionItem.assignment_id)
        .subquery()
    )


def _line(row, cells: dict[int, list[int]]) -> PersonLine:
    """A person's line from _per_person's row: the counts, then a status and lateness per module, then the
    earliest due date an extension replaced (shown when it came before the due date the person has now)."""
    line = PersonLine(*row[:9])
    for n, module_id in enumerate(cells):
        code, late = row[9 + 2 * n], row[10 + 2 * n]
        if code is not None:
            line.modules[module_id] = "overdue" if late else ("not_started" if code == "assigned" else code)
    first = row[9 + 2 * len(cells)]
    if first is not None and line.due_at is not None and first < line.due_at:
        line.extended_from = first
    return line


def _name_places(lines: list[PersonLine], places: _Places) -> None:
    """Fills in each line's department names and code and the name of its nearest head."""
    for line in lines:
        found = places.departments.get(line.department_id)
        line.department, line.department_code = (found.names, found.code) if found else ({}, "")
        head = nearest_head(places.heads, places.parents, line.department_id, line.user_id)
        line.head = places.named.get(head, "") if head else ""


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
