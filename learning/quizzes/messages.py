"""The quiz room's message templates (English; translated where shown, see learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "not_yours": N_("This quiz attempt belongs to someone else."),
}
