"""Sign-in, throttling, revocable sessions, timeouts and safe redirects."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts.models import ThrottleCounter, User
from learning.audit.models import AuditEvent
from tests.conftest import csrf_token, make_settings, post, sign_in
from tests.factories import PASSWORD, make_user

GENERIC = "The employee number or password is not correct."


def actions(db) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_sign_in_with_employee_number_or_login_id(db, client, app):
    user = make_user(db, login_id="hanako")
    db.commit()
    response = sign_in(client, user.employee_no)
    assert response.status_code == 302 and response.location == "/"
    other = app.test_client()
    assert sign_in(other, "HANAKO").status_code == 302  # login IDs ignore case
    assert actions(db) == ["authn_login_success", "authn_login_success"]


def test_unknown_user_and_wrong_password_look_the_same(db, client):
    user = make_user(db)
    db.commit()
    wrong = sign_in(client, user.employee_no, "not-the-password")
    unknown = sign_in(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.get_data(as_text=True) and GENERIC in unknown.get_data(as_text=True)
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["authn_login_fail", "authn_login_fail"]
    assert "not-the-password" not in "".join(e.details for e in events)


def test_guessing_meets_growing_delays_that_lift_by_themselves(db, client):
    user = make_user(db)
    db.commit()
    for _ in range(5):  # the free attempts
        assert sign_in(client, user.employee_no, "wrong-password-x").status_code == 401
    sixth = sign_in(client, user.employee_no, "wrong-password-x")  # counted; its delay starts now
    assert sixth.status_code == 401
    gated = sign_in(client, user.employee_no, PASSWORD)  # from a browser the account never signed in with
    assert gated.status_code == 429
    assert "Please wait 2 seconds" in gated.get_data(as_text=True)
    assert actions(db)[-1] == "authn_login_lock"
    clock.freeze(clock.now() + timedelta(seconds=3))
    assert sign_in(client, user.employee_no, "wrong-password-x").status_code == 401  # the 7th: 4 seconds
    assert "Please wait 4 seconds" in sign_in(client, user.employee_no, PASSWORD).get_data(as_text=True)
    clock.freeze(clock.now() + timedelta(seconds=5))
    assert sign_in(client, user.employee_no, PASSWORD).status_code == 302


def test_unknown_names_slow_down_alike_so_the_delay_reveals_nothing(db, client):
    for _ in range(6):
        sign_in(client, "ghost", "wrong-password-x")
    assert "Please wait" in sign_in(client, "ghost", "x").get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ThrottleCounter)) == 3  # name+address, name, address


def test_inactive_and_left_accounts_cannot_sign_in(db, client):
    for status in ("leave", "left"):
        user = make_user(db, status=status)
        db.commit()
        assert GENERIC in sign_in(client, user.employee_no).get_data(as_text=True)


def test_demo_accounts_only_sign_in_in_demo_mode(database_url, tmp_path, db):
    from learning.app import create_app

    user = make_user(db, is_demo=True)
    db.commit()
    app = create_app(make_settings(database_url, tmp_path / "i", LEARNING_DEMO="0"))
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 401
    app.extensions["db"].engine.dispose()


def test_logout_ends_every_copy_of_the_session(db, client, app):
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    with client.session_transaction() as saved:
        copied = dict(saved)
    response = post(client, "/logout")
    assert response.status_code == 302 and response.location == "/login"
    thief = app.test_client()
    with thief.session_transaction() as s:
        s.update(copied)
    assert thief.get("/").status_code == 302  # the old cookie no longer signs anyone in
    assert "authn_logout" in actions(db)


def test_deactivation_takes_effect_on_the_next_request(db, client):
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    assert client.get("/").status_code == 200
    db.get(User, user.id).status = "left"
    db.commit()
    assert client.get("/").status_code == 302


def test_idle_and_absolute_timeouts(db, client):
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    clock.freeze(clock.now() + timedelta(minutes=29))
    assert client.get("/").status_code == 200
    clock.freeze(clock.now() + timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "Your session has ended" in client.get(response.location).get_data(as_text=True)


def test_activity_renews_the_cookie_at_most_once_a_minute(db, client):
    """Noting activity re-signs the session cookie; within a minute of the last note it is left as it was,
    and the idle timeout still counts from the activity noted."""
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    start = clock.now()
    clock.freeze(start + timedelta(seconds=30))
    assert "Set-Cookie" not in client.get("/api/v1/me/status").headers
    clock.freeze(start + timedelta(seconds=61))
    assert "Set-Cookie" in client.get("/api/v1/me/status").headers
    clock.freeze(start + timedelta(seconds=61 + 29 * 60))
    assert client.get("/api/v1/me/status").status_code == 200
    clock.freeze(start + timedelta(seconds=61 + 29 * 60 + 30 * 60 + 61))
    assert client.get("/api/v1/me/status").status_code == 401


def test_absolute_timeout_despite_activity(db, client):
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    start = clock.now()
    for minutes in range(20, 12 * 60, 20):
        clock.freeze(start + timedelta(minutes=minutes))
        assert client.get("/api/v1/me/status").status_code == 200
    clock.freeze(start + timedelta(hours=12, minutes=1))
    assert client.get("/api/v1/me/status").status_code == 401


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/training", "/training"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("https://evil.example/", "/"),
    ],
)
def test_next_accepts_local_paths_only(db, client, target, landing):
    user = make_user(db)
    db.commit()
    token = csrf_token(client, f"/login?next={target}")
    response = client.post(
        "/login", data={"username": user.employee_no, "password": PASSWORD, "next": target, "csrf_token": token}
    )
    assert response.location == landing


def test_sign_in_needs_a_csrf_token(db, client):
    user = make_user(db)
    db.commit()
    response = client.post("/login", data={"username": user.employee_no, "password": PASSWORD})
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_new_session_on_sign_in(db, client):
    user = make_user(db)
    db.commit()
    csrf_token(client)
    with client.session_transaction() as before:
        before["planted"] = "by-an-attacker"
    sign_in(client, user.employee_no)
    with client.session_transaction() as after:
        assert "planted" not in after


def test_language_chosen_before_sign_in_is_remembered(db, client):
    user = make_user(db)
    db.commit()
    token = csrf_token(client)
    client.post("/locale", data={"locale": "ja", "csrf_token": token, "next": "/login"})
    sign_in(client, user.employee_no)
    db.expire_all()
    assert db.get(User, user.id).locale == "ja"
    post(client, "/locale", {"locale": "en", "next": "/training"})
    db.expire_all()
    assert db.get(User, user.id).locale == "en"
    assert post(client, "/locale", {"locale": "fr"}).status_code == 400


def test_fetching_a_stylesheet_is_not_activity_and_sets_no_cookie(db, client):
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    clock.freeze(clock.now() + timedelta(minutes=20))
    static = client.get("/static/portal.css")
    static.close()
    assert static.status_code == 200 and "Set-Cookie" not in static.headers
    clock.freeze(clock.now() + timedelta(minutes=20))  # 40 minutes since the last page: idle too long
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
