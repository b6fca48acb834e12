"""Sign-in through the company's OpenID provider (Entra ID, Keycloak, ADFS …): discovery, the code flow with
PKCE, the state spent once, the ID token checked, the person found in the roster. Flask-free: the views
(accounts/views/sso.py) pass the settings, the callback's address and the request's arguments.

Authlib's OAuth2 client makes the authorization URL (with the S256 code challenge) and exchanges the code;
joserfc (Authlib's JOSE library) checks the ID token: its signature against the provider's published keys
(fetched again once when a key id is unknown, as after a key rollover), then issuer, audience, authorized
party, expiry, issue time and nonce. Anything wrong is an `SsoRefused` with a reason code for the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import SsoState, User

STATE_LIFETIME = timedelta(minutes=10)  # from leaving for the provider to coming back
HTTP_TIMEOUT = 10  # seconds for each call to the provider
METADATA_FOR = 3600  # seconds discovery and keys are kept before they are read again
# Asymmetric signatures only: an HS256 token would be "signed" with the client secret, "none" with nothing.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class SsoRefused(Exception):
    """A directory sign-in that cannot go on; `reason` is the audit code (audit/messages.py VALUES)."""

    def __init__(self, reason: str, presented: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.presented = presented


@dataclass
class _Cached:
    value: dict
    at: float


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def _get_json(url: str, force: bool = False) -> dict:
    with _lock:
        cached = _cache.get(url)
    if cached and not force and time.monotonic() - cached.at < METADATA_FOR:
        return cached.value
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        value = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SsoRefused("provider_unreachable") from error
    with _lock:
        _cache[url] = _Cached(value, time.monotonic())
    return value


def metadata(issuer: str) -> dict:
    """The provider's discovery document; its issuer must be the configured one (OpenID Connect Discovery 4.3)."""
    found = _get_json(f"{issuer}/.well-known/openid-configuration")
    if found.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise SsoRefused("issuer")
    return found


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _client(sso, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        sso.oidc_client_id,
        sso.oidc_client_secret,
        scope=sso.oidc_scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=HTTP_TIMEOUT,
    )


def begin(
    session: Session, sso, redirect_uri: str, next_url: str, *, reauth_user_id: int | None = None
) -> tuple[str, str]:
    """Keeps a fresh state, nonce and PKCE verifier; returns the provider's authorization URL and the state
    (which the view also keeps in this browser's session, so that a callback is bound to the browser that left).
    With `reauth_user_id`, a re-authentication of that person, already signed in: the provider is asked to
    sign them in again whatever session it has (prompt=login, max_age=0), and the callback signs nobody in
    (`confirm_reauth`)."""
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    session.add(
        SsoState(
            state_hash=_hash(state),
            nonce=nonce,
            code_verifier=verifier,
            next_url=next_url[:2000],
            created_at=clock.now(),
            reauth_user_id=reauth_user_id,
        )
    )
    endpoint = metadata(sso.oidc_issuer)["authorization_endpoint"]
    extra = {"prompt": "login", "max_age": "0"} if reauth_user_id is not None else {}
    url, _ = _client(sso, redirect_uri).create_authorization_url(
        endpoint, state=state, nonce=nonce, code_verifier=verifier, **extra
    )
    return url, state


def state_hash(state: str) -> str:
    """The key a state is kept under (what another room binds to a round trip)."""
    return _hash(state)


REAUTH_FRESH = timedelta(minutes=5)  # how recent the provider's auth_time must be for a re-authentication


def confirm_reauth(session: Session, state: str, user: User, claims: dict, sso) -> None:
    """A re-authentication's answer accepted: the ID token (validated) names the person who left, signed in
    at the provider within REAUTH_FRESH (its auth_time, with the configured clock leeway). Marks the state
    re-authenticated now; SsoRefused otherwise ("other_person", "not_fresh")."""
    row = session.get(SsoState, _hash(state))
    if row is None or row.reauth_user_id != user.id:
        raise SsoRefused("other_person")
    found = find_person(session, sso.oidc_match, claims.get(sso.oidc_claim))
    if found.id != user.id:
        raise SsoRefused("other_person")
    auth_time = claims.get("auth_time")
    now = clock.now().timestamp()
    leeway = sso.oidc_leeway_seconds
    if not isinstance(auth_time, int | float) or not (
        now - REAUTH_FRESH.total_seconds() - leeway <= auth_time <= now + leeway
    ):
        raise SsoRefused("not_fresh")
    row.reauthenticated_at = clock.now()


def reauthenticated(session: Session, hashed_state: str | None, user_id: int) -> bool:
    """Whether this state's round trip re-authenticated `user_id` within REAUTH_FRESH of now."""
    row = session.get(SsoState, hashed_state) if hashed_state else None
    return (
        row is not None
        and row.reauth_user_id == user_id
        and row.reauthenticated_at is not None
        and row.reauthenticated_at > clock.now() - REAUTH_FRESH
    )


def spend(session: Session, state: str) -> SsoState:
    """The sign-in this state began, spent: one conditional UPDATE, so a state used before (a replay, or two
    tabs at once) or too old is refused before the provider is asked anything."""
    now = clock.now()
    spent = session.execute(
        update(SsoState)
        .where(
            SsoState.state_hash == _hash(state),
            SsoState.used_at.is_(None),
            SsoState.created_at > now - STATE_LIFETIME,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise SsoRefused("state")
    return session.get(SsoState, _hash(state))


def forget_old(session: Session) -> None:
    """Deletes states older than a day (spent or never used): a new sign-in's state makes room for itself."""
    session.execute(SsoState.__table__.delete().where(SsoState.created_at < clock.now() - timedelta(days=1)))


def exchange(sso, redirect_uri: str, code: str, verifier: str) -> dict:
    """The token response for an authorization code (with the PKCE verifier and the client's secret)."""
    endpoint = metadata(sso.oidc_issuer)["token_endpoint"]
    try:
        token = _client(sso, redirect_uri).fetch_token(
            endpoint, grant_type="authorization_code", code=code, code_verifier=verifier
        )
    except Exception as error:  # any failure of the exchange (HTTP, OAuth error) refuses alike
        raise SsoRefused("token_exchange") from error
    if not token.get("id_token"):
        raise SsoRefused("no_id_token")
    return dict(token)


def keys(sso, force: bool = False) -> KeySet:
    return KeySet.import_key_set(_get_json(metadata(sso.oidc_issuer)["jwks_uri"], force=force))


def algorithms(sso) -> list[str]:
    offered = metadata(sso.oidc_issuer).get("id_token_signing_alg_values_supported") or ["RS256"]
    return [name for name in offered if name in SIGNING_ALGORITHMS]


def validate_id_token(raw: str, *, sso, nonce: str, key_set: KeySet | None = None) -> dict:
    """The ID token's claims once its signature, issuer, audience, authorized party, expiry and nonce hold."""
    allowed = algorithms(sso)
    try:
        try:
            token = jwt.decode(raw, key_set or keys(sso), algorithms=allowed)
        except InvalidKeyIdError:
            if key_set is not None:
                raise
            token = jwt.decode(raw, keys(sso, force=True), algorithms=allowed)
    except (BadSignatureError, InvalidKeyIdError) as error:
        raise SsoRefused("signature") from error
    except JoseError as error:
        raise SsoRefused("malformed") from error
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        now=int(clock.now().timestamp()),
        leeway=sso.oidc_leeway_seconds,
        iss={"essential": True, "value": sso.oidc_issuer},
        aud={"essential": True, "value": sso.oidc_client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise SsoRefused("expired") from error
    except (InvalidClaimError, MissingClaimError) as error:
        raise SsoRefused(_claim_reason(getattr(error, "claim", ""))) from error
    except JoseError as error:
        raise SsoRefused("malformed") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != sso.oidc_client_id:
        raise SsoRefused("audience")
    return claims


def _claim_reason(claim: str) -> str:
    return {"aud": "audience", "iss": "issuer", "nonce": "nonce", "exp": "expired", "iat": "malformed"}.get(
        claim, "malformed"
    )


def multi_factor(claims: dict, sso) -> bool:
    """Whether the provider says the person signed in with more than one factor, in a way configured as
    standing for the portal's own second factor (OIDC_MFA_AMR; none by default)."""
    amr = claims.get("amr") or []
    return bool(sso.oidc_mfa_values) and isinstance(amr, list) and any(value in amr for value in sso.oidc_mfa_values)


def find_person(session: Session, field: str, value) -> User:
    """The one person of the roster the directory's identity names (by email, ignoring case, or by employee
    number or login ID); nobody, or more than one: refused, naming what was presented."""
    if not isinstance(value, str) or not value.strip():
        raise SsoRefused("no_claim")
    value = value.strip()
    if field == "email":
        where = func.lower(User.email) == value.lower()
    elif field == "login_id":
        where = User.login_id == value.lower()
    else:
        where = User.employee_no == value
    people = session.scalars(select(User).where(where).limit(2)).all()
    if not people:
        raise SsoRefused("not_in_roster", presented=value[:254])
    if len(people) > 1:
        raise SsoRefused("ambiguous", presented=value[:254])
    return people[0]
