"""Signing a pledge without a usable password (password sign-in off: SSO only) through a fresh sign-in at the
real test provider: prompt=login and max_age=0 asked for; the answers kept on the server (never in the URL);
the signature made on the way back only for the person who left, once, and only when the ID token's
auth_time is recent."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts import oidc
from learning.accounts.models import SsoState
from learning.audit.models import AuditEvent
from learning.pledges.models import PledgePending, PledgeSignature
from tests.conftest import post
from tests.factories import make_user
from tests.pledges.test_signing import published_pledge
from tests.sso.conftest import back_to_portal, provider_sign_in
from tests.sso.test_oidc import leave_for_provider

pytestmark = pytest.mark.sso_env(PASSWORD_SIGNIN="off")


def signed_in_through_the_directory(db, client, login="alice", email="alice.sato@example.co.jp"):
    person = make_user(db, email=email)
    db.commit()
    assert back_to_portal(client, provider_sign_in(leave_for_provider(client), login)).status_code == 302
    return person


def signatures(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(PledgeSignature.id)))


def test_an_sso_only_person_signs_through_a_fresh_directory_sign_in(db, client):
    version, _, _ = published_pledge(db)
    person = signed_in_through_the_directory(db, client)
    shown = client.get(f"/pledges/{version.id}")
    page = shown.get_data(as_text=True)
    assert "Sign through the company directory" in page and 'name="password"' not in page
    # The browser holds the form to form-action through its redirect to the provider: this page allows it.
    issuer = client.application.extensions["settings"].sso.oidc_issuer
    assert f"form-action 'self' {issuer};" in shown.headers["Content-Security-Policy"]
    leaving = post(client, f"/pledges/{version.id}", {"declaration_1": "no"})
    assert leaving.status_code == 302
    query = parse_qs(urlsplit(leaving.location).query)
    assert (query["prompt"], query["max_age"]) == (["login"], ["0"])
    assert "declaration" not in leaving.location and "no" not in query  # the answers stay on the server
    pending = db.scalar(select(PledgePending))
    assert (pending.user_id, pending.answers, pending.used_at) == (person.id, {"1": False}, None)
    assert signatures(db) == 0
    back = back_to_portal(client, provider_sign_in(leaving.location, "alice"))
    assert (back.status_code, back.location) == (302, f"/pledges/pending/{pending.id}")
    done = client.get(back.location)
    assert (done.status_code, done.location) == (302, f"/pledges/{version.id}")
    db.expire_all()
    signature = db.scalar(select(PledgeSignature))
    assert (signature.user_id, signature.answers, signature.outcome) == (person.id, {"1": False}, "signed")
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "pledge_signed"))
    assert json.loads(event.details)["method"] == "oidc"
    assert "You signed this pledge on" in client.get(f"/pledges/{version.id}").get_data(as_text=True)
    # The way back again (a reload) signs nothing more.
    again = client.get(back.location)
    assert again.status_code == 302 and signatures(db) == 1


def test_a_refusal_goes_through_the_directory_too(db, client):
    version, _, _ = published_pledge(db)
    signed_in_through_the_directory(db, client)
    assert post(client, f"/pledges/{version.id}/refuse", {"reason": "  "}).status_code == 400
    leaving = post(client, f"/pledges/{version.id}/refuse", {"reason": "I disagree with clause 2."})
    assert leaving.status_code == 302
    back = back_to_portal(client, provider_sign_in(leaving.location, "alice"))
    client.get(back.location)
    db.expire_all()
    signature = db.scalar(select(PledgeSignature))
    assert (signature.outcome, signature.refusal_reason) == ("refused", "I disagree with clause 2.")


def test_someone_else_at_the_directory_signs_nothing(db, client):
    version, _, _ = published_pledge(db)
    signed_in_through_the_directory(db, client)
    make_user(db, email="plainboss@example.co.jp")
    db.commit()
    leaving = post(client, f"/pledges/{version.id}", {"declaration_1": "yes"})
    back = back_to_portal(client, provider_sign_in(leaving.location, "plainboss"))
    assert back.status_code == 401
    pending = db.scalar(select(PledgePending))
    assert client.get(f"/pledges/pending/{pending.id}").status_code == 302
    assert signatures(db) == 0
    reasons = [json.loads(e.details).get("reason") for e in db.scalars(select(AuditEvent))]
    assert "other_person" in reasons


def test_the_way_back_without_the_directory_round_trip_signs_nothing(db, client, app):
    version, _, _ = published_pledge(db)
    signed_in_through_the_directory(db, client)
    leaving = post(client, f"/pledges/{version.id}", {"declaration_1": "yes"})
    assert leaving.status_code == 302
    pending = db.scalar(select(PledgePending))
    # Straight to the way back, skipping the provider: not re-authenticated.
    skipped = client.get(f"/pledges/pending/{pending.id}")
    assert skipped.status_code == 302 and skipped.location == "/pledges"
    assert signatures(db) == 0
    # Another person signed in cannot spend it either, even once it is proved.
    db.execute(SsoState.__table__.update().values(reauthenticated_at=clock.now()))
    db.commit()
    other = app.test_client()
    signed_in_through_the_directory(db, other, "plainboss", "plainboss@example.co.jp")
    assert other.get(f"/pledges/pending/{pending.id}").status_code == 302
    assert signatures(db) == 0


def test_only_a_recent_auth_time_confirms_a_reauthentication(db, app):
    sso = app.extensions["settings"].sso
    person = make_user(db, email="alice.sato@example.co.jp")
    db.commit()
    _, state = oidc.begin(db, sso, "http://portal.test/sso/callback", "/pledges", reauth_user_id=person.id)
    claims = {"email": "alice.sato@example.co.jp"}
    now = clock.now().timestamp()
    for stale in (None, "yesterday", now - 6 * 60, now + 10 * 60):
        with pytest.raises(oidc.SsoRefused, match="not_fresh"):
            oidc.confirm_reauth(db, state, person, {**claims, "auth_time": stale}, sso)
    with pytest.raises(oidc.SsoRefused, match="other_person"):
        oidc.confirm_reauth(db, state, make_user(db), {**claims, "auth_time": now}, sso)
    oidc.confirm_reauth(db, state, person, {**claims, "auth_time": now - 60}, sso)
    hashed = oidc.state_hash(state)
    assert oidc.reauthenticated(db, hashed, person.id)
    clock.freeze(clock.now() + timedelta(minutes=6))
    assert not oidc.reauthenticated(db, hashed, person.id)
