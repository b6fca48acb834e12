"""The outbox and the SMTP sender, against a real SMTP server."""

import socket
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from learning import clock
from learning.notify.models import OutboxMessage
from learning.notify.sender import MAX_TRIES, send_pending
from learning.notify.services import Mail, SmtpSettings, enqueue, outbox_summary
from tests.conftest import CollectingHandler, sign_in
from tests.factories import make_user
from tests.helpers import free_port


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
    assert [m.tries for m in messages] == [1, 1]  # a try that could not reach the server is a try
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


def message_row(db, key: str) -> OutboxMessage:
    return db.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == key).execution_options(populate_existing=True)
    )


def serve(port: int, handler: CollectingHandler) -> Controller:
    """A real SMTP server (aiosmtpd) on `port`; a stopped Controller cannot start again, so "back up" is
    a new one on the same port."""
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def test_with_the_server_down_each_try_counts_backs_off_further_and_ends_at_max_tries(app, db):
    clock.freeze(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    enqueue(db, [mail(1)])
    db.commit()
    port, received = free_port(), CollectingHandler()
    serve(port, received).stop()  # the server was there and is down: its port refuses connections
    down = SmtpSettings("127.0.0.1", port, sender="portal@example.jp")
    waits = []
    for attempt in range(1, MAX_TRIES + 1):
        assert send_pending(db, down) == {"sent": 0, "failed": 1, "interrupted": 0}
        message = message_row(db, "test:1")
        assert message.tries == attempt and message.last_error.startswith("cannot reach the mail server: ")
        if attempt == MAX_TRIES:
            break
        assert message.status == "queued"
        waits.append(message.next_attempt_at - clock.now())
        clock.freeze(message.next_attempt_at - timedelta(seconds=1))
        assert send_pending(db, down)["failed"] == 0  # not tried before its back-off has passed
        clock.freeze(message.next_attempt_at)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 64)]  # one per failed try, growing
    assert message.status == "failed" and message.tries == MAX_TRIES  # given up

    enqueue(db, [mail(2)])  # queued while the server is still down: one failed try
    db.commit()
    assert send_pending(db, down)["failed"] == 1  # the given-up message is not tried again
    assert message_row(db, "test:1").tries == MAX_TRIES and message_row(db, "test:2").tries == 1

    server = serve(port, received)  # the server is back, on the same port
    try:
        clock.freeze(clock.now() + timedelta(minutes=1))
        assert send_pending(db, down) == {"sent": 1, "failed": 0, "interrupted": 0}
    finally:
        server.stop()
    assert [m["Subject"] for m in received.messages] == ["件名 2"]
    assert message_row(db, "test:2").status == "sent"
    assert [(kind, status, count) for kind, status, count, _newest in outbox_summary(db)] == [
        ("test", "failed", 1),
        ("test", "sent", 1),
    ]
    admin = make_user(db, "admin")
    db.commit()
    client = app.test_client()
    sign_in(client, admin.employee_no)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert '<td data-label="Status">Failed</td><td data-label="Messages" class="num">1</td>' in page
