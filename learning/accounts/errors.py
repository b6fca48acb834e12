"""The accounts room's refusals (see learning/errors.py)."""

from learning.accounts.messages import ACCOUNT_ERRORS
from learning.errors import DomainError


class AccountError(DomainError):
    messages = ACCOUNT_ERRORS
