"""Sign-in (with a second factor for privileged roles), sign-out, password change, language switch."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from learning import clock
from learning.accounts import oidc, services, throttle, trusted_header
from learning.accounts.forms import CodeForm, LocaleForm, LoginForm, PasswordForm
from learning.accounts.pages import (
    continue_sign_in,
    device_user_id,
    lapsed_message,
    password_problem,
    sso_refused,
    start_session,
)
from learning.accounts.passwords import MIN_LENGTH
from learning.accounts.second_factor import provisioning_uri, qr_svg
from learning.audit.services import Entry
from learning.authz import Permission, public, requires
from learning.i18n import LOCALES
from learning.web import app_settings, db, fail, local_next, security_event, serves_asset

bp = Blueprint("accounts", __name__, template_folder="../templates")
PENDING_SECONDS = 300  # a password step waits at most five minutes for its second factor


# While a password change is due, only these endpoints answer; everything else leads to the change form.
PASSWORD_CHANGE_EXEMPT = {"accounts.change_password", "accounts.logout", "accounts.set_locale", "static"}


@bp.before_app_request
def _require_due_password_change():
    if (
        request.endpoint not in PASSWORD_CHANGE_EXEMPT
        and not serves_asset()  # a stylesheet or image leads nowhere, and loading the person costs a query
        and current_user.is_authenticated
        and services.password_expired(current_user, app_settings().max_password_age_days)
        and (current_user.must_change_password or _password_usable(current_user))
    ):
        return redirect(url_for("accounts.change_password"))
    return None


def _password_usable(user) -> bool:
    """With password sign-in turned off (SSO on), a person who is not a break-glass login never types their
    password, so its age prompts nothing: SSO-only people are not sent to change a password they cannot use
    (a password marked compromised still must be changed)."""
    sso = app_settings().sso
    return any(sso.password_allowed(name) for name in (user.login_id or "", user.employee_no or ""))


def _record(refusal) -> None:
    if refusal:
        security_event(refusal.entry, write=refusal.count)


def _wait_message(result) -> str:
    return _(
        "Too many failed attempts. Please wait %(seconds)d seconds and try again.",
        seconds=throttle.seconds(result.wait),
    )


def _pending_user():
    """The person who passed the password step in this browser within the last five minutes."""
    pending = session.get("pending")
    if not pending or clock.now().timestamp() - pending["at"] > PENDING_SECONDS:
        return None
    return services.load_user(db(), pending["user"])


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(local_next(request.args.get("next")))
    sso = app_settings().sso
    if sso.header and request.method == "GET" and request.headers.get(sso.trusted_header):
        signed_in = trusted_header_sign_in(request.args.get("next", ""))
        if signed_in is not None:
            return signed_in
    form = LoginForm(next=request.args.get("next", ""))
    if session.pop("notice", None) == "expired":
        flash(_("Your session has ended. Please sign in again."), "info")
    if not form.validate_on_submit():
        return _login_page(form), 400 if form.errors else 200
    if not sso.password_allowed(form.username.data):
        entry = Entry("authn_login_fail", None, outcome="failure", details={"reason": "password_off"})
        security_event(entry)
        form.form_errors.append(
            _("Sign-in with a password is turned off. Use “Sign in with your company account” instead.")
        )
        return _login_page(form), 403
    # A language picked on the sign-in page becomes the person's saved choice.
    result = services.sign_in(
        db(),
        form.username.data,
        form.password.data,
        address=request.remote_addr,
        demo_allowed=app_settings().demo,
        chosen_locale=session.get("locale"),
        device_user_id=device_user_id(),
    )
    _record(result.refusal)
    if result.user is not None:
        return continue_sign_in(result, form.next.data)
    if result.locked:
        form.form_errors.append(_wait_message(result))
        return _login_page(form), 429
    if result.lapsed is not None:  # issue 19: a contractor whose access ended is told whom to ask
        form.form_errors.append(lapsed_message(result.lapsed))
        return _login_page(form), 403
    form.form_errors.append(_("The employee number or password is not correct."))
    return _login_page(form), 401


def _login_page(form):
    return render_template("accounts/login.html", form=form, sso=app_settings().sso)


def _peer_address() -> str | None:
    """The address of whoever opened the connection: with PROXY_COUNT, ProxyFix has put the client's
    address from X-Forwarded-For in remote_addr and kept the connection's own aside."""
    original = request.environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR")


def trusted_header_sign_in(next_url: str):
    """Signs in the person the reverse proxy names, if the request really comes from it; None when the
    header is not believed (ignored and audited as a security event) and the sign-in page is shown."""
    sso = app_settings().sso
    value = request.headers.get(sso.trusted_header, "")
    peer = _peer_address()
    why = trusted_header.refusal(sso, peer, request.headers.get(sso.proxy_check_header))
    if why is not None:
        details = {"reason": why, "peer": (peer or "")[:64], "presented": value[:254]}
        security_event(Entry("authn_trusted_header_refused", None, outcome="failure", details=details))
        return None
    name = trusted_header.principal(value, sso.trusted_match)
    try:
        user = oidc.find_person(db(), sso.trusted_match, name)
    except oidc.SsoRefused as refused:
        return sso_refused(refused, "trusted_header")
    result = services.sign_in_directory(
        db(),
        user,
        method="trusted_header",
        address=request.remote_addr,
        demo_allowed=app_settings().demo,
        multi_factor=False,
    )
    if result.refusal:
        return sso_refused(oidc.SsoRefused(result.refusal.entry.details["reason"]), "trusted_header", result.refusal)
    return continue_sign_in(result, next_url)


@bp.before_app_request
def _trusted_header_names_the_signed_in_person():
    """Behind the Kerberos proxy, a session whose person is not the one the proxy now names (another Windows
    user at a browser still holding the previous one's cookie) is a mismatch: audited, and this browser's
    session ends, so that the sign-in page signs in whom the proxy names."""
    sso = app_settings().sso
    if not sso.header or serves_asset() or not current_user.is_authenticated:
        return None
    value = request.headers.get(sso.trusted_header)
    if not value or trusted_header.refusal(sso, _peer_address(), request.headers.get(sso.proxy_check_header)):
        return None
    if trusted_header.names(current_user, sso.trusted_match, trusted_header.principal(value, sso.trusted_match)):
        return None
    details = {"method": "trusted_header", "reason": "other_person", "presented": value[:254]}
    entry = Entry(
        "authn_sso_mismatch", current_user.id, target=("user", current_user.id), outcome="failure", details=details
    )
    logout_user()
    session.clear()
    security_event(entry)
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))


@bp.route("/login/code", methods=["GET", "POST"])
@public
def second_factor():
    return _second_factor_step(enrolling=False)


@bp.route("/login/setup", methods=["GET", "POST"])
@public
def second_factor_setup():
    return _second_factor_step(enrolling=True)


def _second_factor_step(enrolling: bool):
    user = _pending_user()
    secret = user.totp_pending_secret if user is not None and session["pending"].get("enrolling") else None
    if user is None or enrolling != bool(secret):
        session.pop("pending", None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for(".login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        result = services.verify_second_factor(
            db(), user, form.code.data, address=request.remote_addr, new_secret=secret, device_user_id=device_user_id()
        )
        _record(result.refusal)
        if result.user is not None:
            return start_session(result.user, session["pending"].get("next"))
        if result.locked:
            form.code.errors = [_wait_message(result)]
            status = 429
        else:
            form.code.errors = [_("The code is not correct or has already been used. Enter the current code.")]
            status = 401
    qr = qr_svg(provisioning_uri(secret, user.login_id or user.employee_no)) if enrolling else None
    return render_template("accounts/second_factor.html", form=form, enrolling=enrolling, secret=secret, qr=qr), status


@bp.route("/logout", methods=["POST"])
@requires(Permission.SELF)
def logout():
    services.sign_out(db(), current_user)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.SELF)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        problems, refusal = services.change_password(db(), current_user, form.current.data, form.new.data)
        _record(refusal)
        if not problems:
            flash(_("Your password has been changed. Other sessions have been signed out."), "success")
            return start_session(current_user._get_current_object(), url_for("portal.home"))
        for problem in problems:
            field = form.current if problem == "current_wrong" else form.new
            field.errors = [*field.errors, password_problem(problem)]
    return render_template("accounts/password.html", form=form, min_length=MIN_LENGTH), 400 if form.errors else 200


@bp.route("/locale", methods=["POST"])
@public
def set_locale():
    form = LocaleForm()
    if not form.validate_on_submit() or form.locale.data not in LOCALES:
        fail(400, _("Unknown language."))
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        services.set_locale(db(), current_user, form.locale.data)
    return redirect(local_next(form.next.data))
