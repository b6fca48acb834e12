"""Links from sections to the rules library (`rules:slug#heading`, courses/markdown.py) and whether the
documents they name exist. The rules room is above courses, so it registers the lookup here in its init_app;
with none registered (a check run without the app) the links are not checked."""

from __future__ import annotations

from collections.abc import Callable

# slugs -> the ones that name a document, or None when the lookup cannot tell now (no database at hand)
Lookup = Callable[[set[str]], set[str] | None]
_lookups: list[Lookup] = []


def register(lookup: Lookup) -> Lookup:
    if lookup not in _lookups:
        _lookups.append(lookup)
    return lookup


def unknown(slugs: set[str]) -> set[str] | None:
    """Which of `slugs` name no document; None when no registered lookup can tell."""
    for lookup in _lookups:
        known = lookup(set(slugs))
        if known is not None:
            return set(slugs) - known
    return None
