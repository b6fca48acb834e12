"""record() writes an audit event in the caller's transaction; verify_chain() checks the trail; head() and
check_anchor() let the newest link be recorded outside the database and checked later, so that a removed
tail (which leaves a shorter chain that still verifies) is found too.

Event names follow the OWASP Logging Vocabulary (authn_login_success, authz_fail, …).
Never pass secrets, and never the identity behind an anonymous question.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.models import AuditEvent
from learning.inputs import MAX_ID

GENESIS = "0" * 64
# The chain is a single sequence; writers take this transaction-scoped lock in PostgreSQL so two
# requests never chain onto the same predecessor. (SQLite serialises writers with BEGIN IMMEDIATE.)
CHAIN_LOCK_KEY = 0x6175646974  # "audit"


@dataclass(frozen=True)
class RequestContext:
    request_id: str | None = None
    address: str | None = None


# Set by the web layer for each request so services can stay free of Flask.
current_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("audit_request", default=None)


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    target: tuple[str, object] | None = None,
    outcome: str = "success",
    details: dict | None = None,
    anonymous: bool = False,
) -> AuditEvent:
    """Appends one event; it commits or rolls back with the action it describes.

    The returned event is a record of what was written (it carries no id).
    """
    return AuditEvent(**record_many(session, [Entry(action, actor_id, target, outcome, details, anonymous)])[-1])


@dataclass(frozen=True)
class Entry:
    """One event to append (see record() for the meaning of each field)."""

    action: str
    actor_id: int | None = None
    target: tuple[str, object] | None = None
    outcome: str = "success"
    details: dict | None = None
    anonymous: bool = False


CHUNK = 5000
_AT_COMMIT = "audit_at_commit"  # session.info key: the entries record_at_commit() holds back


def record_at_commit(session: Session, entry: Entry) -> None:
    """Appends `entry` when the session commits (not at all if it rolls back), for work that reads for long
    before it commits (a report at 100,000 people): the trail's lock, which every audited write in the
    organisation waits for, is then held for the insert alone instead of for the whole computation."""
    if _AT_COMMIT not in session.info:
        session.info[_AT_COMMIT] = []
        event.listen(session, "before_commit", _record_held_back)
        event.listen(session, "after_transaction_end", _forget_held_back)
    if not session.in_transaction():
        session.begin()  # the entry belongs to this transaction: its rollback drops it
    session.info[_AT_COMMIT].append(entry)


def _record_held_back(session: Session) -> None:
    entries, session.info[_AT_COMMIT] = session.info[_AT_COMMIT], []
    if entries:
        record_many(session, entries)


def _forget_held_back(session: Session, transaction) -> None:
    if transaction.parent is None and not transaction.nested:  # ended: committed (written) or rolled back
        session.info[_AT_COMMIT] = []


def record_many(session: Session, entries: Iterable[Entry]) -> list[dict]:
    """Appends events in order under one lock, inserting them in chunks (imports record 100,000 at once).

    Returns the last chunk's rows (as dicts), enough for record() and small callers.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    previous = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    at = clock.now().replace(microsecond=0)
    fallback = current_request.get() or RequestContext()
    chunk: list[dict] = []
    for entry in entries:
        context = RequestContext() if entry.anonymous else fallback
        row = {
            "at": at,
            "actor_id": None if entry.anonymous else entry.actor_id,
            "action": entry.action,
            "outcome": entry.outcome,
            "target_type": entry.target[0] if entry.target else None,
            "target_id": str(entry.target[1]) if entry.target else None,
            "details": json.dumps(entry.details or {}, ensure_ascii=False, sort_keys=True),
            "request_id": context.request_id,
            "address": context.address,
            "prev_hash": previous,
        }
        row["hash"] = previous = row_hash(row)
        chunk.append(row)
        if len(chunk) == CHUNK:
            session.execute(insert(AuditEvent), chunk)
            chunk = []
    if chunk:
        session.execute(insert(AuditEvent), chunk)
    return chunk


HASHED_FIELDS = (
    "at",
    "actor_id",
    "action",
    "outcome",
    "target_type",
    "target_id",
    "details",
    "request_id",
    "address",
    "prev_hash",
)


def row_hash(row: dict) -> str:
    """SHA-256 over a canonical JSON form of every field but the id and the hash itself."""
    values = [row[name] for name in HASHED_FIELDS]
    values[0] = values[0].strftime("%Y-%m-%dT%H:%M:%SZ")
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify_chain(session: Session, batch: int = 5000) -> tuple[int, int | None]:
    """Walks the trail in order; returns (events checked, id of the first broken link or None).

    Reads plain rows, not ORM objects: a million events take seconds, not minutes."""
    columns = [AuditEvent.id, AuditEvent.hash, *(getattr(AuditEvent, name) for name in HASHED_FIELDS)]
    previous, checked, last_id = GENESIS, 0, 0
    while True:
        rows = session.execute(select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch))
        rows = rows.mappings().all()
        if not rows:
            return checked, None
        for row in rows:
            if row["prev_hash"] != previous or row_hash(row) != row["hash"]:
                return checked, row["id"]
            previous, last_id, checked = row["hash"], row["id"], checked + 1


@dataclass(frozen=True)
class Anchor:
    """The id and hash of one event, written `17234:ab12…` (64 hex digits) to be kept outside the database."""

    event_id: int
    hash: str

    PATTERN: ClassVar[re.Pattern] = re.compile(r"(\d{1,10}):([0-9a-f]{64})")

    def __str__(self) -> str:
        return f"{self.event_id}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """ValueError unless `text` is an event id, a colon and a SHA-256 hash in hex."""
        match = cls.PATTERN.fullmatch(text.strip().lower())
        if match is None or not 0 < int(match.group(1)) <= MAX_ID:
            raise ValueError(text)
        return cls(int(match.group(1)), match.group(2))


def head(session: Session) -> Anchor | None:
    """The newest event of the trail as an anchor, or None while the trail is empty."""
    row = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return Anchor(row.id, row.hash) if row else None


def check_anchor(session: Session, anchor: Anchor) -> str | None:
    """None if the anchored event is still there with its hash; else "missing" (the tail from it on was
    removed) or "changed" (another event now has its id). Run after verify_chain: an intact chain that still
    holds the anchor holds everything recorded before it, unchanged."""
    stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == anchor.event_id))
    if stored is None:
        return "missing"
    return None if stored == anchor.hash else "changed"
