"""Comprehension per department and module, rolled up, with small groups kept from being read off.

A department whose figure rests on fewer than MIN_GROUP people shows no score of its own (its people
still count in the departments above it). A figure is also withheld when the people it would add to the
figures shown below it are fewer than MIN_GROUP: otherwise subtracting the shown children from the parent
would give the hidden child's score away. Pure: rows in, figures out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from learning.accounts.tree import children_map

MIN_GROUP = 5


@dataclass
class Scores:
    scored: int = 0  # people with at least one submitted attempt
    score_sum: int = 0
    first_passed: int = 0
    completed: int = 0
    attempts_of_completed: int = 0

    def add(self, other: Scores) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def average(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    @property
    def first_attempt_pass_rate(self) -> float | None:
        return self.first_passed / self.scored if self.scored else None

    @property
    def attempts_per_completion(self) -> float | None:
        return self.attempts_of_completed / self.completed if self.completed else None


@dataclass
class Cell:
    total: Scores = field(default_factory=Scores)
    shown: bool = True


def tally(rows) -> dict[tuple[int, int], Scores]:
    """(department, module, scored, score sum, first passed, completed, attempts of completed) rows."""
    cells: dict[tuple[int, int], Scores] = {}
    for department_id, module_id, scored, score_sum, first_passed, completed, attempts in rows:
        # PostgreSQL sums bigint counts as numeric: take plain ints so every database gives the same figures.
        values = (int(v or 0) for v in (scored, score_sum, first_passed, completed, attempts))
        cells[(department_id, module_id)] = Scores(*values)
    return cells


def rolled_up(
    order: list[tuple[int, int | None]],
    own: dict[tuple[int, int], Scores],
    modules: list[int],
    min_group: int = MIN_GROUP,
) -> dict[tuple[int, int], Cell]:
    """Cells per (department, module) over each subtree, marked shown or withheld.

    `order` lists (department id, parent id) parents first (the report tree's order).
    """
    children = children_map(order)
    cells: dict[tuple[int, int], Cell] = {}
    for department, _parent in reversed(order):  # children before parents
        for module in modules:
            cell = Cell()
            cell.total.add(own.get((department, module), Scores()))
            shown_below = 0
            for child in children.get(department, []):
                below = cells[(child, module)]
                cell.total.add(below.total)
                shown_below += below.total.scored if below.shown else 0
            hidden_part = cell.total.scored - shown_below
            cell.shown = cell.total.scored >= min_group and not 0 < hidden_part < min_group
            cells[(department, module)] = cell
    return cells
