"""Who a campaign covers: department subtrees, with excluded subtrees taken out. Pure functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def subtree(roots: Iterable[int], parents: dict[int, int | None]) -> set[int]:
    """Every department under (and including) the given roots."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for child, parent in parents.items():
        children[parent].append(child)
    found, stack = set(), list(roots)
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found


def covered_departments(
    include: Iterable[int], exclude: Iterable[int], parents: dict[int, int | None], whole_organisation: bool
) -> set[int]:
    """Departments in the audience: the whole tree or the included subtrees, minus excluded subtrees."""
    base = set(parents) if whole_organisation else subtree(include, parents)
    return base - subtree(exclude, parents)
