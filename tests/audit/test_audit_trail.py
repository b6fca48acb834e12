"""The audit trail: recorded with the action, chained, append-only, verifiable."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from learning.audit.models import AuditEvent
from learning.audit.services import (
    GENESIS,
    Anchor,
    RequestContext,
    check_anchor,
    current_request,
    head,
    record,
    verify_chain,
)
from tests.conftest import PG_URL
from tests.factories import make_user


def test_events_chain_and_verify(db):
    token = current_request.set(RequestContext("req-12345678", "10.0.0.7"))
    try:
        first = record(db, "authn_login_success", actor_id=None, details={"note": "一"})
        second = record(db, "quiz_submitted", target=("attempt", 5))
    finally:
        current_request.reset(token)
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert (second.request_id, second.address) == ("req-12345678", "10.0.0.7")
    assert verify_chain(db) == (2, None)


def test_anonymous_events_carry_no_actor_address_or_request(db):
    user = make_user(db)
    token = current_request.set(RequestContext("req-12345678", "10.0.0.7"))
    try:
        event = record(db, "desk_question_asked", actor_id=user.id, anonymous=True)
    finally:
        current_request.reset(token)
    assert (event.actor_id, event.address, event.request_id) == (None, None, None)


def test_the_database_refuses_updates_and_deletes(db):
    record(db, "authn_login_success")
    with pytest.raises(DatabaseError):
        db.execute(text("UPDATE audit_events SET action = 'nothing'"))
    db.rollback()
    with pytest.raises(DatabaseError):
        db.execute(text("DELETE FROM audit_events"))
    db.rollback()


def test_verify_names_the_first_broken_link(db, app):
    for n in range(4):
        record(db, "authn_login_success", details={"n": n})
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    # Simulate tampering behind the application's back (a DBA dropping the trigger).
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
    else:
        db.execute(text("DROP TRIGGER audit_events_no_update"))
    db.execute(text("UPDATE audit_events SET details = '{\"n\": 99}' WHERE id = :id"), {"id": events[2].id})
    if dialect == "postgresql":
        db.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
    db.expire_all()
    assert verify_chain(db) == (2, events[2].id)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"broken at event {events[2].id}" in result.output


def test_cli_verify_on_an_intact_chain(db, app):
    record(db, "authn_login_success")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 1 events" in result.output


@pytest.mark.skipif(not PG_URL, reason="TRUNCATE is PostgreSQL's (SQLite's DELETE without WHERE fires its trigger)")
def test_the_database_refuses_truncate(db):
    record(db, "authn_login_success")
    record(db, "authn_logout")
    with pytest.raises(DatabaseError, match="append-only"):
        db.execute(text("TRUNCATE audit_events"))
    db.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.execute(text("TRUNCATE audit_events RESTART IDENTITY CASCADE"))
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 2
    assert verify_chain(db) == (2, None)


def _remove_tail(db, from_id: int) -> None:
    """What someone with the database's owner rights could do: switch the guard off and delete the newest events."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        db.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": from_id})
        db.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
    else:
        db.execute(text("DROP TRIGGER audit_events_no_delete"))
        db.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": from_id})
    db.expire_all()


def test_a_removed_tail_is_detected_with_the_anchor(db, app):
    runner = app.test_cli_runner()
    for n in range(5):
        record(db, "authn_login_success", details={"n": n})
    anchor = runner.invoke(args=["audit", "head"])
    ids = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    newest = db.get(AuditEvent, ids[-1])
    assert anchor.exit_code == 0 and anchor.output.strip() == f"{newest.id}:{newest.hash}"
    assert Anchor.parse(anchor.output) == head(db)
    intact = runner.invoke(args=["audit", "verify", "--anchor", anchor.output.strip()])
    assert intact.exit_code == 0 and f"intact: 5 events, including the anchored event {ids[-1]}" in intact.output

    _remove_tail(db, ids[3])
    # The shorter chain is still a valid chain: without the anchor nothing is noticed.
    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0 and "intact: 3 events" in plain.output
    shortened = runner.invoke(args=["audit", "verify", "--anchor", anchor.output.strip()])
    assert shortened.exit_code == 1
    assert f"the anchored event {ids[-1]} is missing" in shortened.output and "3 events remain" in shortened.output
    assert check_anchor(db, Anchor.parse(anchor.output)) == "missing"


def test_a_tail_removed_and_written_anew_is_detected_with_the_anchor(db, app):
    """New events appended after the removal chain onto what is left; on SQLite they even take the removed ids."""
    runner = app.test_cli_runner()
    for n in range(4):
        record(db, "authn_login_success", details={"n": n})
    anchor = head(db)
    _remove_tail(db, anchor.event_id - 1)
    for n in range(3):
        record(db, "authn_logout", details={"n": n})
    assert verify_chain(db) == (5, None)
    result = runner.invoke(args=["audit", "verify", "--anchor", str(anchor)])
    assert result.exit_code == 1 and f"event {anchor.event_id}" in result.output
    assert check_anchor(db, anchor) in ("missing", "changed")


def test_verify_refuses_an_anchor_that_is_not_one(db, app):
    record(db, "authn_login_success")
    for bad in ("17", "17:abc", "x:" + "a" * 64, "0:" + "a" * 64, f"{2**31}:" + "a" * 64):
        result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", bad])
        assert result.exit_code == 2 and "EVENT_ID:HASH" in result.output, bad


def test_head_of_an_empty_trail(db, app):
    result = app.test_cli_runner().invoke(args=["audit", "head"])
    assert result.exit_code == 1 and "empty" in result.output
