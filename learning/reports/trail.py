"""The audit trail as internal audit reads it: filters checked and turned into query conditions, keyset pages
(by id) over any number of events, and the rows of an export read in short chunks. How an event is put into
words is learning.reports.trail_text. Flask-free."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from learning.accounts.models import User
from learning.accounts.services import find_user
from learning.audit.messages import OUTCOMES
from learning.audit.models import AuditEvent
from learning.clock import TOKYO
from learning.errors import DomainError
from learning.reports.messages import MESSAGES
from learning.reports.trail_text import Describer, Translate

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
# The rows of one worksheet, less the block that heads the export.
XLSX_LIMIT = 1_048_576 - 10
CODE = re.compile(r"[a-z][a-z0-9_]{0,59}")  # an action or target type, labelled or not (old rows)
DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)
ACTOR_MAX, TARGET_MAX = 100, 60


class TrailError(DomainError):
    """A filter the trail cannot apply; `field` is the query-string parameter it concerns."""

    messages = MESSAGES


@dataclass(frozen=True)
class TrailFilter:
    """What the reader asked for, as typed (trimmed); the dates are days in Japan, both included."""

    actor: str = ""
    target_type: str = ""
    target_id: str = ""
    action: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def args(self) -> dict[str, str]:
        """The filter as query-string parameters (only those set): for links, paging and exports."""
        values = {
            "actor": self.actor,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "action": self.action,
            "outcome": self.outcome,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in values.items() if value}


def parse_filter(args: Mapping[str, str]) -> tuple[TrailFilter, list[TrailError]]:
    """The filter in a query string, and what is wrong with it (every problem, each naming its field)."""
    errors: list[TrailError] = []
    text = {key: (args.get(key) or "").strip() for key in ("actor", "target_type", "target_id", "action", "outcome")}
    if len(text["actor"]) > ACTOR_MAX:
        errors.append(TrailError("actor_too_long", field="actor", n=ACTOR_MAX))
    if text["target_type"] and not CODE.fullmatch(text["target_type"]):
        errors.append(TrailError("target_type", field="target_type"))
    if len(text["target_id"]) > TARGET_MAX:
        errors.append(TrailError("target_too_long", field="target_id", n=TARGET_MAX))
    elif text["target_id"] and not text["target_type"]:
        errors.append(TrailError("target_type_needed", field="target_type"))
    if text["action"] and not CODE.fullmatch(text["action"]):
        errors.append(TrailError("action", field="action"))
    if text["outcome"] and text["outcome"] not in OUTCOMES:
        errors.append(TrailError("outcome", field="outcome"))
    days = {}
    for key in ("date_from", "date_to"):
        days[key] = _day(args.get(key) or "")
        if days[key] is False:
            errors.append(TrailError(key, field=key))
            days[key] = None
    if days["date_from"] and days["date_to"] and days["date_to"] < days["date_from"]:
        errors.append(TrailError("date_order", field="date_to"))
    return TrailFilter(**text, **days), errors


def _day(typed: str) -> date | bool | None:
    """A day typed as YYYY-MM-DD (or with slashes, or in full-width digits); None if empty, False if not a day."""
    typed = unicodedata.normalize("NFKC", typed).strip().replace("/", "-")
    if not typed:
        return None
    match = DATE.fullmatch(typed)
    if match is None:
        return False
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    return day if FIRST_DAY <= day <= LAST_DAY else False


def tokyo_midnight(day: date) -> datetime:
    """The start of a day in Japan, as UTC."""
    return datetime.combine(day, time(0), TOKYO).astimezone(UTC)


@dataclass
class Conditions:
    """A filter as WHERE clauses, or the errors of the people it names that do not exist."""

    where: list[ColumnElement] = field(default_factory=list)
    errors: list[TrailError] = field(default_factory=list)


def conditions(session: Session, trail_filter: TrailFilter) -> Conditions:
    """The filter as conditions on the audit events."""
    found = Conditions()
    f = trail_filter
    if f.actor:
        _actor(session, f.actor, found)
    if f.target_type:
        found.where.append(AuditEvent.target_type == f.target_type)
    if f.target_id:
        _target(session, f.target_type, f.target_id, found)
    if f.action:
        found.where.append(AuditEvent.action == f.action)
    if f.outcome:
        found.where.append(AuditEvent.outcome == f.outcome)
    if f.date_from:
        found.where.append(AuditEvent.at >= tokyo_midnight(f.date_from))
    if f.date_to:
        found.where.append(AuditEvent.at < tokyo_midnight(f.date_to + timedelta(days=1)))
    return found


def _actor(session: Session, typed: str, found: Conditions) -> None:
    """An employee number or login ID (as find_user reads them, full-width digits too), else part of a name
    (spaces ignored)."""
    person = find_user(session, unicodedata.normalize("NFKC", typed))
    if person is not None:
        found.where.append(AuditEvent.actor_id == person.id)
        return
    named = select(User.id).where(_squeezed(User.name).icontains(_squeeze(typed), autoescape=True))
    if session.scalar(select(named.exists())):
        found.where.append(AuditEvent.actor_id.in_(named))
    else:
        found.errors.append(TrailError("no_actor", field="actor", value=typed))


def _target(session: Session, target_type: str, typed: str, found: Conditions) -> None:
    """The target's id as stored; a person may also be named by employee number or login ID."""
    if target_type == "user" and not typed.isdigit():
        person = find_user(session, unicodedata.normalize("NFKC", typed))
        if person is None:
            found.errors.append(TrailError("no_target_person", field="target_id", value=typed))
            return
        typed = str(person.id)
    found.where.append(AuditEvent.target_id == typed)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)  # \s is Unicode: the ideographic space too


def _squeezed(column):
    return func.replace(func.replace(column, " ", ""), "\u3000", "")


@dataclass(frozen=True)
class Page:
    """Up to PAGE_SIZE events, newest first; `older` and `newer` are the ids to page from, if there is more."""

    events: list[AuditEvent]
    older: int | None
    newer: int | None


def page(session: Session, where: list[ColumnElement], before: int | None = None, after: int | None = None) -> Page:
    """One page of the filtered trail: the newest, the one below id `before`, or the one above id `after`."""
    if after is not None:
        ids = session.scalars(
            select(AuditEvent.id).where(*where, AuditEvent.id > after).order_by(AuditEvent.id).limit(PAGE_SIZE + 1)
        ).all()
        events = _events(session, ids[:PAGE_SIZE])
        newer = events[0].id if len(ids) > PAGE_SIZE else None
        older = events[-1].id if events and _any(session, where, AuditEvent.id < events[-1].id) else None
        return Page(events, older, newer)
    bound = [AuditEvent.id < before] if before is not None else []
    ids = newest_ids(session, [*where, *bound], PAGE_SIZE + 1)
    events = _events(session, ids[:PAGE_SIZE])
    older = events[-1].id if len(ids) > PAGE_SIZE else None
    newer = None
    if before is not None:
        edge = events[0].id if events else before - 1
        newer = edge if _any(session, where, AuditEvent.id > edge) else None
    return Page(events, older, newer)


def newest_ids(session: Session, where: list[ColumnElement], limit: int) -> list[int]:
    """The ids first, the rows after (_events): each filter's index holds the id, so the database finds and
    orders the matches without reading them (a name matching forty thousand events costs 25 ms, not 250)."""
    return list(session.scalars(select(AuditEvent.id).where(*where).order_by(AuditEvent.id.desc()).limit(limit)).all())


def _events(session: Session, ids: list[int]) -> list[AuditEvent]:
    """The events with these ids, newest first."""
    if not ids:
        return []
    return list(session.scalars(select(AuditEvent).where(AuditEvent.id.in_(ids)).order_by(AuditEvent.id.desc())))


def _any(session: Session, where: list[ColumnElement], bound: ColumnElement) -> bool:
    return session.scalar(select(AuditEvent.id).where(*where, bound).limit(1)) is not None


def head_id(session: Session) -> int:
    """The newest event's id (0 while the trail is empty): an export covers the trail up to it."""
    return session.scalar(select(func.max(AuditEvent.id))) or 0


def count(session: Session, where: list[ColumnElement], up_to: int) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(*where, AuditEvent.id <= up_to))


def chunks(
    sessions: Callable[[], Session], where: list[ColumnElement], up_to: int, size: int = EXPORT_CHUNK
) -> Iterator[tuple[Session, list[AuditEvent]]]:
    """The filtered events up to id `up_to`, newest first, `size` at a time, each chunk read in a short
    session of its own (so a long download holds no lock or snapshot) that stays open while the caller
    uses the chunk. The trail is append-only, so the chunks add up to what the first would have seen."""
    below = up_to + 1
    while True:
        with sessions() as session:
            events = _events(session, newest_ids(session, [*where, AuditEvent.id < below], size))
            if not events:
                return
            below = events[-1].id
            yield session, events


def export_rows(
    sessions: Callable[[], Session], where: list[ColumnElement], up_to: int, gettext: Translate, locale: str
) -> Iterator[list]:
    """The rows of an export, in the columns of the trail page (EXPORT_COLUMNS), read and described a chunk at
    a time: labels with the stored codes beside them."""
    for session, events in chunks(sessions, where, up_to):
        for event in Describer(session, gettext, locale).describe(events):
            yield [
                event.id,
                event.at,
                event.actor,
                (event.action, event.action_code),
                (event.outcome, event.outcome_code),
                (event.target, target_code(event.target_type, event.target_id)) if event.target_type else None,
                event.details_text,
                event.address or "",
                event.request_id or "",
            ]


def target_code(kind: str | None, ident: str | None) -> str:
    """An event's target as machines read it: `type:id` (or the type alone)."""
    return f"{kind}:{ident}" if ident else kind or ""
