"""Queueing email in the outbox, in the same transaction as the decision it reports; never commits.

Queueing is idempotent by a caller-chosen key. Sending is learning.notify.sender's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.notify.models import OutboxMessage

# Where a one-time link goes in a body. The link itself is made by the sender when it sends (a `LinkMaker`
# of the message's link kind), so the outbox never holds it: at rest there is only the secret's hash.
ONE_TIME_LINK = "{one_time_link}"
LinkMaker = Callable[[Session, int], str]  # (session, the recipient's user id) -> the link


@dataclass(frozen=True)
class Mail:
    dedupe_key: str
    kind: str
    to_address: str
    subject: str
    body: str
    to_user_id: int | None = None
    link_kind: str | None = None  # the body holds ONE_TIME_LINK, made at sending by this kind's LinkMaker


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
            "link_kind": m.link_kind,
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


def outbox_summary(session: Session) -> list[tuple[str, str, int, object]]:
    """(kind, status, how many, newest) per kind and status: what the admin sees. Not who received what,
    which would tell the admin whose training is overdue."""
    rows = session.execute(
        select(OutboxMessage.kind, OutboxMessage.status, func.count(), func.max(OutboxMessage.created_at))
        .group_by(OutboxMessage.kind, OutboxMessage.status)
        .order_by(OutboxMessage.kind, OutboxMessage.status)
    )
    return [tuple(row) for row in rows]
