"""The audit trail: recorded with the action, chained, append-only, verifiable."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from learning.audit.models import AuditEvent
from learning.audit.services import GENESIS, RequestContext, current_request, record, verify_chain
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
