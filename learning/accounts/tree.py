"""The department tree: the parent map, children, subtrees, and the tree in order, parents first.

Pure functions over a parent map `{department id: parent id or None}`; only `parent_map` reads the
database. A department whose parent is not in the map is a top of the tree, like one without a parent.
Everything here is iterative (no recursion), so depth is not limited by Python's stack, and no walk
follows a cycle in the data round and round.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.accounts.models import Department

Parents = Mapping[int, int | None]


def parent_map(session: Session) -> dict[int, int | None]:
    """Every department's parent, in one query."""
    return dict(session.execute(select(Department.id, Department.parent_id)).all())


def children_map(parents: Parents | Iterable[tuple[int, int | None]]) -> dict[int | None, list[int]]:
    """Each parent's children, in the order given (keyed by the parent id as given, None included).

    Takes the parent map or (department id, parent id) pairs, such as a tree's rows in order.
    """
    pairs = parents.items() if isinstance(parents, Mapping) else parents
    children: dict[int | None, list[int]] = defaultdict(list)
    for child, parent in pairs:
        children[parent].append(child)
    return children


def tops(parents: Parents) -> list[int]:
    """The departments at the top: no parent, or a parent not in the map; in the map's order."""
    return [d for d, parent in parents.items() if parent is None or parent not in parents]


def company_of(parents: Parents) -> dict[int, int]:
    """Each department's company: the top of its tree (a company is a top-level department)."""
    children = children_map(parents)
    company: dict[int, int] = {}
    for top in tops(parents):
        stack = [top]
        while stack:
            current = stack.pop()
            if current not in company:
                company[current] = top
                stack.extend(children.get(current, ()))
    return company


def subtree(roots: Iterable[int], parents: Parents) -> set[int]:
    """Every department under (and including) the given roots. A root not in the map is kept, alone."""
    children = children_map(parents)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found


def ordered(
    parents: Parents,
    roots: Iterable[int] | None = None,
    key: Callable[[int], Any] | None = None,
    descending: bool = False,
) -> list[tuple[int, int]]:
    """(department id, depth) depth-first, each department before its children.

    `roots` starts the walk at those departments (those not in the map are left out); None starts at
    the tops. Siblings, the roots among them, are sorted by `key` (reversed when `descending`) or, with
    no key, kept in the parent map's order. Depth counts from 0 at the roots. A root under another root
    is walked again from itself; a department already on the path from its root (a cycle) is not.
    """
    children = children_map(parents)
    start = tops(parents) if roots is None else [r for r in roots if r in parents]

    def arrange(ids: list[int]) -> list[int]:
        return sorted(ids, key=key, reverse=descending) if key is not None else list(ids)

    result: list[tuple[int, int]] = []
    path: list[int] = []  # the departments from the current root down to the last one placed
    on_path: set[int] = set()
    stack = [(d, 0) for d in reversed(arrange(start))]
    while stack:
        department, depth = stack.pop()
        for left in path[depth:]:
            on_path.discard(left)
        del path[depth:]
        if department in on_path:
            continue
        path.append(department)
        on_path.add(department)
        result.append((department, depth))
        stack.extend((child, depth + 1) for child in reversed(arrange(children.get(department, []))))
    return result
