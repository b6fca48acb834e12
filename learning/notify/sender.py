"""Sending the outbox over SMTP, with its own commit points (the one module of the room that commits).

Each message is claimed (committed) before the server is spoken to, and its outcome committed right
after, so a crash loses nothing; a message interrupted in the one window between the server's
acceptance and our record is left marked "sending" and later failed, never sent a second time.
Commit points: after failing stale claims; after each claim; after each sent message; after recording
a failure.

Every failed try counts, whether the server refused the message or could not be reached at all (connection
refused, timed out, TLS or login failed): `tries` goes up by one, the next attempt waits `backoff(tries)`,
and after MAX_TRIES the message is failed for good (the admin's outbox page counts it as such).

A message with a one-time link (`link_kind`) has it made here, just before it goes out: the link maker
stores the secret's hash in this message's "sent" commit, and only the email carries the secret; the
stored body keeps the placeholder. A try that fails rolls the hash back with it.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Mapping
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.notify.models import OutboxMessage
from learning.notify.services import ONE_TIME_LINK, LinkMaker, SmtpSettings

MAX_TRIES = 8
STALE_SENDING = timedelta(minutes=15)


def backoff(tries: int) -> timedelta:
    """1, 2, 4, … minutes after each failed try, at most six hours."""
    return min(timedelta(minutes=2 ** max(tries - 1, 0)), timedelta(hours=6))


def send_pending(
    session: Session, smtp: SmtpSettings, limit: int = 500, links: Mapping[str, LinkMaker] | None = None
) -> dict[str, int]:
    """Sends what is due; commits as it goes. Without SMTP settings, messages stay queued. `links` makes the
    one-time links of messages that carry one, by link kind."""
    summary = {"sent": 0, "failed": 0, "interrupted": 0}
    now = clock.now()
    stale = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at < now - STALE_SENDING)
        .values(status="failed", last_error="interrupted while sending; not retried, so that it is not sent twice")
        .execution_options(synchronize_session=False)
    ).rowcount
    summary["interrupted"] = stale or 0
    session.commit()
    if not smtp.configured:
        return summary
    due = session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not due:
        return summary
    try:
        connection = _connect(smtp)
    except (OSError, smtplib.SMTPException) as exc:  # refused, timed out, TLS or login failed
        summary["failed"] += _unreached(session, due, f"cannot reach the mail server: {exc}")
        return summary
    try:
        for message_id in due:
            message = _claim(session, message_id)
            if message is None:
                continue  # another runner has it
            try:
                connection.send_message(_email(message, smtp.sender, _body(session, message, links or {})))
            except MissingLinkMaker as exc:
                session.rollback()
                _record_failure(session, [message.id], str(exc), final=True)
                summary["failed"] += 1
                continue
            except smtplib.SMTPServerDisconnected as exc:
                session.rollback()
                _record_failure(session, [message.id], str(exc))
                summary["failed"] += 1
                break
            except (smtplib.SMTPException, OSError) as exc:
                session.rollback()
                _record_failure(session, [message.id], str(exc))
                summary["failed"] += 1
                continue
            message.status, message.sent_at, message.last_error = "sent", clock.now(), None
            session.commit()
            summary["sent"] += 1
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.quit()
    return summary


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    connection = smtplib.SMTP(smtp.host, smtp.port, timeout=15)
    if smtp.starttls:
        connection.starttls(context=ssl.create_default_context())
    if smtp.user:
        connection.login(smtp.user, smtp.password or "")
    return connection


def _claim(session: Session, message_id: int) -> OutboxMessage | None:
    """Marks a message as being sent; only one runner can win it."""
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued")
        .values(status="sending", tries=OutboxMessage.tries + 1, next_attempt_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return session.get(OutboxMessage, message_id, populate_existing=True) if claimed == 1 else None


def _unreached(session: Session, message_ids: list[int], error: str) -> int:
    """The server could not be reached: a failed try for each due message, counted as a claim counts it
    (so the back-off grows and MAX_TRIES ends it), but only for those still queued and due: another runner
    may have claimed or tried one meanwhile. Returns how many were counted."""
    counted = session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(message_ids),
            OutboxMessage.status == "queued",
            OutboxMessage.next_attempt_at <= clock.now(),
        )
        .values(tries=OutboxMessage.tries + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    _record_failure(session, list(counted), error)
    return len(counted)


def _record_failure(session: Session, message_ids: list[int], error: str, final: bool = False) -> None:
    """After a failed try (already counted in `tries`): queued again after the back-off, or failed for good."""
    now = clock.now()
    found = select(OutboxMessage).where(OutboxMessage.id.in_(message_ids)).execution_options(populate_existing=True)
    for message in session.scalars(found):
        message.last_error = error[:500]
        if final or message.tries >= MAX_TRIES:
            message.status = "failed"
        else:
            message.status = "queued"
            message.next_attempt_at = now + backoff(message.tries or 1)
    session.commit()


class MissingLinkMaker(LookupError):
    """A message carries a link kind that nothing here can make (a configuration error, not retried)."""


def _body(session: Session, message: OutboxMessage, links: Mapping[str, LinkMaker]) -> str:
    """The body as sent: a one-time link is made now, into the email only."""
    if message.link_kind is None:
        return message.body
    maker = links.get(message.link_kind)
    if maker is None or message.to_user_id is None:
        raise MissingLinkMaker(f"no link maker for {message.link_kind!r}")
    return message.body.replace(ONE_TIME_LINK, maker(session, message.to_user_id))


def _email(message: OutboxMessage, sender: str, body: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(body, charset="utf-8")
    return email
