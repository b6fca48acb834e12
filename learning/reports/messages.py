"""The reports room's message templates (English; translated where shown, see learning/errors.py): what is
wrong with a filter of the audit trail, and the lines that head an export of it."""

from learning.errors import N_

MESSAGES = {
    "actor_too_long": N_("Actor: at most %(n)d characters."),
    "no_actor": N_("Actor: no one has the employee number, login ID or name “%(value)s”."),
    "target_type": N_("Target: choose one of the listed types."),
    "target_too_long": N_("Target: at most %(n)d characters."),
    "target_type_needed": N_("Target: choose the type of the target as well as its number."),
    "no_target_person": N_("Target: no one has the employee number or login ID “%(value)s”."),
    "action": N_("Action: choose one of the listed actions."),
    "outcome": N_("Outcome: choose one of the listed outcomes."),
    "date_from": N_("From (date): enter a date as YYYY-MM-DD, for example 2026-04-01."),
    "date_to": N_("To (date): enter a date as YYYY-MM-DD, for example 2026-04-01."),
    "date_order": N_("To (date): the end of the range is before its start."),
    "too_many_rows": N_(
        "%(n)s events match, more than a spreadsheet holds (%(limit)s). Narrow the filter, or export CSV."
    ),
}

# The block of lines above an export's table.
EXPORT_TITLE = N_("Audit trail")
EXPORT_FILTERS = N_("Filters")
EXPORT_NO_FILTER = N_("none (every event)")
EXPORT_AS_OF = N_("As of (JST)")
EXPORT_COVERS = N_("Covers")
EXPORT_COVERAGE = N_("%(n)s events, up to event #%(head)s, newest first")
EXPORT_BY = N_("Exported by")

# Words of the trail's rows.
NO_ACTOR = N_("System or anonymous")  # a job, a command, or a question asked without a name
UNLABELLED = N_("%(code)s (no label)")
YES = N_("yes")
NO = N_("no")
