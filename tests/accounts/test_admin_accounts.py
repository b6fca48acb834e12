"""Compromised means locked until proven: the leaked password never works again, the owner comes back
through a one-time link or code, and no raw secret is ever at rest (the outbox included)."""

import re
from datetime import timedelta

from sqlalchemy import MetaData, String, Text, select

from learning import clock
from learning.accounts.models import PasswordToken, User
from learning.accounts.tokens import link_makers
from learning.audit.models import AuditEvent
from learning.notify.models import OutboxMessage
from learning.notify.sender import send_pending
from learning.notify.services import SmtpSettings
from tests.conftest import csrf_token, post, sign_in
from tests.factories import PASSWORD, make_department, make_user

GENERIC = "The employee number or password is not correct."
NEW_PASSWORD = "a brand new passphrase 2026"
PORTAL = "https://portal.example.intra/"


def send(db, smtp_server) -> int:
    return send_pending(db, SmtpSettings("127.0.0.1", smtp_server.port), links=link_makers(PORTAL))["sent"]


def set_password(client, path: str, password: str, **fields):
    data = {"new": password, "confirm": password, "csrf_token": csrf_token(client, path), **fields}
    return client.post(path, data=data)


def everything_stored(db) -> str:
    """Every text value in every table: where a raw secret must never be found."""
    metadata = MetaData()
    metadata.reflect(db.get_bind())
    texts = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        if columns:
            texts += [str(v) for row in db.execute(select(*columns)) for v in row if v is not None]
    return "\n".join(texts)


def test_the_takeover_scenario_fails_and_the_owner_comes_back_by_the_emailed_link(app, db, smtp_server):
    branch = make_department(db, code="BR")
    admin = make_user(db, "admin", department=branch)
    owner = make_user(db, department=branch, email="owner@example.jp")
    db.commit()
    thief, real_owner, admin_client = app.test_client(), app.test_client(), app.test_client()
    sign_in(thief, owner.employee_no)  # the thief holds the leaked password and a session
    sign_in(admin_client, admin.employee_no)
    post(admin_client, f"/admin/people/{owner.id}/compromised")
    assert thief.get("/").status_code == 302  # the thief's session ended at once

    # The leaked password is refused exactly like a wrong one: no "change your password" step to hijack.
    again = sign_in(thief, owner.employee_no, PASSWORD)
    assert again.status_code == 401 and GENERIC in again.get_data(as_text=True)
    assert db.scalar(select(User.password_hash).where(User.id == owner.id)) is None

    # The owner asks for a link; the thief asking too changes nothing: the link goes to the owner's mailbox.
    page = real_owner.post(
        "/password/forgot",
        data={"username": owner.employee_no, "csrf_token": csrf_token(real_owner, "/password/forgot")},
    )
    assert page.status_code == 200 and "If an account with an email address on file matches" in page.get_data(
        as_text=True
    )
    queued = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
    assert "{one_time_link}" in queued.body  # the outbox holds a placeholder, not the link
    assert send(db, smtp_server) == 1
    (mail,) = smtp_server.handler_messages
    assert mail["To"] == "owner@example.jp"
    token = re.search(r"https://portal\.example\.intra/reset/(\S+)", mail.get_content()).group(1)
    db.expire_all()
    assert token not in everything_stored(db)  # only its hash is at rest, after sending too

    assert "Set a new password" in real_owner.get(f"/reset/{token}").get_data(as_text=True)
    refused = set_password(real_owner, f"/reset/{token}", PASSWORD)  # the leaked one, again
    assert refused.status_code == 400 and "marked compromised" in refused.get_data(as_text=True)
    assert set_password(real_owner, f"/reset/{token}", NEW_PASSWORD).location == "/login"
    used_twice = real_owner.get(f"/reset/{token}")
    assert used_twice.status_code == 404 and "not valid any more" in used_twice.get_data(as_text=True)
    assert sign_in(thief, owner.employee_no, PASSWORD).status_code == 401
    assert sign_in(real_owner, owner.employee_no, NEW_PASSWORD).status_code == 302
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"user_marked_compromised", "authn_password_reset_requested", "authn_password_reset"} <= actions


def test_a_reset_link_expires_and_a_newer_one_replaces_it(app, db, smtp_server):
    owner = make_user(db, email="owner@example.jp")
    db.commit()
    client = app.test_client()
    for minutes in (0, 25):  # two requests, in two windows
        clock.freeze(clock.now() + timedelta(minutes=minutes))
        client.post(
            "/password/forgot",
            data={"username": owner.employee_no, "csrf_token": csrf_token(client, "/password/forgot")},
        )
        send(db, smtp_server)
    first, second = (re.search(r"/reset/(\S+)", m.get_content()).group(1) for m in smtp_server.handler_messages)
    assert client.get(f"/reset/{first}").status_code == 404  # withdrawn by the newer link
    clock.freeze(clock.now() + timedelta(minutes=61))
    expired = set_password(client, f"/reset/{second}", NEW_PASSWORD)
    assert expired.status_code == 404 and "not valid any more" in expired.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, owner.id).password_changed_at is None  # nothing changed


def test_forgot_answers_alike_for_unknown_names_and_sends_at_most_one_link_per_window(app, db):
    owner = make_user(db, email="owner@example.jp")
    db.commit()
    client = app.test_client()
    pages = []
    for name in (owner.employee_no, owner.employee_no, "nobody-here"):
        response = client.post(
            "/password/forgot", data={"username": name, "csrf_token": csrf_token(client, "/password/forgot")}
        )
        pages.append((response.status_code, response.get_data(as_text=True).count("If an account")))
    assert pages == [(200, 1)] * 3
    assert len(db.scalars(select(OutboxMessage)).all()) == 1


def test_the_admin_hands_over_a_code_once_and_never_for_their_own_account(app, db):
    admin = make_user(db, "admin")
    owner = make_user(db, "desk")
    db.commit()
    admin_client, owner_client = app.test_client(), app.test_client()
    sign_in(admin_client, admin.employee_no)
    post(admin_client, f"/admin/people/{owner.id}/compromised", {"reset_second_factor": "1"})
    db.expire_all()
    assert db.get(User, owner.id).totp_secret is None  # re-enrolled at the next sign-in
    page = post(admin_client, f"/admin/people/{owner.id}/reset-code").get_data(as_text=True)
    code = re.search(r"<code>([0-9A-Z-]{19})</code>", page).group(1)
    assert code not in everything_stored(db)
    own = post(admin_client, f"/admin/people/{admin.id}/reset-code")
    assert "cannot issue a reset code for your own account" in admin_client.get(own.location).get_data(as_text=True)

    path = "/password/code"
    wrong = set_password(owner_client, path, NEW_PASSWORD, username=owner.employee_no, code="AAAA-BBBB-CCCC-DDDD")
    assert wrong.status_code == 401 and "the code is not correct" in wrong.get_data(as_text=True)
    typed = code.lower().replace("-", " ")  # as read out, in lower case with spaces
    assert set_password(owner_client, path, NEW_PASSWORD, username=owner.employee_no, code=typed).location == "/login"
    reused = set_password(owner_client, path, "yet another passphrase", username=owner.employee_no, code=code)
    assert reused.status_code == 401
    token = db.scalar(select(PasswordToken).where(PasswordToken.purpose == "code"))
    assert token.used_at is not None and token.created_by_id == admin.id
    actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert "authn_reset_code_issued" in actions and "authz_fail" in actions


def test_invitation_links_are_made_at_sending_and_work_once(app, db, smtp_server):
    from learning.accounts.invitations import invite

    joiner = make_user(db, email="jiro@example.jp")
    joiner.password_hash = None
    invite(db, [(joiner.id, joiner.name, joiner.email, "ja")])
    db.commit()
    assert db.scalar(select(PasswordToken)) is None  # nothing minted until the mail leaves
    assert send(db, smtp_server) == 1
    token = re.search(r"/welcome/(\S+)", smtp_server.handler_messages[0].get_content()).group(1)
    assert token not in everything_stored(db)
    client = app.test_client()
    assert set_password(client, f"/welcome/{token}", NEW_PASSWORD).location == "/login"
    assert client.get(f"/welcome/{token}").status_code == 404


def test_a_reset_link_for_an_unknown_link_kind_fails_without_retrying(db, smtp_server):
    owner = make_user(db, email="owner@example.jp")
    from learning.notify.services import Mail, enqueue

    enqueue(db, [Mail("x:1", "password_reset", owner.email, "s", "{one_time_link}", owner.id, link_kind="nonsense")])
    db.commit()
    assert send(db, smtp_server) == 0
    message = db.scalar(select(OutboxMessage))
    assert message.status == "failed" and "no link maker" in message.last_error
    assert smtp_server.handler_messages == []
