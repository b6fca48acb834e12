"""A refusal with a message written for the user, a domain error in the user's language, and whether the
client wants JSON."""

from __future__ import annotations

from datetime import date, datetime

from flask import request
from flask_babel import format_date, gettext
from werkzeug.exceptions import HTTPException


class UserError(HTTPException):
    """A 400/403/404 carrying a translated message written for the user."""

    user_message = True

    def __init__(self, code: int, message: str):
        self.code = code
        super().__init__(description=message)


def fail(code: int, message: str):
    raise UserError(code, message)


def explain(error) -> str:
    """A DomainError's message in the user's language (its room's template, translated, then filled)."""
    return translated(error.template, error.params)


def translated(template: str, params: dict | None = None) -> str:
    """A template marked with N_, in the user's language; a day among the values (services pass `date`s,
    Flask-free) is written as the pages write days in that language, never as an ISO code."""
    text = gettext(template)
    return text % {key: _shown(value) for key, value in params.items()} if params else text


def _shown(value):
    return format_date(value, "medium") if isinstance(value, date) and not isinstance(value, datetime) else value


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"
