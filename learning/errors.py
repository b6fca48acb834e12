"""The one domain error type, and the marker for message templates.

A service refuses a step by raising its room's DomainError subclass: `code` names the refusal, `field`
the form field it concerns, `params` fill its message, `audit` is an audit entry the refusal must leave on
record although the request is refused. Each room keeps its messages in one table of English templates
(`messages.py`, marked with N_ for the catalogue): the web shows `gettext(template) % params` in the
user's language (web.refuse, web.explain), commands print `error.english()` and exit non-zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


def N_(template: str) -> str:
    """Marks a template for extraction (tools/translations.sh); it is translated where it is shown."""
    return template


class DomainError(Exception):
    messages: ClassVar[Mapping[str, str]] = {}  # code -> template; each room's subclass sets its table

    def __init__(self, code: str, *, field: str | None = None, audit=None, **params):
        super().__init__(code)
        self.code, self.field, self.audit, self.params = code, field, audit, params

    @property
    def template(self) -> str:
        return self.messages.get(self.code, self.code)

    def english(self) -> str:
        """The message as the command line prints it (the bare template where a value is missing)."""
        try:
            return self.template % self.params if self.params else self.template
        except (KeyError, TypeError, ValueError):
            return self.template
