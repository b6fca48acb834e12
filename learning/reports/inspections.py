"""Self-inspection reports (自主点検): a round's completion by department for a period, rolled up over the
tree; its findings by checklist item, status and age; the trend across its periods; and the open findings.
Read-only and Flask-free; every query is limited to the reader's scope (`services.Scope`, the one the
training reports use, with the second line's subtrees) and none grows with the number of departments.

An inspection of the period is, exclusively: accepted by the second line; submitted (waiting for review);
returned (sent back, being answered again); in progress (answers saved); or not started. An open one past
its due day is also counted overdue. A finding's age is the Japanese days since it was raised."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, exists, func, select
from sqlalchemy.orm import Session

from learning.accounts import tree as department_tree
from learning.accounts.models import Department, User
from learning.campaigns.periods import start_of_day
from learning.clock import tokyo_date
from learning.inspections.models import (
    FINDING_STATUSES,
    InspectionAnswer,
    InspectionFinding,
    InspectionResponse,
    InspectionRound,
)
from learning.reports.services import Scope

STATES = ("accepted", "submitted", "returned", "in_progress", "not_started")
# Age bands of the findings not yet verified: (code, fewest days, most days or None).
AGE_BANDS = (("0_30", 0, 30), ("31_60", 31, 60), ("61_90", 61, 90), ("over_90", 91, None))
PAGE_SIZE = 50


@dataclass
class InspectionCounts:
    due: int = 0
    accepted: int = 0
    submitted: int = 0
    returned: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    def add(self, other: InspectionCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def handed_in(self) -> int:
        """Submitted, whether accepted yet or not."""
        return self.accepted + self.submitted

    @property
    def completion_rate(self) -> float | None:
        return self.handed_in / self.due if self.due else None


@dataclass
class InspectionRow:
    id: int
    code: str
    name: str
    depth: int
    parent_id: int | None
    own: InspectionCounts = field(default_factory=InspectionCounts)
    total: InspectionCounts = field(default_factory=InspectionCounts)  # with every department under it
    has_children: bool = False


def _in_scope(column, scope: Scope) -> list:
    return [] if scope.departments is None else [column.in_(scope.departments or {-1})]


def _state():
    answered = exists().where(InspectionAnswer.response_id == InspectionResponse.id)
    return case(
        (InspectionResponse.accepted_at.is_not(None), "accepted"),
        (InspectionResponse.status == "submitted", "submitted"),
        (InspectionResponse.reviewed_by_id.is_not(None), "returned"),
        (answered, "in_progress"),
        else_="not_started",
    )


def _overdue(today: date):
    return func.sum(case((and_(InspectionResponse.status == "open", InspectionResponse.due_on < today), 1), else_=0))


def _tally(counts: InspectionCounts, state: str, n, overdue) -> None:
    n = int(n or 0)
    counts.due += n
    setattr(counts, state, getattr(counts, state) + n)
    counts.overdue += int(overdue or 0)


def rounds_in_scope(session: Session, scope: Scope) -> list[InspectionRound]:
    """The rounds with an inspection in the reader's scope, the newest first."""
    ids = select(InspectionResponse.round_id).where(
        InspectionResponse.round_id.is_not(None), *_in_scope(InspectionResponse.department_id, scope)
    )
    return list(
        session.scalars(select(InspectionRound).where(InspectionRound.id.in_(ids)).order_by(InspectionRound.id.desc()))
    )


def periods(session: Session, round_id: int, scope: Scope) -> list[date]:
    """The first days of the round's periods with an inspection in scope, the latest first."""
    query = (
        select(InspectionResponse.period_start)
        .where(InspectionResponse.round_id == round_id, *_in_scope(InspectionResponse.department_id, scope))
        .distinct()
        .order_by(InspectionResponse.period_start.desc())
    )
    return list(session.scalars(query))


def _departments(session: Session, locale: str) -> list[tuple[int, str, str, int | None]]:
    found = session.execute(
        select(Department.id, Department.code, Department.name_ja, Department.name_en, Department.parent_id)
    )
    return [(d.id, d.code, d.name_en if locale == "en" else d.name_ja, d.parent_id) for d in found]


def completion(
    session: Session, round_id: int, period_start: date, scope: Scope, today: date, locale: str = "ja"
) -> list[InspectionRow]:
    """The department tree (the reader's subtrees) with each department's own and rolled-up inspections of
    the period; departments with none under them are left out."""
    state = _state()
    query = (
        select(InspectionResponse.department_id, state, func.count(), _overdue(today))
        .where(
            InspectionResponse.round_id == round_id,
            InspectionResponse.period_start == period_start,
            *_in_scope(InspectionResponse.department_id, scope),
        )
        .group_by(InspectionResponse.department_id, state)
    )
    own: dict[int, InspectionCounts] = {}
    for department_id, found_state, n, overdue in session.execute(query):
        _tally(own.setdefault(department_id, InspectionCounts()), found_state, n, overdue)
    departments = _departments(session, locale)
    by_id = {d[0]: InspectionRow(d[0], d[1], d[2], 0, d[3]) for d in departments}
    parents = {row.id: row.parent_id for row in by_id.values()}
    children = department_tree.children_map(parents)
    for department, _depth in reversed(department_tree.ordered(parents, scope.roots)):  # children first
        row = by_id[department]
        row.own = own.get(department, InspectionCounts())
        row.total = InspectionCounts()
        row.total.add(row.own)
        for child in children.get(department, []):
            row.total.add(by_id[child].total)
        row.has_children = any(by_id[c].total.due for c in children.get(department, []))
    ordered = []
    for department, depth in department_tree.ordered(parents, scope.roots, lambda d: by_id[d].code):
        row = by_id[department]
        if row.total.due:
            row.depth = depth
            ordered.append(row)
    return ordered


def scope_total(rows: list[InspectionRow]) -> InspectionCounts:
    """The whole scope: the top rows' totals (each department counted once)."""
    total = InspectionCounts()
    shown = {row.id for row in rows}
    for row in rows:
        if row.parent_id not in shown:
            total.add(row.total)
    return total


# --- Findings --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemLine:
    position: int
    key: str
    texts: dict[str, str]  # {lang: text}, the organisation terms not yet substituted
    departments: int  # departments that did not conform on it
    findings: int
    still_open: int  # not verified


@dataclass
class FindingFigures:
    items: list[ItemLine]
    statuses: dict[str, int]  # every status, in order
    ages: dict[str, int]  # the not-verified findings per age band, in order
    overdue: int  # not done and past the due day

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def not_verified(self) -> int:
        return self.total - self.statuses.get("verified", 0)


def _findings_of(round_id: int, period_start: date | None, scope: Scope) -> list:
    where = [
        InspectionResponse.id == InspectionFinding.response_id,
        InspectionResponse.round_id == round_id,
        *_in_scope(InspectionFinding.department_id, scope),
    ]
    if period_start is not None:
        where.append(InspectionResponse.period_start == period_start)
    return where


def _age_band(today: date):
    """The band of a finding's age as a SQL expression: raised on or after the Tokyo day `most` days ago."""
    whens = [
        (InspectionFinding.created_at >= start_of_day(today - timedelta(days=most)), code)
        for code, _fewest, most in AGE_BANDS
        if most is not None
    ]
    return case(*whens, else_=AGE_BANDS[-1][0])


def finding_figures(
    session: Session, inspection_round: InspectionRound, period_start: date | None, scope: Scope, today: date
) -> FindingFigures:
    """The round's findings (one period's, or every period's): per checklist item, per status and, for those
    not verified, per age band and overdue."""
    where = _findings_of(inspection_round.id, period_start, scope)
    not_verified = InspectionFinding.status != "verified"
    per_item = {
        item_id: (int(d), int(n), int(o or 0))
        for item_id, d, n, o in session.execute(
            select(
                InspectionFinding.item_id,
                func.count(distinct(InspectionFinding.department_id)),
                func.count(),
                func.sum(case((not_verified, 1), else_=0)),
            )
            .where(*where)
            .group_by(InspectionFinding.item_id)
        )
    }
    items = [
        ItemLine(item.position, item.key, item.texts, *per_item.get(item.id, (0, 0, 0)))
        for item in inspection_round.version.items
    ]
    statuses = dict.fromkeys(FINDING_STATUSES, 0)
    for status, n in session.execute(
        select(InspectionFinding.status, func.count()).where(*where).group_by(InspectionFinding.status)
    ):
        statuses[status] = int(n)
    band = _age_band(today)
    late = and_(InspectionFinding.status.in_(("open", "in_progress")), InspectionFinding.due_on < today)
    ages = dict.fromkeys((code for code, *_ in AGE_BANDS), 0)
    overdue = 0
    for code, n, o in session.execute(
        select(band, func.count(), func.sum(case((late, 1), else_=0))).where(*where, not_verified).group_by(band)
    ):
        ages[code] = int(n)
        overdue += int(o or 0)
    return FindingFigures(items, statuses, ages, overdue)


# --- The trend across periods ------------------------------------------------------------------------------


@dataclass
class TrendPoint:
    period_start: date
    due_on: date
    counts: InspectionCounts
    findings: int = 0

    def running(self, today: date) -> bool:
        """Its figures still grow: its due day has not passed."""
        return self.due_on >= today


def trend(session: Session, round_id: int, scope: Scope, today: date) -> list[TrendPoint]:
    """Per period of the round, oldest first: its inspections' states and the findings raised from them."""
    state = _state()
    in_scope = _in_scope(InspectionResponse.department_id, scope)
    points: dict[date, TrendPoint] = {}
    rows = session.execute(
        select(
            InspectionResponse.period_start, state, func.count(), _overdue(today), func.max(InspectionResponse.due_on)
        )
        .where(InspectionResponse.round_id == round_id, *in_scope)
        .group_by(InspectionResponse.period_start, state)
    )
    for start, found_state, n, overdue, due_on in rows:
        point = points.setdefault(start, TrendPoint(start, due_on, InspectionCounts()))
        point.due_on = max(point.due_on, due_on)
        _tally(point.counts, found_state, n, overdue)
    found = session.execute(
        select(InspectionResponse.period_start, func.count())
        .select_from(InspectionFinding)
        .join(InspectionResponse, InspectionResponse.id == InspectionFinding.response_id)
        .where(InspectionResponse.round_id == round_id, *in_scope)
        .group_by(InspectionResponse.period_start)
    )
    for start, n in found:
        if start in points:
            points[start].findings = int(n)
    return [points[start] for start in sorted(points)]


# --- Open findings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenFinding:
    finding: InspectionFinding
    department: Department
    owner: User
    inspection_round_id: int
    period_start: date
    age: int  # days since it was raised
    overdue: bool


def _open_query(scope: Scope, round_id: int | None):
    query = (
        select(InspectionFinding, Department, User, InspectionResponse.round_id, InspectionResponse.period_start)
        .join(InspectionResponse, InspectionResponse.id == InspectionFinding.response_id)
        .join(Department, Department.id == InspectionFinding.department_id)
        .join(User, User.id == InspectionFinding.owner_id)
        .where(InspectionFinding.status != "verified", *_in_scope(InspectionFinding.department_id, scope))
    )
    return query.where(InspectionResponse.round_id == round_id) if round_id is not None else query


def open_findings(
    session: Session, scope: Scope, today: date, round_id: int | None = None, page: int | None = 1
) -> tuple[list[OpenFinding], int]:
    """The findings not verified, the earliest due first, one page of PAGE_SIZE (None: every one), and how
    many there are in all."""
    query = _open_query(scope, round_id).order_by(InspectionFinding.due_on, InspectionFinding.id)
    if page is not None:
        query = query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    rows = [
        OpenFinding(
            finding,
            department,
            owner,
            found_round,
            start,
            (today - tokyo_date(finding.created_at)).days,
            finding.status in ("open", "in_progress") and finding.due_on < today,
        )
        for finding, department, owner, found_round, start in session.execute(query)
    ]
    counted = session.scalar(select(func.count()).select_from(_open_query(scope, round_id).subquery()))
    return rows, int(counted or 0)
