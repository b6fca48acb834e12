"""The campaigns room's message templates (English; translated where shown, see learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "invalid": N_("The campaign has problems; see the fields marked."),
    "no_modules": N_("Choose at least one module."),
    "due_before_open": N_("The due date must not be before the opening date."),
    "no_departments": N_("Choose at least one department, or the whole organisation."),
    "empty_audience": N_("Nobody active works in the chosen departments."),
    "transfer_rule_incomplete": N_("A transfer rule needs both departments and at least one module."),
}
