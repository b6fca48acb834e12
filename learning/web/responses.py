"""A refusal with a message written for the user, and whether the client wants JSON."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import HTTPException


class UserError(HTTPException):
    """A 400/403/404 carrying a translated message written for the user."""

    user_message = True

    def __init__(self, code: int, message: str):
        self.code = code
        super().__init__(description=message)


def fail(code: int, message: str):
    raise UserError(code, message)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"
