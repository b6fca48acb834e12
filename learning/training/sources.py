"""Where an assignment came from, for "why am I assigned this?".

Assignments are made by rooms above training (campaigns); those rooms register a describer here,
so training can name the source without importing them.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

# (session, campaign ids) -> {campaign id: {"ja": name, "en": name}}
Describer = Callable[[Session, set[int]], dict[int, dict[str, str]]]
_describers: list[Describer] = []


def register(describer: Describer) -> Describer:
    if describer not in _describers:
        _describers.append(describer)
    return describer


def campaign_names(session: Session, campaign_ids: set[int]) -> dict[int, dict[str, str]]:
    names: dict[int, dict[str, str]] = {}
    for describer in _describers:
        names.update(describer(session, {i for i in campaign_ids if i is not None}))
    return names


# (session, assignment ids) -> {assignment id: {"from": names, "to": names, "day": date, "campaign": names,
# "brought_forward": bool}}: a move that made the assignment (a campaign's transfer rule), or brought its due
# date forward. Registered by campaigns, like the describers above.
Explainer = Callable[[Session, set[int]], dict[int, dict]]
_explainers: list[Explainer] = []


def register_explainer(explainer: Explainer) -> Explainer:
    if explainer not in _explainers:
        _explainers.append(explainer)
    return explainer


def moves_behind(session: Session, assignment_ids: set[int]) -> dict[int, dict]:
    found: dict[int, dict] = {}
    for explainer in _explainers:
        found.update(explainer(session, {i for i in assignment_ids if i is not None}))
    return found
