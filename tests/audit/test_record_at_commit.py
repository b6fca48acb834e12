"""Events held back to the commit (reports/pages.audit): written when the work commits, never when it rolls
back, chained like any other; and while the work reads, other audited writes do not wait for the trail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from learning.audit.models import AuditEvent
from learning.audit.services import Entry, record, record_at_commit, verify_chain
from tests.conftest import PG_URL


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_held_back_events_are_written_at_commit_and_dropped_at_rollback(app, db):
    factory = app.extensions["db"].factory
    with factory() as work:
        record_at_commit(work, Entry("report_viewed", details={"report": "kept"}))
        record_at_commit(work, Entry("report_exported", details={"report": "kept"}))
        assert work.scalar(select(func.count()).select_from(AuditEvent)) == 0  # not before the commit
        work.commit()
    with factory() as work:
        record_at_commit(work, Entry("report_viewed", details={"report": "dropped"}))
        work.rollback()
        record(work, "authn_login_success")  # the same session goes on: only what it commits is written
        work.commit()
    assert actions(db) == ["report_viewed", "report_exported", "authn_login_success"]
    assert verify_chain(db) == (3, None)


@pytest.mark.skipif(not PG_URL, reason="the trail's lock is PostgreSQL's (SQLite serialises writers)")
def test_a_long_read_holds_nothing_that_other_audited_writes_wait_for(app, db):
    factory = app.extensions["db"].factory
    with factory() as report, factory() as sign_in:
        record_at_commit(report, Entry("report_viewed", details={"report": "department_completion"}))
        report.execute(text("SELECT count(*) FROM audit_events"))  # the report reads, its transaction open
        # Meanwhile another person signs in: refused at once if it had to wait for the trail's lock.
        sign_in.execute(text("SET LOCAL lock_timeout = '2s'"))
        record(sign_in, "authn_login_success")
        sign_in.commit()
        report.commit()
    assert actions(db) == ["authn_login_success", "report_viewed"]
    assert verify_chain(db) == (2, None)


@pytest.mark.skipif(not PG_URL, reason="the trail's lock is PostgreSQL's (SQLite serialises writers)")
def test_an_event_written_at_once_makes_others_wait(app, db):
    """The contrast that makes the test above able to fail: record() holds the lock until its commit."""
    from sqlalchemy.exc import OperationalError

    factory = app.extensions["db"].factory
    with factory() as report, factory() as sign_in:
        record(report, "report_viewed")
        sign_in.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            record(sign_in, "authn_login_success")
        sign_in.rollback()
        report.commit()
    assert actions(db) == ["report_viewed"]
