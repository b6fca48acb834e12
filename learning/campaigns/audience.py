"""Who a campaign covers: department subtrees, with excluded subtrees taken out. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable

from learning.accounts.tree import Parents, subtree


def covered_departments(
    include: Iterable[int], exclude: Iterable[int], parents: Parents, whole_organisation: bool
) -> set[int]:
    """Departments in the audience: the whole tree or the included subtrees, minus excluded subtrees."""
    base = set(parents) if whole_organisation else subtree(include, parents)
    return base - subtree(exclude, parents)
