"""Separation of duties: nobody grants, approves or revokes their own roles; privileged grants wait for a
second person; grants lapse by themselves; every change of access is its own audit event."""

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import grants
from learning.accounts.errors import AccountError
from learning.accounts.imports import apply_roster
from learning.accounts.models import RoleGrant, User
from learning.audit.models import AuditEvent
from tests.conftest import PG_URL, post, sign_in
from tests.factories import make_department, make_user


def events(db, action: str) -> list[dict]:
    return [json.loads(e.details) for e in db.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_an_admin_cannot_grant_themselves_a_role_and_the_refusal_is_audited(app, db):
    admin = make_user(db, "admin")
    db.commit()
    client = app.test_client()
    sign_in(client, admin.employee_no)
    response = post(client, f"/admin/people/{admin.id}/grants", {"role": "auditor"})
    assert "Nobody grants, approves or revokes their own roles" in client.get(response.location).get_data(as_text=True)
    assert db.scalar(select(RoleGrant).where(RoleGrant.user_id == admin.id, RoleGrant.role == "auditor")) is None
    assert events(db, "authz_fail")[-1]["reason"] == "own_grant"
    # Not even around the service: the database refuses a self-made grant.
    db.add(RoleGrant(user_id=admin.id, role="auditor", granted_by_id=admin.id, granted_at=clock.now()))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_privileged_grant_waits_for_a_second_person(app, db):
    admin, other_admin, compliance = make_user(db, "admin"), make_user(db, "admin"), make_user(db, "compliance")
    person = make_user(db)
    db.commit()
    admin_client, person_client = app.test_client(), app.test_client()
    sign_in(admin_client, admin.employee_no)
    post(admin_client, f"/admin/people/{person.id}/grants", {"role": "auditor"})
    grant = db.scalar(select(RoleGrant).where(RoleGrant.user_id == person.id))
    assert grant.status == "pending"
    db.expire_all()
    assert "auditor" not in db.get(User, person.id).roles  # not in force yet

    # The requester cannot approve it; nor can the holder; another admin or compliance can.
    assert "1 role grant awaits approval." in admin_client.get("/").get_data(as_text=True)
    refused = post(admin_client, f"/access/approvals/{grant.id}/approve")
    assert "someone other than the person who requested it" in admin_client.get(refused.location).get_data(as_text=True)
    assert events(db, "authz_fail")[-1]["reason"] == "own_request"
    compliance_client = app.test_client()
    sign_in(compliance_client, compliance.employee_no)
    assert post(compliance_client, f"/access/approvals/{grant.id}/approve").status_code == 302
    db.expire_all()
    approved = db.get(RoleGrant, grant.id)
    assert (approved.status, approved.approved_by_id) == ("active", compliance.id)
    # In force: the new auditor must now enrol a second factor at sign-in.
    assert sign_in(person_client, person.employee_no).location == "/login/setup"
    # A second approval of the same grant changes nothing.
    again = post(_signed_in(app, other_admin), f"/access/approvals/{grant.id}/approve")
    assert again.status_code == 302
    assert [e["grant_id"] for e in events(db, "privilege_approved")] == [grant.id]
    assert [e["grant_id"] for e in events(db, "privilege_requested")] == [grant.id]


def _signed_in(app, user):
    client = app.test_client()
    sign_in(client, user.employee_no)
    return client


def test_a_rejected_grant_never_takes_effect_and_nobody_revokes_their_own(app, db):
    admin, compliance = make_user(db, "admin"), make_user(db, "compliance")
    person = make_user(db)
    db.commit()
    grant = grants.request_grant(db, person, "trainer", None, admin)
    db.commit()
    grants.reject(db, grant.id, compliance)
    db.commit()
    assert (grant.status, grant.end_reason, grant.revoked_by_id) == ("ended", "rejected", compliance.id)
    with pytest.raises(AccountError) as raised:
        grants.revoke(db, db.scalar(select(RoleGrant.id).where(RoleGrant.user_id == compliance.id)), compliance)
    assert raised.value.code == "own_grant"


def test_a_grant_with_an_end_date_lapses_by_itself(app, db):
    admin, compliance = make_user(db, "admin"), make_user(db, "compliance")
    person = make_user(db)
    db.commit()
    today = clock.tokyo_date(clock.now())
    grant = grants.request_grant(db, person, "desk", None, admin, ends_on=today + timedelta(days=3))
    grants.approve(db, grant.id, compliance)
    db.commit()
    db.expire_all()
    assert "desk" in db.get(User, person.id).roles
    clock.freeze(clock.now() + timedelta(days=5))
    db.expire_all()
    assert "desk" not in db.get(User, person.id).roles  # already out of force, before any job ran
    assert grants.lapse_due(db) == 1
    db.commit()
    assert grants.lapse_due(db) == 0
    assert (db.get(RoleGrant, grant.id).status, db.get(RoleGrant, grant.id).end_reason) == ("ended", "lapsed")
    assert [e["grant_id"] for e in events(db, "privilege_lapsed")] == [grant.id]
    with pytest.raises(AccountError) as raised:
        grants.request_grant(db, person, "desk", None, admin, ends_on=today)
    assert raised.value.code == "end_in_past"


def test_a_transfer_ends_scoped_grants_and_leaving_ends_all_each_audited(db):
    old, new = make_department(db, code="OLD"), make_department(db, code="NEW")
    mover = make_user(db, "manager", "trainer", department=old, scope=old, employee_no="M1", name="異動 太郎")
    leaver = make_user(db, "manager", "desk", department=old, scope=old, employee_no="L1", name="退職 花子")
    db.commit()
    roster = (
        "employee_no,name,email,department_code,status\n"
        f"M1,異動 太郎,{mover.email},NEW,active\nL1,退職 花子,{leaver.email},OLD,left\n"
    ).encode()
    apply_roster(db, roster, None)
    db.commit()
    db.expire_all()
    ended = events(db, "privilege_revoked")
    assert len(ended) == 4  # one event per grant (the factory scopes every role of these two to OLD)
    by_person = {}
    for e in ended:
        grant = db.get(RoleGrant, e["grant_id"])
        by_person.setdefault(grant.user_id, set()).add((grant.role, e["reason"]))
    assert by_person[mover.id] == {("manager", "transfer"), ("trainer", "transfer")}
    assert by_person[leaver.id] == {("manager", "left"), ("desk", "left")}
    assert db.get(User, mover.id).department_id == new.id and db.get(User, mover.id).roles == {"learner"}


def test_the_outbox_page_shows_kinds_and_counts_not_who_was_reminded(app, db):
    from learning.notify.services import Mail, enqueue

    admin = make_user(db, "admin")
    late = make_user(db, name="遅延 三郎", email="saburo@example.jp")
    enqueue(db, [Mail("reminder:1", "reminder", late.email, "研修の督促: 行為規制", "本文", late.id)])
    db.commit()
    page = _signed_in(app, admin).get("/admin/outbox").get_data(as_text=True)
    assert "Training reminder" in page and ">1<" in page
    assert "saburo@example.jp" not in page and "遅延" not in page and "行為規制" not in page


@pytest.mark.skipif(not PG_URL, reason="concurrent requests are a PostgreSQL concern (SQLite serialises writers)")
def test_two_concurrent_requests_for_the_same_grant_make_one(app, db):
    admin, other = make_user(db, "admin"), make_user(db, "admin")
    person = make_user(db)
    db.commit()
    engine = app.extensions["db"].engine
    barrier, outcomes = threading.Barrier(2), []

    def ask(requester_id):
        with Session(engine) as session:
            barrier.wait()
            try:
                grants.request_grant(
                    session, session.get(User, person.id), "auditor", None, session.get(User, requester_id)
                )
                session.commit()
                outcomes.append("made")
            except AccountError as exc:
                session.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=ask, args=(i,)) for i in (admin.id, other.id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["duplicate_grant", "made"]
    assert len(db.scalars(select(RoleGrant).where(RoleGrant.user_id == person.id)).all()) == 1


def test_the_first_administrator_comes_from_the_command_line_only_while_nobody_could_approve(app, db):
    first, second = make_user(db, employee_no="A1"), make_user(db, employee_no="A2")
    db.commit()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["access", "bootstrap", "A1"])
    assert made.exit_code == 0 and "A1 now holds admin" in made.output
    refused = runner.invoke(args=["access", "bootstrap", "A2", "--role", "compliance"])
    assert refused.exit_code == 1 and "refused: someone already holds admin or compliance" in refused.output
    assert runner.invoke(args=["access", "bootstrap", "NOBODY"]).exit_code == 1
    db.expire_all()
    assert "admin" in db.get(User, first.id).roles and db.get(User, second.id).roles == {"learner"}
    assert events(db, "privilege_granted")[-1]["bootstrap"] is True
