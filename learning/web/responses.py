"""A refusal with a message written for the user, a domain error in the user's language, and whether the
client wants JSON."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
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
    """A template marked with N_, in the user's language."""
    text = gettext(template)
    return text % params if params else text


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"
