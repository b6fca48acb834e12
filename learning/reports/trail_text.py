"""An audit event in words, for the trail page and its exports: people as name (employee number), actions,
outcomes, target types and coded values by their labels in the reader's language, details as "key: value"
text. Flask-free: the caller passes `gettext`. Odd details (any JSON, or none) never make it fail."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.accounts.models import Department, User
from learning.audit.messages import ACTIONS, DEPARTMENT_KEYS, DETAILS, OUTCOMES, TARGETS, VALUES, is_user_key
from learning.audit.models import AuditEvent
from learning.campaigns.models import Campaign
from learning.clock import TOKYO
from learning.courses.models import Edition, Module
from learning.courses.term_settings import current_terms
from learning.courses.terms import substitute
from learning.reports.messages import NO, NO_ACTOR, UNLABELLED, YES

Translate = Callable[[str], str]
MAX_DEPTH = 3  # deeper JSON is shown as JSON


@dataclass(frozen=True)
class Described:
    """One event as a reader sees it. The *_code fields keep what was stored, for links and filters."""

    id: int
    at: datetime
    action: str
    action_code: str
    labelled: bool
    outcome: str
    outcome_code: str
    actor: str
    actor_id: int | None
    target: str
    target_type: str | None
    target_id: str | None
    details: list[tuple[str, str]]
    request_id: str | None
    address: str | None

    @property
    def details_text(self) -> str:
        return "; ".join(f"{key}: {value}" if key else value for key, value in self.details)

    @property
    def tokyo_time(self) -> str:
        return self.at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S")


def parse_details(raw: str | None) -> object:
    """The stored details as JSON values; text that is not JSON stays text."""
    try:
        return json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return raw


def label(table: dict[str, str], code: str | None, gettext: Translate) -> str:
    """A code's label in the reader's language; a code without one is shown as itself, marked."""
    if not code:
        return ""
    if code in table:
        return gettext(table[code])
    return gettext(UNLABELLED) % {"code": code}


class Describer:
    """Describes events in batches: the people, departments, campaigns and editions they name are looked up
    once per batch."""

    def __init__(self, session: Session, gettext: Translate, locale: str):
        self.session, self.gettext, self.locale = session, gettext, locale
        self.names: dict[str, dict[int, str]] = {}

    def describe(self, events: Iterable[AuditEvent]) -> list[Described]:
        events = list(events)
        details = [parse_details(event.details) for event in events]
        self._look_up(events, details)
        return [self._one(event, data) for event, data in zip(events, details, strict=True)]

    def _one(self, event: AuditEvent, data: object) -> Described:
        _ = self.gettext
        return Described(
            id=event.id,
            at=event.at,
            action=label(ACTIONS, event.action, _),
            action_code=event.action,
            labelled=event.action in ACTIONS,
            outcome=label(OUTCOMES, event.outcome, _),
            outcome_code=event.outcome,
            actor=self.name("user", event.actor_id) if event.actor_id is not None else _(NO_ACTOR),
            actor_id=event.actor_id,
            target=self.target(event.target_type, event.target_id),
            target_type=event.target_type,
            target_id=event.target_id,
            details=self.detail_lines(data),
            request_id=event.request_id,
            address=event.address,
        )

    def target(self, kind: str | None, ident: str | None) -> str:
        if not kind:
            return ""
        kind_label = label(TARGETS, kind, self.gettext)
        number = _number(ident)
        if number is not None and kind in LOOKUPS:
            return f"{kind_label}: {self.name(kind, number)}"
        return f"{kind_label} #{ident}" if ident else kind_label

    def name(self, kind: str, ident: int) -> str:
        return self.names.get(kind, {}).get(ident) or f"#{ident}"

    def detail_lines(self, data: object) -> list[tuple[str, str]]:
        if not isinstance(data, dict):
            return [] if data in (None, "", []) else [("", self.value("", data))]
        return [(self._key(key), self.value(key, value)) for key, value in data.items()]

    def _key(self, key: str) -> str:
        """A detail key's label; one without (old rows, nested data) with its underscores as spaces."""
        if key in DETAILS:
            return self.gettext(DETAILS[key])
        return key.removesuffix("_id").replace("_", " ").strip() or key

    def value(self, key: str, value: object, depth: int = 0) -> str:
        """One detail's value as text: ids of people and departments by name, coded values by label."""
        _ = self.gettext
        if value is None:
            return "—"
        if isinstance(value, bool):
            return _(YES) if value else _(NO)
        if isinstance(value, int) and is_user_key(key):
            return self.name("user", value)
        if isinstance(value, int) and key in DEPARTMENT_KEYS:
            return self.name("department", value)
        if isinstance(value, str) and value in VALUES.get(key, {}):
            return _(VALUES[key][value])
        if isinstance(value, int | float | str):
            return str(value)
        if depth >= MAX_DEPTH:
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, list):
            return ", ".join(self.value(key, item, depth + 1) for item in value)
        if isinstance(value, dict):
            return "; ".join(f"{self._key(str(k))}: {self.value(str(k), v, depth + 1)}" for k, v in value.items())
        return str(value)

    def _look_up(self, events: list[AuditEvent], details: list[object]) -> None:
        wanted: dict[str, set[int]] = {kind: set() for kind in LOOKUPS}
        for event, data in zip(events, details, strict=True):
            if event.actor_id is not None:
                wanted["user"].add(event.actor_id)
            number = _number(event.target_id)
            if event.target_type in wanted and number is not None:
                wanted[event.target_type].add(number)
            for key, value in _pairs(data):
                if isinstance(value, int) and not isinstance(value, bool):
                    if is_user_key(key):
                        wanted["user"].add(value)
                    elif key in DEPARTMENT_KEYS:
                        wanted["department"].add(value)
        self.names = {
            kind: LOOKUPS[kind](self.session, ids, self.locale) if ids else {} for kind, ids in wanted.items()
        }


def _pairs(data: object, depth: int = 0) -> Iterable[tuple[str, object]]:
    """Every (key, value) in nested details, with list items under their list's key."""
    if depth > MAX_DEPTH:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list):
                yield from _pairs(value, depth + 1)
                if isinstance(value, list):
                    yield from ((str(key), item) for item in value)
            else:
                yield str(key), value
    elif isinstance(data, list):
        for item in data:
            yield from _pairs(item, depth + 1)


def _number(ident: str | None) -> int | None:
    return int(ident) if ident and ident.isascii() and ident.isdigit() and len(ident) < 12 else None


def _pick(ja: str, en: str, locale: str) -> str:
    return (en if locale == "en" else ja) or ja or en


def people(session: Session, ids: set[int], _locale: str = "ja") -> dict[int, str]:
    """Name (employee number) of each person."""
    rows = session.execute(select(User.id, User.name, User.employee_no).where(User.id.in_(ids)))
    return {row.id: f"{row.name} ({row.employee_no})" for row in rows}


def departments(session: Session, ids: set[int], locale: str) -> dict[int, str]:
    rows = session.execute(
        select(Department.id, Department.code, Department.name_ja, Department.name_en).where(Department.id.in_(ids))
    )
    return {row.id: f"{_pick(row.name_ja, row.name_en, locale)} ({row.code})" for row in rows}


def campaigns(session: Session, ids: set[int], locale: str) -> dict[int, str]:
    rows = session.execute(select(Campaign.id, Campaign.name_ja, Campaign.name_en).where(Campaign.id.in_(ids)))
    return {row.id: _pick(row.name_ja, row.name_en, locale) for row in rows}


def editions(session: Session, ids: set[int], locale: str) -> dict[int, str]:
    terms = current_terms(session) if ids else None  # titles as the portal shows them
    rows = session.execute(
        select(Edition.id, Edition.version, Edition.title_ja, Edition.title_en).where(Edition.id.in_(ids))
    )
    return {
        row.id: f"{substitute(_pick(row.title_ja, row.title_en, locale), locale, terms)} (v{row.version})"
        for row in rows
    }


def modules(session: Session, ids: set[int], _locale: str) -> dict[int, str]:
    return dict(session.execute(select(Module.id, Module.slug).where(Module.id.in_(ids))).tuples())


LOOKUPS = {"user": people, "department": departments, "campaign": campaigns, "edition": editions, "module": modules}
