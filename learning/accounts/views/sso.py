"""Sign-in through the company's directory: the way in (`/sso/start`, where the desktop shortcut leads when
SSO is on) and the OpenID provider's way back (`/sso/callback`). The trusted header of a Kerberos proxy is
taken on the sign-in page itself (views/signin.py), where every signed-out request is sent."""

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_login import current_user

from learning.accounts import oidc, services
from learning.accounts.pages import continue_sign_in, sso_refused
from learning.authz import public
from learning.web import app_settings, db, local_next, security_event

bp = Blueprint("sso", __name__, template_folder="../templates")


@dataclass(frozen=True)
class _Begun:
    nonce: str
    verifier: str
    next_url: str
    reauth_user_id: int | None


def _callback_url() -> str:
    """The redirect URI registered with the provider: PORTAL_URL (ending with "/") and sso/callback."""
    return app_settings().portal_url + "sso/callback"


@bp.route("/sso/start")
@public
def start():
    """Off to the OpenID provider (the trusted header: to the sign-in page, which takes it)."""
    sso = app_settings().sso
    next_url = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect(local_next(next_url))
    if not sso.oidc:
        if sso.header:
            return redirect(url_for("accounts.login", next=next_url or None))
        abort(404)
    try:
        oidc.forget_old(db())
        url, state = oidc.begin(db(), sso, _callback_url(), next_url)
    except oidc.SsoRefused as refused:
        return sso_refused(refused, "oidc")
    session["sso_state"] = state  # the callback must come back to this browser (the rest is kept: web/resume.py)
    return redirect(url)


@bp.route("/sso/callback")
@public
def callback():
    """The provider's way back: a sign-in, or the re-authentication of the person signed in (oidc.begin with
    reauth_user_id), which only marks its state re-authenticated and goes on to where it began."""
    sso = app_settings().sso
    if not sso.oidc:
        abort(404)
    state = request.args.get("state", "")
    bound = session.pop("sso_state", None)
    try:
        if not state or bound != state:
            # Not the browser that left for the provider (or it came back twice): a login CSRF or a replay.
            raise oidc.SsoRefused("state")
        begun = _spend(state)
        if begun.reauth_user_id is not None and (
            not current_user.is_authenticated or current_user.id != begun.reauth_user_id
        ):
            raise oidc.SsoRefused("other_person")  # a re-authentication comes back to the person who left
        if request.args.get("error") or not request.args.get("code"):
            raise oidc.SsoRefused("provider_error")
        token = oidc.exchange(sso, _callback_url(), request.args["code"], begun.verifier)
        claims = oidc.validate_id_token(token["id_token"], sso=sso, nonce=begun.nonce)
        if begun.reauth_user_id is not None:
            # Someone signed in proved who they are again (a pledge's signature): nobody is signed in anew.
            oidc.confirm_reauth(db(), state, current_user._get_current_object(), claims, sso)
            return redirect(local_next(begun.next_url))
        user = oidc.find_person(db(), sso.oidc_match, claims.get(sso.oidc_claim))
    except oidc.SsoRefused as refused:
        return sso_refused(refused, "oidc")
    result = services.sign_in_directory(
        db(),
        user,
        method="oidc",
        address=request.remote_addr,
        demo_allowed=app_settings().demo,
        multi_factor=oidc.multi_factor(claims, sso),
    )
    if result.refusal:
        return sso_refused(oidc.SsoRefused(result.refusal.entry.details["reason"]), "oidc", result.refusal)
    return continue_sign_in(result, begun.next_url)


def _spend(state: str) -> _Begun:
    """Spends the state in a transaction of its own, so that it stays spent whatever becomes of this request."""
    spent = []

    def write(session):
        row = oidc.spend(session, state)
        spent.append(_Begun(row.nonce, row.code_verifier, row.next_url, row.reauth_user_id))

    security_event(None, write=write)
    return spent[0]
