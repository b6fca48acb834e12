"""The accounts room's refusals (see learning/errors.py)."""

from learning.accounts.messages import ACCOUNT_ERRORS
from learning.audit.services import Entry
from learning.errors import DomainError


class AccountError(DomainError):
    messages = ACCOUNT_ERRORS


def refused(code: str, actor_id: int | None, user_id: int, reason: str | None = None, **details) -> AccountError:
    """A refusal about someone's access that leaves an authz_fail event on record (the view writes it
    although the request is refused); the event's reason is the code unless one is given."""
    entry = Entry(
        "authz_fail",
        actor_id,
        target=("user", user_id),
        outcome="failure",
        details={"reason": reason or code, **details},
    )
    return AccountError(code, audit=entry)
