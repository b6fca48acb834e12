"""Password change: NIST 800-63B policy, other sessions end, forced change when marked compromised."""

import pytest
from sqlalchemy import select

from learning.accounts.models import User
from learning.accounts.passwords import password_problems, verify_password
from learning.audit.models import AuditEvent
from tests.conftest import post, sign_in
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("short-one", ["too_short"]),
        ("x" * 129, ["too_long"]),
        ("passwordpassword", ["common"]),
        ("my-E000123-secret", ["contains_id"]),
        ("私の長いパスワードは安全です", []),
        ("correct horse battery staple", []),
    ],
)
def test_password_policy(password, problems):
    assert password_problems(password, ("E000123", "hanako")) == problems


def change(client, current, new, confirm=None):
    return post(client, "/account/password", {"current": current, "new": new, "confirm": confirm or new})


def test_change_password_keeps_this_session_and_ends_others(db, client, app):
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    other = app.test_client()
    sign_in(other, user.employee_no)
    response = change(client, PASSWORD, "a brand new long passphrase")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    db.expire_all()
    assert verify_password(db.get(User, user.id).password_hash, "a brand new long passphrase")


def test_policy_messages_name_the_field_and_nothing_changes(db, client):
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    response = change(client, "wrong current", "short")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Current password: The current password is not correct." in page
    assert "New password: Use at least 12 characters." in page
    mismatch = change(client, PASSWORD, "a brand new long passphrase", "something else entirely")
    assert "The two new passwords are not the same." in mismatch.get_data(as_text=True)
    db.expire_all()
    assert verify_password(db.get(User, user.id).password_hash, PASSWORD)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "authn_password_change")).outcome == "failure"


def test_a_compromised_account_must_change_before_anything_else(db, client):
    user = make_user(db, must_change_password=True)
    db.commit()
    sign_in(client, user.employee_no)
    response = client.get("/training")
    assert response.status_code == 302 and response.location == "/account/password"
    assert "must be changed before you continue" in client.get("/account/password").get_data(as_text=True)
    change(client, PASSWORD, "a brand new long passphrase")
    assert client.get("/training").status_code == 200
