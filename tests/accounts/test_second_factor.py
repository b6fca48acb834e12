"""Privileged roles sign in with a TOTP code; enrolment on first sign-in; no replay, throttled."""

import re
from datetime import timedelta

from sqlalchemy import select

from learning import clock
from learning.accounts.models import User
from learning.accounts.second_factor import check_code, current_code
from learning.audit.models import AuditEvent
from tests.conftest import csrf_token
from tests.factories import PASSWORD, TOTP_SECRET, make_user


def password_step(client, user):
    token = csrf_token(client)
    return client.post("/login", data={"username": user.employee_no, "password": PASSWORD, "csrf_token": token})


def code_step(client, path, code):
    return client.post(path, data={"code": code, "csrf_token": csrf_token(client, path)})


def test_matching_step_rejects_replay_and_stale_codes():
    now = clock.now()
    code = current_code(TOTP_SECRET, now)
    step = check_code(TOTP_SECRET, code, now, None).step
    assert step is not None
    replayed = check_code(TOTP_SECRET, code, now, step)  # the same code twice
    assert replayed.step is None and replayed.reused
    assert check_code(TOTP_SECRET, code, now + timedelta(minutes=3), None).step is None  # long expired
    assert check_code(TOTP_SECRET, "12345", now, None).step is None


def test_privileged_sign_in_needs_the_code(db, client):
    user = make_user(db, "compliance")
    db.commit()
    response = password_step(client, user)
    assert response.location == "/login/code"
    assert client.get("/").status_code == 302  # not signed in after the password alone
    wrong = code_step(
        client, "/login/code", "000000" if current_code(TOTP_SECRET, clock.now()) != "000000" else "111111"
    )
    assert wrong.status_code == 401 and "The code is not correct" in wrong.get_data(as_text=True)
    right = code_step(client, "/login/code", current_code(TOTP_SECRET, clock.now()))
    assert right.status_code == 302 and right.location == "/"
    assert client.get("/audit").status_code == 200
    actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["authn_login_fail", "authn_login_success"]


def test_the_same_code_cannot_be_used_twice(db, client, app):
    user = make_user(db, "auditor")
    db.commit()
    code = current_code(TOTP_SECRET, clock.now())
    password_step(client, user)
    assert code_step(client, "/login/code", code).location == "/"
    thief = app.test_client()
    password_step(thief, user)
    assert code_step(thief, "/login/code", code).status_code == 401
    replay = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (replay.action, replay.outcome, replay.actor_id) == ("authn_token_reuse", "failure", user.id)


def test_codes_typed_with_the_japanese_ime_on_are_accepted():
    now = clock.now()
    code = current_code(TOTP_SECRET, now)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in code)  # "１２３４５６"
    typed = f"{full_width[:3]}\u3000{full_width[3:]}"  # with the ideographic space between the halves
    assert check_code(TOTP_SECRET, typed, now, None).step == check_code(TOTP_SECRET, code, now, None).step
    assert check_code(TOTP_SECRET, f" {code[:3]}-{code[3:]} ", now, None).step is not None
    assert check_code(TOTP_SECRET, "٠١٢٣٤٥", now, None).step is None  # other scripts' digits are not codes


def test_first_sign_in_enrols(db, client, app):
    user = make_user(db, "admin", totp_secret=None)
    db.commit()
    assert password_step(client, user).location == "/login/setup"
    page = client.get("/login/setup").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    cookie = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("portal").value)
    assert secret not in repr(cookie)  # the enrolment secret stays on the server, not in the readable cookie
    response = code_step(client, "/login/setup", current_code(secret, clock.now()))
    assert response.location == "/"
    db.expire_all()
    assert db.get(User, user.id).totp_secret == secret and db.get(User, user.id).totp_pending_secret is None


def test_code_step_slows_down_and_expires(db, client):
    user = make_user(db, "desk")
    db.commit()
    password_step(client, user)
    for _ in range(6):
        assert code_step(client, "/login/code", "999999").status_code == 401
    gated = code_step(client, "/login/code", current_code(TOTP_SECRET, clock.now()))
    assert gated.status_code == 429 and "Please wait 5 seconds" in gated.get_data(as_text=True)
    clock.freeze(clock.now() + timedelta(seconds=6))
    assert code_step(client, "/login/code", current_code(TOTP_SECRET, clock.now())).location == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    clock.freeze(clock.now() + timedelta(minutes=1))
    password_step(client, user)
    clock.freeze(clock.now() + timedelta(minutes=6))  # the password step waited too long
    assert code_step(client, "/login/code", current_code(TOTP_SECRET, clock.now())).location == "/login"


def test_learners_and_managers_need_no_second_factor(db, client, app):
    for roles in ((), ("manager",)):
        user = make_user(db, *roles)
        db.commit()
        assert password_step(app.test_client(), user).location == "/"
