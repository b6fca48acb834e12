"""An HR upload is applied once: the Apply claims it (one conditional UPDATE) before applying, so a second
Apply, from another tab or at the very same moment, is told it was applied and changes nothing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learning.accounts.models import PendingImport, PersonnelEvent, User
from learning.audit.models import AuditEvent
from learning.submissions import new_token
from tests.accounts.test_admin_pages import admin_client, upload
from tests.conftest import PG_URL, csrf_token

ROSTER = b"employee_no,name,email,department_code,status\nN1,New Person,n1@example.jp,R-SALES,active\n"
ALREADY = "This file has already been applied; it was not applied a second time."


def applied_once(db) -> None:
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User).where(User.employee_no == "N1")) == 1
    assert db.scalar(select(func.count()).select_from(PersonnelEvent)) == 1
    assert db.scalar(select(func.count()).where(AuditEvent.action == "roster_import")) == 1
    pending = db.scalar(select(PendingImport))
    assert (pending.status, pending.data) == ("applied", b"")  # the HR file is not kept once used
    assert pending.applied_at is not None


def test_a_second_apply_from_another_tab_is_told_and_changes_nothing(db, app):
    client = admin_client(db, app)
    assert upload(client, "roster", ROSTER).status_code == 200
    pending_id = db.scalar(select(PendingImport.id))
    token = csrf_token(client, "/admin/imports")
    first = client.post(f"/admin/imports/{pending_id}/apply", data={"csrf_token": token, "once": new_token()})
    assert first.status_code == 200 and "Import applied" in first.get_data(as_text=True)
    second = client.post(f"/admin/imports/{pending_id}/apply", data={"csrf_token": token, "once": new_token()})
    assert second.status_code == 302 and second.location == "/admin/imports"
    assert ALREADY in client.get(second.location).get_data(as_text=True)
    applied_once(db)
    # Discarding it afterwards removes nothing: the applied row answers any later Apply.
    assert client.post(f"/admin/imports/{pending_id}/cancel", data={"csrf_token": token}).status_code == 302
    applied_once(db)


def test_the_database_refuses_an_applied_import_without_its_time(db, app):
    client = admin_client(db, app)
    upload(client, "roster", ROSTER)
    pending = db.scalar(select(PendingImport))
    assert pending.status == "pending" and pending.applied_at is None
    pending.status = "applied"
    with pytest.raises(IntegrityError) as refused:
        db.flush()
    assert "ck_pending_imports_applied_when" in str(refused.value)


@pytest.mark.skipif(not PG_URL, reason="concurrent Applies are a PostgreSQL concern (SQLite serialises writers)")
def test_two_applies_at_once_apply_once(db, app):
    """Two tabs of the same admin (the same session), each with its own one-time token, Apply together."""
    client = admin_client(db, app)
    upload(client, "roster", ROSTER)
    pending_id = db.scalar(select(PendingImport.id))
    token = csrf_token(client, "/admin/imports")
    barrier, responses = threading.Barrier(2), []

    def apply():
        tab = app.test_client()
        tab.set_cookie("portal", client.get_cookie("portal").value)
        form = {"csrf_token": token, "once": new_token()}
        barrier.wait()
        responses.append(tab.post(f"/admin/imports/{pending_id}/apply", data=form))

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    answers = sorted((r.status_code, r.location) for r in responses)
    assert answers == [(200, None), (302, "/admin/imports")]
    applied = next(r for r in responses if r.status_code == 200)
    assert "Import applied" in applied.get_data(as_text=True)
    applied_once(db)
