"""The outbox and the SMTP sender, against a real SMTP server."""

import socket
from datetime import timedelta

from sqlalchemy import select

from learning import clock
from learning.notify.models import OutboxMessage
from learning.notify.sender import send_pending
from learning.notify.services import Mail, SmtpSettings, enqueue


def mail(n: int, to: str = "someone@example.jp") -> Mail:
    return Mail(f"test:{n}", "test", to, f"件名 {n}", f"本文 {n}\nこんにちは")


def smtp(server) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", server.port, sender="portal@example.jp")


def test_queued_once_and_sent_once(db, smtp_server):
    assert enqueue(db, [mail(1), mail(2)]) == 2
    assert enqueue(db, [mail(1)]) == 0  # the same key again is not a second message
    db.commit()
    assert send_pending(db, smtp(smtp_server))["sent"] == 2
    assert send_pending(db, smtp(smtp_server))["sent"] == 0
    received = smtp_server.handler_messages
    assert sorted(m["Subject"] for m in received) == ["件名 1", "件名 2"]
    assert "こんにちは" in received[0].get_content()


def test_a_refused_recipient_is_retried_and_the_others_still_go(db, smtp_server):
    enqueue(db, [mail(1, "refuse-me@example.jp"), mail(2)])
    db.commit()
    summary = send_pending(db, smtp(smtp_server))
    assert summary == {"sent": 1, "failed": 1, "interrupted": 0}
    refused = db.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == "test:1"))
    assert refused.status == "queued" and "550" in refused.last_error and refused.tries == 1
    assert refused.next_attempt_at > clock.now()
    assert send_pending(db, smtp(smtp_server))["failed"] == 0  # not due again yet
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert send_pending(db, smtp(smtp_server))["failed"] == 1
    db.expire_all()
    assert db.get(OutboxMessage, refused.id).tries == 2


def test_a_server_that_is_down_keeps_everything_queued(db, smtp_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    enqueue(db, [mail(1), mail(2)])
    db.commit()
    summary = send_pending(db, SmtpSettings("127.0.0.1", closed_port))
    assert summary["failed"] == 2
    messages = db.scalars(select(OutboxMessage)).all()
    assert {m.status for m in messages} == {"queued"} and all("cannot reach" in m.last_error for m in messages)
    clock.freeze(clock.now() + timedelta(minutes=5))
    assert send_pending(db, smtp(smtp_server))["sent"] == 2  # the server is back


def test_without_smtp_settings_messages_wait(db):
    enqueue(db, [mail(1)])
    db.commit()
    assert send_pending(db, SmtpSettings(None))["sent"] == 0
    assert db.scalar(select(OutboxMessage)).status == "queued"


def test_an_interrupted_send_is_not_repeated(db, smtp_server):
    enqueue(db, [mail(1)])
    db.commit()
    message = db.scalar(select(OutboxMessage))
    message.status = "sending"  # as if the sender died after the server accepted the message
    db.commit()
    clock.freeze(clock.now() + timedelta(minutes=20))
    summary = send_pending(db, smtp(smtp_server))
    assert summary["interrupted"] == 1 and summary["sent"] == 0
    assert smtp_server.handler_messages == []
