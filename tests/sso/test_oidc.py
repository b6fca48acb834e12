"""Sign-in through a real OpenID provider (tests/sso/provider): the code flow with PKCE, and each way a
sign-in is refused: a forged token, another application's token, a replayed state, an expired token, a
nonce that does not match, a person missing from the roster."""

import json
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import oidc
from learning.accounts.models import SsoState
from learning.audit.models import AuditEvent
from tests.conftest import PG_URL
from tests.factories import TOTP_SECRET, make_user
from tests.sso.conftest import ID_TOKEN_TTL, OTHER_SECRET, PORTAL_URL, back_to_portal, provider_sign_in


def events(db) -> list[tuple[str, dict]]:
    return [(e.action, json.loads(e.details)) for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def leave_for_provider(client, next_url: str | None = None) -> str:
    response = client.get("/sso/start", query_string={"next": next_url} if next_url else None)
    assert response.status_code == 302
    assert response.location.startswith(
        oidc.metadata(client.application.extensions["settings"].sso.oidc_issuer)["authorization_endpoint"]
    )
    query = parse_qs(urlsplit(response.location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    return response.location


def test_code_flow_signs_the_roster_person_in_and_sign_out_ends_the_session(db, client):
    alice = make_user(db, email="alice.sato@example.co.jp")  # the directory says Alice.Sato@…: case ignored
    db.commit()
    back = provider_sign_in(leave_for_provider(client, "/account/password"), "alice")
    response = back_to_portal(client, back)
    assert response.status_code == 302 and response.location == "/account/password"
    assert client.get("/").status_code == 200
    assert events(db)[-1] == ("authn_login_success", {"method": "oidc"})
    db.refresh(alice)
    assert alice.last_sign_in_at is not None
    token = client.get("/").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302  # signed out: back to the sign-in page


def test_a_replayed_state_is_refused_before_the_provider_is_asked(db, client, app):
    make_user(db, email="alice.sato@example.co.jp")
    db.commit()
    back = provider_sign_in(leave_for_provider(client), "alice")
    assert back_to_portal(client, back).status_code == 302
    # The same callback again, from the same browser and from another that copied its cookie:
    assert back_to_portal(client, back).status_code == 400
    thief = app.test_client()
    with client.session_transaction() as mine, thief.session_transaction() as theirs:
        theirs.update(sso_state=parse_qs(urlsplit(back).query)["state"][0], **{k: v for k, v in mine.items()})
    replay = back_to_portal(thief, back)
    assert replay.status_code == 400
    assert "has expired or has already been used" in replay.get_data(as_text=True)
    assert [details["reason"] for action, details in events(db) if action == "authn_sso_fail"] == ["state", "state"]


def test_a_callback_from_another_browser_is_refused(db, client, app):
    """Login CSRF: a stranger's callback (their code, their state) planted on this browser."""
    make_user(db, email="alice.sato@example.co.jp")
    db.commit()
    back = provider_sign_in(leave_for_provider(app.test_client()), "alice")
    assert back_to_portal(client, back).status_code == 400
    assert client.get("/").status_code == 302


@pytest.mark.sso_env(SSO_CONTACT="the IT help desk (内線 1234)")
def test_a_person_missing_from_the_roster_is_refused_with_whom_to_contact(db, client):
    back = provider_sign_in(leave_for_provider(client), "stranger")
    response = back_to_portal(client, back)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "not in the portal&#39;s list of people" in page
    assert "Please contact the IT help desk (内線 1234)." in page
    assert "stranger@example.co.jp" in page
    assert events(db)[-1] == (
        "authn_sso_mismatch",
        {"method": "oidc", "reason": "not_in_roster", "presented": "stranger@example.co.jp"},
    )
    assert client.get("/").status_code == 302


def test_the_refusal_page_is_in_japanese_too(db, app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
    back = provider_sign_in(leave_for_provider(client), "stranger")
    page = back_to_portal(client, back).get_data(as_text=True)
    assert "ポータルの利用者名簿にありません" in page


def test_an_expired_id_token_is_refused(db, client):
    make_user(db, email="alice.sato@example.co.jp")
    db.commit()
    back = provider_sign_in(leave_for_provider(client), "alice")
    clock.freeze(clock.now() + timedelta(seconds=ID_TOKEN_TTL + 30))  # within the state's ten minutes
    assert back_to_portal(client, back).status_code == 401
    assert events(db)[-1][1]["reason"] == "expired"
    assert client.get("/").status_code == 302


def test_a_nonce_that_does_not_match_is_refused(db, client):
    make_user(db, email="alice.sato@example.co.jp")
    db.commit()
    back = provider_sign_in(leave_for_provider(client), "alice")
    db.execute(SsoState.__table__.update().values(nonce="not-the-nonce-sent"))
    assert back_to_portal(client, back).status_code == 401
    assert events(db)[-1] == ("authn_sso_fail", {"method": "oidc", "reason": "nonce"})


def test_a_leaver_is_refused(db, client):
    make_user(db, email="alice.sato@example.co.jp", status="left")
    db.commit()
    back = provider_sign_in(leave_for_provider(client), "alice")
    response = back_to_portal(client, back)
    assert response.status_code == 403 and "not active" in response.get_data(as_text=True)
    assert events(db)[-1][1] == {"method": "oidc", "reason": "inactive"}


@pytest.mark.sso_env(OIDC_CLAIM="employee_no", OIDC_MATCH="employee_no")
def test_matched_by_employee_number(db, client):
    make_user(db, employee_no="D10001", email="someone-else@example.co.jp")
    db.commit()
    assert back_to_portal(client, provider_sign_in(leave_for_provider(client), "alice")).status_code == 302
    assert client.get("/").status_code == 200


def test_a_privileged_role_still_gives_its_second_factor(db, client):
    from learning.accounts.second_factor import current_code

    make_user(db, "compliance", email="plainboss@example.co.jp")
    db.commit()
    response = back_to_portal(client, provider_sign_in(leave_for_provider(client), "plainboss"))
    assert response.status_code == 302 and response.location == "/login/code"
    assert client.get("/").status_code == 302  # not signed in yet
    page = client.get("/login/code").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    code = current_code(TOTP_SECRET, clock.now())
    assert client.post("/login/code", data={"code": code, "csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.sso_env(OIDC_MFA_AMR="mfa")
def test_the_providers_multi_factor_stands_for_the_second_factor_when_trusted(db, client):
    make_user(db, "compliance", email="boss@example.co.jp")
    make_user(db, "compliance", email="plainboss@example.co.jp")
    db.commit()
    response = back_to_portal(client, provider_sign_in(leave_for_provider(client), "boss"))  # amr: pwd, mfa
    assert response.status_code == 302 and response.location == "/"
    assert events(db)[-1] == ("authn_login_success", {"method": "oidc", "mfa": True})
    other = client.application.test_client()
    response = back_to_portal(other, provider_sign_in(leave_for_provider(other), "plainboss"))  # amr: pwd
    assert response.location == "/login/code"


# The ID token's own checks, on tokens the real provider issued (and one forged from a real one).


def _real_token(provider, sso, client_id: str, secret: str, nonce: str) -> dict:
    meta = oidc.metadata(sso.oidc_issuer)
    session = OAuth2Session(
        client_id,
        secret,
        scope="openid email profile",
        redirect_uri=f"{PORTAL_URL}sso/callback",
        code_challenge_method="S256",
    )
    verifier = "v" * 64
    url, state = session.create_authorization_url(meta["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    code = parse_qs(urlsplit(provider_sign_in(url, "alice")).query)["code"][0]
    return session.fetch_token(meta["token_endpoint"], code=code, code_verifier=verifier, state=state)


def test_a_forged_token_signed_by_another_key_is_refused(app, provider):
    sso = app.extensions["settings"].sso
    genuine = _real_token(provider, sso, "portal", sso.oidc_client_secret, "n-1")["id_token"]
    assert oidc.validate_id_token(genuine, sso=sso, nonce="n-1")["email"] == "Alice.Sato@example.co.jp"
    real = jwt.decode(genuine, oidc.keys(sso))
    forger = RSAKey.generate_key(2048, parameters={"kid": real.header["kid"]})  # the provider's key id, not its key
    claims = {**real.claims, "email": "boss@example.co.jp"}
    forged = jwt.encode({"alg": "RS256", "kid": real.header["kid"]}, claims, forger)
    with pytest.raises(oidc.SsoRefused) as refused:
        oidc.validate_id_token(forged, sso=sso, nonce="n-1")
    assert refused.value.reason == "signature"
    unsigned = genuine.rsplit(".", 1)[0].split(".", 1)[1]
    none_alg = "eyJhbGciOiJub25lIn0." + unsigned + "."
    with pytest.raises(oidc.SsoRefused):
        oidc.validate_id_token(none_alg, sso=sso, nonce="n-1")


def test_a_token_for_another_application_is_refused(app, provider):
    sso = app.extensions["settings"].sso
    theirs = _real_token(provider, sso, "other-app", OTHER_SECRET, "n-2")["id_token"]
    with pytest.raises(oidc.SsoRefused) as refused:
        oidc.validate_id_token(theirs, sso=sso, nonce="n-2")
    assert refused.value.reason == "audience"


@pytest.mark.skipif(not PG_URL, reason="two callbacks at once are a PostgreSQL concern (SQLite serialises writers)")
def test_two_callbacks_at_once_spend_the_state_once(app, database_url):
    engine = app.extensions["db"].engine
    with Session(engine) as session:
        _url, state = oidc.begin(session, app.extensions["settings"].sso, f"{PORTAL_URL}sso/callback", "/")
        session.commit()
    outcomes, barrier = [], threading.Barrier(2)

    def spend():
        with Session(engine) as session:
            barrier.wait()
            try:
                oidc.spend(session, state)
                session.commit()
                outcomes.append("spent")
            except oidc.SsoRefused as refused:
                outcomes.append(refused.reason)

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["spent", "state"]
