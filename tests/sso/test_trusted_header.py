"""The trusted header of a Kerberos reverse proxy: believed only from the proxy's address with its secret."""

import json

import pytest
from sqlalchemy import select

from learning.audit.models import AuditEvent
from tests.factories import make_user

SECRET = "proxy-shared-secret-0123456789-abcdefghij"
PROXY = "10.20.30.40"
HEADER_ENV = {
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "TRUSTED_HEADER": "X-Remote-User",
    "TRUSTED_HEADER_PROXIES": "10.20.30.0/24, 192.0.2.7",
    "TRUSTED_HEADER_SECRET": SECRET,
}
pytestmark = pytest.mark.sso_env(**HEADER_ENV)


def events(db) -> list[tuple[str, dict]]:
    return [(e.action, json.loads(e.details)) for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def through_proxy(client, path="/", user="hanako@CORP.EXAMPLE", secret=SECRET, peer=PROXY):
    headers = {"X-Remote-User": user}
    if secret is not None:
        headers["X-Proxy-Secret"] = secret
    client.environ_base["REMOTE_ADDR"] = peer  # kept on the redirects followed (environ_overrides is not)
    return client.get(path, headers=headers, follow_redirects=True)


def test_the_proxys_header_signs_the_person_in(db, client):
    make_user(db, login_id="hanako")
    db.commit()
    response = through_proxy(client, "/account/password")
    assert response.status_code == 200 and response.request.path == "/account/password"
    assert client.get("/").status_code == 200  # the session holds
    assert events(db) == [("authn_login_success", {"method": "trusted_header"})]


def test_a_domain_prefix_is_the_proxys_business_too(db, client):
    make_user(db, login_id="hanako")
    db.commit()
    assert through_proxy(client, user="CORP\\hanako").request.path == "/"


def test_the_header_from_another_address_is_ignored_and_audited(db, client):
    make_user(db, login_id="hanako")
    db.commit()
    response = through_proxy(client, peer="10.99.0.1")  # a client sending the header (and even the secret) itself
    assert response.status_code == 200 and response.request.path == "/login"
    assert client.get("/").status_code == 302
    assert events(db) == [
        (
            "authn_trusted_header_refused",
            {"reason": "address", "peer": "10.99.0.1", "presented": "hanako@CORP.EXAMPLE"},
        )
    ]


def test_the_header_without_the_proxys_secret_is_ignored_and_audited(db, client):
    make_user(db, login_id="hanako")
    db.commit()
    assert through_proxy(client, secret=None).request.path == "/login"
    assert through_proxy(client, secret=SECRET[:-1] + "x").request.path == "/login"
    assert [details["reason"] for _, details in events(db)] == ["secret", "secret"]


def test_behind_proxy_count_the_connections_own_address_is_checked(db, app, tmp_path, database_url):
    """With PROXY_COUNT, X-Forwarded-For names the client: it must not make a stranger look like the proxy."""
    from tests.sso.conftest import _make_app

    make_user(db, login_id="hanako")
    db.commit()
    proxied = _make_app(
        database_url, tmp_path / "proxied", {**HEADER_ENV, "PROXY_COUNT": "1", "PORTAL_URL": "http://portal.test/"}
    )
    client = proxied.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.99.0.1"
    forged = client.get(
        "/",
        headers={"X-Remote-User": "hanako", "X-Proxy-Secret": SECRET, "X-Forwarded-For": PROXY},
        follow_redirects=True,
    )
    assert forged.request.path == "/login"
    client.environ_base["REMOTE_ADDR"] = PROXY
    genuine = client.get(
        "/",
        headers={"X-Remote-User": "hanako", "X-Proxy-Secret": SECRET, "X-Forwarded-For": "10.1.2.3"},
        follow_redirects=True,
    )
    assert genuine.request.path == "/"
    proxied.extensions["db"].engine.dispose()


def test_a_session_the_proxy_no_longer_names_ends_and_the_named_person_signs_in(db, client):
    hanako = make_user(db, login_id="hanako")
    taro = make_user(db, login_id="taro")
    db.commit()
    through_proxy(client)
    landed = through_proxy(client, "/account/password", user="taro@CORP.EXAMPLE")  # another Windows user now
    assert landed.status_code == 200 and landed.request.path == "/account/password"
    assert events(db)[-2:] == [
        (
            "authn_sso_mismatch",
            {"method": "trusted_header", "reason": "other_person", "presented": "taro@CORP.EXAMPLE"},
        ),
        ("authn_login_success", {"method": "trusted_header"}),
    ]
    mismatch = db.scalars(select(AuditEvent).where(AuditEvent.action == "authn_sso_mismatch")).one()
    assert mismatch.actor_id == hanako.id
    assert db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first().actor_id == taro.id


def test_a_name_the_roster_does_not_hold_gets_the_contact_page(db, client):
    response = through_proxy(client, user="nobody@CORP.EXAMPLE")
    assert response.status_code == 403
    assert "not in the portal" in response.get_data(as_text=True)
    assert events(db)[-1][0] == "authn_sso_mismatch"


@pytest.mark.sso_env(**HEADER_ENV, PASSWORD_SIGNIN="off", PASSWORD_SIGNIN_BREAK_GLASS="breakglass")
def test_the_shortcut_leads_to_the_sso_entry(db, client):
    make_user(db, login_id="hanako")
    db.commit()
    through_proxy(client)
    shortcut = client.get("/shortcut/portal.url").get_data(as_text=True)
    assert "URL=http://portal.test/sso/start\r\n" in shortcut
    other = client.application.test_client()
    landed = through_proxy(other, "/sso/start")
    assert landed.status_code == 200 and landed.request.path == "/"
