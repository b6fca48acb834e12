"""Helpers shared by the accounts room's views: a refused password's message, the trusted-device cookie."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from flask_babel import format_date
from itsdangerous import BadSignature, URLSafeTimedSerializer

from learning.accounts.hrfiles import FileProblem
from learning.accounts.messages import AT_LINE, AT_LINE_AND_COLUMN, CONTRACTOR_LAPSED, LABELS, PASSWORD_PROBLEMS
from learning.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from learning.i18n import pick
from learning.web import translated

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


def describe(problem: FileProblem) -> str:
    """A file problem in the reader's language, with its line and column."""
    message = translated(problem.template, problem.values)
    if not problem.line:
        return message
    if problem.column:
        return translated(AT_LINE_AND_COLUMN, {"line": problem.line, "column": problem.column, "message": message})
    return translated(AT_LINE, {"line": problem.line, "message": message})
