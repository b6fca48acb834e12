"""The reports' filter by kind of employment (issue 19 item 3), as criteria for their queries. Flask-free.

Everyone (no filter), the group's own staff (everyone but contractors' staff), or one kind of
accounts/employment.py's EMPLOYMENT_TYPES. Contractors' staff have no kind, so any filter leaves them out (the
contractors section of a report is shown unfiltered only); people whose kind the roster does not give count under
"own staff" only. The kind is the one the roster gives now, a closed period's too: an assignment keeps the
department and the contract it was made in, not the person's kind.
"""

from __future__ import annotations

from sqlalchemy import select

from learning.accounts.employment import EMPLOYMENT_TYPES
from learning.accounts.models import User
from learning.training.models import Assignment

OWN_STAFF = "own"
EMPLOYMENT_FILTERS = (OWN_STAFF, *EMPLOYMENT_TYPES)


def employment_people(employment: str | None) -> list:
    """The people a filter (one of EMPLOYMENT_FILTERS, or None for everyone) keeps, as criteria on users."""
    if employment is None:
        return []
    if employment == OWN_STAFF:
        return [User.kind != "contractor"]
    return [User.employment_type == employment]


def employment_assignments(employment: str | None) -> list:
    """The same as criteria on assignments, for a query that does not join the people."""
    if employment is None:
        return []
    return [Assignment.user_id.in_(select(User.id).where(*employment_people(employment)))]
