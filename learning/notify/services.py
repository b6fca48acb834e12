"""Queueing email in the outbox, in the same transaction as the decision it reports; never commits.

Queueing is idempotent by a caller-chosen key. Sending is learning.notify.sender's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.notify.models import OutboxMessage


@dataclass(frozen=True)
class Mail:
    dedupe_key: str
    kind: str
    to_address: str
    subject: str
    body: str
    to_user_id: int | None = None


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "conduct-rules-portal@localhost"

    @property
    def configured(self) -> bool:
        return bool(self.host)


def enqueue(session: Session, mails: list[Mail]) -> int:
    """Adds messages to the outbox, skipping any whose key is already there; returns how many were new."""
    if not mails:
        return 0
    now = clock.now()
    rows = [
        {
            "dedupe_key": m.dedupe_key,
            "kind": m.kind,
            "to_user_id": m.to_user_id,
            "to_address": m.to_address,
            "subject": m.subject,
            "body": m.body,
            "status": "queued",
            "tries": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in mails
    ]
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])
    created = 0
    for start in range(0, len(rows), 2000):
        created += len(session.execute(statement.returning(OutboxMessage.id), rows[start : start + 2000]).all())
    return created


def outbox(session: Session, limit: int = 200) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))
