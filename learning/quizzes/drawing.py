"""A fair draw: every section of the module in each quiz, and a retry of questions not seen last time.

Pure functions (no database), tested without an app. A question belongs to the section its first
`section-N` tag names; questions without one form a group of their own.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Hashable, Iterable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
SECTION_TAG = re.compile(r"^section-(\d+)$")


def section_of(tags: str | Iterable[str]) -> int | None:
    """The section position a question tests (its first `section-N` tag), or None."""
    names = tags.split(",") if isinstance(tags, str) else tags
    for name in names:
        found = SECTION_TAG.match(name.strip())
        if found:
            return int(found.group(1))
    return None


def fair_draw(
    questions: Sequence[tuple[K, int | None]], draw: int, previous_keys: Collection[K], rng: random.Random
) -> list[K]:
    """`draw` distinct keys of `questions` ((key, section or None) pairs), shuffled.

    Every group (section, and the untagged ones together) gets one question when `draw` reaches the
    number of groups; otherwise `draw` groups chosen at random get one each. The rest is spread as evenly
    as the bank allows, first over the questions not in `previous_keys` (a retry shows new questions
    wherever a section still has some), then, only once those run out, over the ones seen before.
    """
    groups: dict[int | None, list[K]] = {}
    for key, section in questions:
        groups.setdefault(section, []).append(key)
    order = sorted(groups, key=lambda s: (s is None, s or 0))
    size = min(draw, sum(len(keys) for keys in groups.values()))
    unseen = {g: [k for k in groups[g] if k not in previous_keys] for g in order}
    covered = order if size >= len(order) else rng.sample(order, size)
    quota = {g: (1 if g in covered else 0) for g in order}
    left = size - sum(quota.values())
    # Unseen capacity first (a group keeps at least its one question even when all of it was seen).
    for capacity in ({g: max(len(unseen[g]), quota[g]) for g in order}, {g: len(groups[g]) for g in order}):
        while left > 0:
            open_ = [g for g in order if quota[g] < capacity[g]]
            if not open_:
                break
            least = min(quota[g] for g in open_)
            chosen = rng.choice([g for g in open_ if quota[g] == least])
            quota[chosen] += 1
            left -= 1
    drawn: list[K] = []
    for g in order:
        fresh = rng.sample(unseen[g], min(quota[g], len(unseen[g])))
        seen = [k for k in groups[g] if k in previous_keys]
        drawn += fresh + rng.sample(seen, quota[g] - len(fresh))
    rng.shuffle(drawn)
    return drawn
