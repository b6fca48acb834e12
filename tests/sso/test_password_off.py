"""Password sign-in turned off when SSO is on: refused for everyone but the break-glass logins."""

import json

import pytest
from sqlalchemy import select

from learning.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.sso_env(PASSWORD_SIGNIN="off", PASSWORD_SIGNIN_BREAK_GLASS="it-breakglass, E900001")


def test_a_password_is_refused_and_the_page_offers_the_company_account(db, client):
    user = make_user(db)
    db.commit()
    response = sign_in(client, user.employee_no)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Sign-in with a password is turned off" in page
    assert 'id="sso-start"' in page
    assert client.get("/").status_code == 302
    events = [(e.action, json.loads(e.details)) for e in db.scalars(select(AuditEvent))]
    assert events == [("authn_login_fail", {"reason": "password_off"})]


def test_the_refusal_is_in_japanese_too(db, app):
    user = make_user(db)
    db.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
    assert "パスワードでのサインインは停止されています" in sign_in(client, user.employee_no).get_data(as_text=True)


def test_a_break_glass_login_still_signs_in_with_a_password_and_second_factor(db, client, app):
    make_user(db, "admin", login_id="it-breakglass")
    by_number = make_user(db, employee_no="E900001")
    db.commit()
    assert sign_in(client, "IT-BreakGlass").status_code == 302
    assert client.get("/").status_code == 200
    other = app.test_client()
    assert sign_in(other, by_number.employee_no).status_code == 302
    assert other.get("/").status_code == 200


def test_the_sign_in_page_hides_the_password_form_behind_the_emergency_heading(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your company account" in page
    assert "<details" in page and "Emergency sign-in with a password" in page
    assert "Forgot your password?" not in page


@pytest.mark.sso_env(
    PASSWORD_SIGNIN="off", PASSWORD_SIGNIN_BREAK_GLASS="it-breakglass, E900001", MAX_PASSWORD_AGE_DAYS="90"
)
def test_an_old_password_is_not_asked_to_change_of_someone_who_signs_in_through_the_directory(db, app):
    from datetime import timedelta

    from learning import clock
    from tests.sso.conftest import back_to_portal, provider_sign_in
    from tests.sso.test_oidc import leave_for_provider

    old = clock.now() - timedelta(days=400)
    make_user(db, email="alice.sato@example.co.jp", password_changed_at=old)
    make_user(db, "admin", login_id="it-breakglass", password_changed_at=old)
    db.commit()
    directory = app.test_client()
    assert back_to_portal(directory, provider_sign_in(leave_for_provider(directory), "alice")).status_code == 302
    assert directory.get("/").status_code == 200  # no password of theirs is ever typed: its age asks nothing
    glass = app.test_client()
    assert sign_in(glass, "it-breakglass").status_code == 302
    response = glass.get("/")
    assert response.status_code == 302 and response.location == "/account/password"  # a password in use
