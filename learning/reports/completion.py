"""Department completion figures, rolled up over the tree. Pure: rows in, figures out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from learning.accounts import tree as department_tree

SORT_KEYS = (
    "name",
    "people",
    "people_not_finished",
    "people_overdue",
    "assigned",
    "completed",
    "in_progress",
    "not_started",
    "overdue",
    "exempt",
    "completion_rate",
    "on_time_rate",
)


@dataclass
class Counts:
    assigned: int = 0
    completed: int = 0
    on_time: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    exempt: int = 0
    # A leaver's open assignments, withdrawn: shown, never in `assigned` or any rate.
    withdrawn: int = 0
    # People (not assignments): with at least one counted assignment; all of those completed; any overdue.
    people: int = 0
    people_complete: int = 0
    people_overdue: int = 0

    @property
    def people_not_finished(self) -> int:
        return self.people - self.people_complete

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def counted(self) -> int:
        """Assignments that count towards the rates: exemptions are shown but left out."""
        return self.assigned - self.exempt

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.counted if self.counted else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.counted if self.counted else None


@dataclass
class DepartmentRow:
    id: int
    code: str
    name: str
    depth: int
    parent_id: int | None
    own: Counts = field(default_factory=Counts)
    total: Counts = field(default_factory=Counts)  # the department and everything under it
    has_children: bool = False

    def value(self, key: str):
        return self.name if key == "name" else getattr(self.total, key)


def tally(rows) -> dict[int, Counts]:
    """(department id, status, count, overdue count, on-time count) rows from SQL into counts per department."""
    counts: dict[int, Counts] = defaultdict(Counts)
    for department_id, status, *numbers in rows:
        n, overdue, on_time = (int(v or 0) for v in numbers)  # PostgreSQL sums come back as numeric
        c = counts[department_id]
        if status == "withdrawn":
            c.withdrawn += n
            continue
        c.assigned += n
        if status == "completed":
            c.completed += n
            c.on_time += on_time or 0
        elif status == "exempt":
            c.exempt += n
        else:
            c.in_progress += n if status == "in_progress" else 0
            c.not_started += n if status == "assigned" else 0
            c.overdue += overdue or 0
    return counts


def add_people(counts: dict[int, Counts], rows) -> None:
    """(department id, people, fully complete, with an overdue assignment) rows into the counts."""
    for department_id, people, complete, overdue in rows:
        c = counts[department_id]
        c.people, c.people_complete, c.people_overdue = int(people), int(complete or 0), int(overdue or 0)


def tree(
    departments: list[tuple[int, str, str, int | None]],
    counts: dict[int, Counts],
    roots: set[int] | None,
    sort: str = "name",
    descending: bool = False,
) -> list[DepartmentRow]:
    """The department tree in display order (siblings sorted by `sort`), each with own and rolled-up counts.

    `roots` limits the tree to those subtrees (a manager's scope); None shows the whole organisation.
    """
    by_id = {d[0]: DepartmentRow(d[0], d[1], d[2], 0, d[3]) for d in departments}
    parents = {row.id: row.parent_id for row in by_id.values()}
    children = department_tree.children_map(parents)
    for row in by_id.values():
        row.own = counts.get(row.id, Counts())
    for department, _depth in reversed(department_tree.ordered(parents, roots)):  # children before parents
        row = by_id[department]
        row.total = Counts()
        row.total.add(row.own)
        for child in children.get(department, []):
            row.total.add(by_id[child].total)
        row.has_children = bool(children.get(department))
    key = sort if sort in SORT_KEYS else "name"

    def sort_key(department: int):
        row = by_id[department]
        value = row.value(key)
        return (value is None, value if value is not None else 0, row.code)

    ordered: list[DepartmentRow] = []
    for department, depth in department_tree.ordered(parents, roots, sort_key, descending):
        row = by_id[department]
        row.depth = depth
        ordered.append(row)
    return ordered


def organisation_total(rows: list[DepartmentRow]) -> Counts:
    total = Counts()
    for row in rows:
        if row.depth == 0:
            total.add(row.total)
    return total


def cumulative_shares(
    opens_on: date, period_end: date, today: date, done_on: dict[date, int], total: Counts
) -> tuple[list[date], list[float]]:
    """Per day from the opening to today (or the period's last day, whichever comes first), the share of
    counted assignments completed by the end of that day. Nothing is drawn for days still to come."""
    end = max(opens_on, min(today, period_end - timedelta(days=1)))
    done = sum(n for day, n in done_on.items() if day < opens_on)
    days, shares = [], []
    day = opens_on
    while day <= end:
        done += done_on.get(day, 0)
        days.append(day)
        shares.append(round(100 * done / total.counted, 1) if total.counted else 0.0)
        day += timedelta(days=1)
    return days, shares
