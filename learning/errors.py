"""The one domain error type: a service refuses a step by raising DomainError (or a room's subclass).

`code` names the refusal (each room's messages module turns it into text in the user's language),
`field` the form field it concerns, `params` fill the message. `audit` is an audit entry the refusal
must leave on record although the request is refused (an attempt to approve one's own draft, say):
the view hands the error to web.refuse(), which writes it in a transaction of its own.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, *, field: str | None = None, audit=None, **params):
        super().__init__(code)
        self.code, self.field, self.audit, self.params = code, field, audit, params
