"""The campaigns room's message templates (English; translated where shown, see learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "invalid": N_("The campaign has problems; see the fields marked."),
    "no_modules": N_("Choose at least one module."),
    "due_before_open": N_("The due date must not be before the opening date."),
    "no_departments": N_("Choose at least one department, or the whole organisation."),
    "empty_audience": N_("Nobody active works in the chosen departments."),
    "transfer_rule_incomplete": N_("A transfer rule needs both departments and at least one module."),
    "amendment_reason": N_("Give the reason for the correction: it is kept with it, for the committee and audit."),
    "amendment_status": N_("Choose what the outcome should have been."),
    "amendment_not_closed": N_("Only a closed period is amended; while it runs, change the assignment itself."),
    "amendment_completed_on": N_("Give the day the training was completed."),
    "amendment_unchanged": N_("That is already the recorded outcome."),
}

AMENDMENT_LABELS = {
    "completed": N_("Completed"),
    "exempt": N_("Exempt"),
    "not_completed": N_("Not completed"),
}
