"""Helpers shared by the accounts room's views: a refused password's message, the trusted-device cookie, the
session a sign-in starts (by password or through the company's directory), a refused directory sign-in's page."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from learning import clock
from learning.accounts import services
from learning.accounts.hrfiles import FileProblem
from learning.accounts.messages import AT_LINE, AT_LINE_AND_COLUMN, CONTRACTOR_LAPSED, LABELS, PASSWORD_PROBLEMS
from learning.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from learning.accounts.second_factor import new_secret
from learning.errors import N_
from learning.i18n import pick
from learning.web import app_settings, db, local_next, resume, security_event, translated

# The browser a person signed in with keeps a signed note of it (OWASP's "device cookie"): a guess from
# elsewhere can slow the account name down, but not this device (accounts/throttle.py).
DEVICE_COOKIE = "portal_device"
DEVICE_TRUSTED_FOR = timedelta(days=180)


def password_problem(code: str) -> str:
    """Why a new password is refused, in the user's language."""
    return translated(PASSWORD_PROBLEMS[code], {"n": MIN_LENGTH if code == "too_short" else MAX_LENGTH})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="trusted-device")


def device_user_id() -> int | None:
    """The person this browser last signed in as, if its signed cookie is genuine and recent."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        user_id = _serializer().loads(value, max_age=int(DEVICE_TRUSTED_FOR.total_seconds()))
    except BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


def remember_device(response, user_id: int):
    """Leaves the signed cookie on a successful sign-in."""
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(user_id),
        max_age=int(DEVICE_TRUSTED_FOR.total_seconds()),
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
    return response


def label(code: str | None, kind: str) -> str:
    """A code of the accounts room (a role, a status, a reason …) in the reader's language (Jinja filter)."""
    if code is None:
        return "—"
    template = LABELS[kind].get(code)
    return translated(template, {}) if template else code


def lapsed_message(contact) -> str:
    """A contractor whose access ended (accounts.contractor_staff.Contact): since when, and whom to ask."""
    return translated(
        CONTRACTOR_LAPSED,
        {
            "day": format_date(contact.ended_on, "medium"),
            "owner": contact.owner,
            "department": pick(contact.department),
        },
    )


def contract_choice(contract) -> tuple[str, str]:
    """A contract as an option of a select: its reference and period, the days as the pages write them."""
    period = f"{format_date(contract.starts_on, 'medium')} – {format_date(contract.ends_on, 'medium')}"
    return str(contract.id), f"{contract.reference} ({period})"


def describe(problem: FileProblem) -> str:
    """A file problem in the reader's language, with its line and column."""
    message = translated(problem.template, problem.values)
    if not problem.line:
        return message
    if problem.column:
        return translated(AT_LINE_AND_COLUMN, {"line": problem.line, "column": problem.column, "message": message})
    return translated(AT_LINE, {"line": problem.line, "message": message})


def start_session(user, next_url: str):
    """A fresh session for the signed-in person: nothing from before sign-in is carried over but a form of
    theirs refused when their session had ended (web/resume.py), for the page they go back to."""
    resume.clear_session_for(user.get_id())
    login_user(user)
    now = clock.now().timestamp()
    # The language rides in the cookie too, so that error pages, which never load the person, use it.
    session.update(started=now, seen=now, locale=user.locale)
    return remember_device(redirect(local_next(next_url)), user.id)


def continue_sign_in(result, next_url: str):
    """After a password or the directory vouched for the person: the second factor for a privileged role,
    or a fresh session."""
    if result.needs_second_factor:
        resume.clear_session_for(result.user.get_id())
        session["pending"] = {"user": result.user.get_id(), "at": clock.now().timestamp(), "next": next_url}
        if result.user.totp_secret is None:
            services.start_enrolment(db(), result.user, new_secret())
            session["pending"]["enrolling"] = True
            return redirect(url_for("accounts.second_factor_setup"))
        return redirect(url_for("accounts.second_factor"))
    return start_session(result.user, next_url)


# What a refused directory sign-in tells the person, by reason; the status it is answered with.
SSO_REFUSALS = {
    "not_in_roster": (N_("Your company account is not in the portal's list of people."), 403),
    "ambiguous": (N_("Your company account matches more than one person in the portal."), 403),
    "no_claim": (N_("The company directory did not say who you are."), 403),
    "inactive": (N_("Your portal account is not active."), 403),
    "compromised": (
        N_("Your portal account is locked because it may have been used by someone else. Reset your password first."),
        403,
    ),
    "state": (N_("This sign-in link has expired or has already been used. Please sign in again."), 400),
    "provider_unreachable": (N_("The company directory cannot be reached just now. Please try again later."), 502),
    "provider_error": (N_("The company directory did not sign you in."), 401),
    "not_fresh": (
        N_("The company directory did not ask you to sign in again just now, so nothing was signed. Please try again."),
        401,
    ),
}
SSO_REFUSED_OTHERWISE = (N_("The company directory's answer could not be verified. Please sign in again."), 401)


def sso_refused(refused, method: str, refusal=None):
    """Records the refusal and says why, and whom to contact (SSO_CONTACT)."""
    refusal = refusal or services.directory_refusal(method, refused.reason, presented=refused.presented)
    security_event(refusal.entry)
    message, status = SSO_REFUSALS.get(refused.reason, SSO_REFUSED_OTHERWISE)
    page = render_template(
        "accounts/sso_refused.html",
        message=_(message),
        reason=refused.reason,
        presented=refused.presented,
        contact=app_settings().sso.contact,
        password_on=app_settings().sso.local_sign_in == "on",
    )
    return page, status
