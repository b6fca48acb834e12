"""The department tree (learning/accounts/tree.py): parent map, children, subtrees, the order parents first."""

import random

from learning.accounts import tree
from learning.reports.completion import Counts
from learning.reports.completion import tree as report_tree
from tests.factories import make_department

#   1          6
#   ├─ 2       └─ 7 (parent 6)
#   │  ├─ 3
#   │  └─ 4
#   └─ 5
PARENTS = {1: None, 2: 1, 3: 2, 4: 2, 5: 1, 6: None, 7: 6}


def test_parent_map_is_one_query_of_every_department(db):
    root = make_department(db, code="R")
    branch = make_department(db, code="B", parent=root)
    leaf = make_department(db, code="L", parent=branch)
    assert tree.parent_map(db) == {root.id: None, branch.id: root.id, leaf.id: branch.id}


def test_children_and_tops_keep_the_maps_order():
    assert dict(tree.children_map(PARENTS)) == {None: [1, 6], 1: [2, 5], 2: [3, 4], 6: [7]}
    assert tree.children_map([(2, 1), (3, 1), (3, 1)]) == {1: [2, 3, 3]}  # pairs, as rows give them
    assert tree.tops(PARENTS) == [1, 6]
    assert tree.tops({5: 99, 1: None, 2: 1}) == [5, 1]  # a parent outside the map makes a top


def test_subtree():
    assert tree.subtree([2], PARENTS) == {2, 3, 4}
    assert tree.subtree([2, 6], PARENTS) == {2, 3, 4, 6, 7}
    assert tree.subtree([3, 2], PARENTS) == {2, 3, 4}  # overlapping roots
    assert tree.subtree([], PARENTS) == set()
    assert tree.subtree([1], {}) == {1}  # a root not in the map stands alone
    assert tree.subtree([99], PARENTS) == {99}
    assert tree.subtree([99], {5: 99, 6: 5}) == {99, 5, 6}  # its children in the map still belong to it


def test_order_parents_first_depth_first():
    assert tree.ordered(PARENTS) == [(1, 0), (2, 1), (3, 2), (4, 2), (5, 1), (6, 0), (7, 1)]
    assert tree.ordered(PARENTS, roots=[2]) == [(2, 0), (3, 1), (4, 1)]
    assert tree.ordered(PARENTS, roots=[6, 2]) == [(6, 0), (7, 1), (2, 0), (3, 1), (4, 1)]  # the roots' order
    assert tree.ordered(PARENTS, roots=[99, 5]) == [(5, 0)]  # roots not in the map are left out
    assert tree.ordered({}) == []


def test_order_sorts_siblings_by_a_key():
    assert tree.ordered(PARENTS, key=lambda d: -d) == [(6, 0), (7, 1), (1, 0), (5, 1), (2, 1), (4, 2), (3, 2)]
    assert tree.ordered(PARENTS, key=lambda d: d, descending=True) == tree.ordered(PARENTS, key=lambda d: -d)
    assert tree.ordered(PARENTS, roots={6, 2}, key=lambda d: d) == [(2, 0), (3, 1), (4, 1), (6, 0), (7, 1)]


def test_a_department_whose_parent_is_missing_is_a_top():
    parents = {2: 1, 3: 2, 5: None}  # 1 is not in the map (outside a scope, say)
    assert tree.ordered(parents) == [(2, 0), (3, 1), (5, 0)]


def test_a_deep_tree_needs_no_recursion():
    depth = 20_000  # far beyond Python's recursion limit
    chain = {0: None, **{d: d - 1 for d in range(1, depth)}}
    assert tree.ordered(chain) == [(d, d) for d in range(depth)]
    assert tree.subtree([depth // 2], chain) == set(range(depth // 2, depth))
    assert tree.ordered(chain, roots=[depth - 2]) == [(depth - 2, 0), (depth - 1, 1)]


def test_a_cycle_is_not_followed_round():
    parents = {1: 3, 2: 1, 3: 2, 4: None}  # 1 → 2 → 3 → 1, unreachable from the top
    assert tree.ordered(parents) == [(4, 0)]
    assert tree.ordered(parents, roots=[1]) == [(1, 0), (2, 1), (3, 2)]
    assert tree.subtree([2], parents) == {1, 2, 3}


def test_a_root_under_another_root_is_walked_again_as_before():
    # What the completion report has always done for a manager heading a department and one under it.
    assert tree.ordered(PARENTS, roots=[1, 2], key=lambda d: d) == [
        (1, 0),
        (2, 1),
        (3, 2),
        (4, 2),
        (5, 1),
        (2, 0),
        (3, 1),
        (4, 1),
    ]


def _old_report_order(departments, roots, key, descending):
    """The completion report's walk before the tree module: recursive, siblings sorted at each level."""
    ids = {d for d, _ in departments}
    children = {}
    for d, parent in departments:
        children.setdefault(parent if parent in ids else None, []).append(d)
    top = [r for r in roots if r in ids] if roots is not None else children.get(None, [])
    ordered = []

    def walk(rows, depth):
        for row in sorted(rows, key=key, reverse=descending):
            ordered.append((row, depth))
            walk(children.get(row, []), depth + 1)

    walk(top, 0)
    return ordered


def test_the_order_is_the_reports_old_order_on_random_trees():
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 40)
        ids = rng.sample(range(1, 1000), n)
        departments = [(d, rng.choice([None, *ids[:i]])) for i, d in enumerate(ids)]
        rng.shuffle(departments)
        parents = dict(departments)
        weights = {d: rng.choice([None, 1, 2, 3]) for d in ids}

        def key(d, weights=weights):
            value = weights[d]
            return (value is None, value if value is not None else 0, f"C{d:04}")

        roots = None if rng.random() < 0.5 else set(rng.sample(ids, rng.randint(1, min(3, n))))
        descending = rng.random() < 0.5
        assert tree.ordered(parents, roots, key, descending) == _old_report_order(departments, roots, key, descending)


def test_the_completion_report_rows_come_in_the_tree_order():
    departments = [(1, "R", "Root", None), (2, "B2", "Beta", 1), (3, "B1", "Alpha", 1), (4, "S", "Sub", 3)]
    counts = {2: Counts(assigned=2, completed=2), 4: Counts(assigned=4, completed=1)}
    rows = report_tree(departments, counts, None)
    assert [(r.code, r.depth) for r in rows] == [("R", 0), ("B1", 1), ("S", 2), ("B2", 1)]  # by name
    assert [r.code for r in report_tree(departments, counts, None, "completion_rate", True)] == ["R", "B2", "B1", "S"]
    root = rows[0]
    assert (root.total.assigned, root.total.completed, root.has_children) == (6, 3, True)
    assert [r.code for r in report_tree(departments, counts, {3})] == ["B1", "S"]
