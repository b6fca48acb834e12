"""The reports room's message templates (English; translated where shown, see learning/errors.py): what is
wrong with a filter of the audit trail, the lines that head every export, and the labels of the codes that
reports show (a person's status in a campaign, item analysis's flags)."""

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

# The lines that head every export and print view (learning.reports.pages.heading), after its title and scope.
HEADING_AS_OF = N_("As of")
HEADING_BY = N_("Produced by")

# The block of lines above an export of the audit trail.
EXPORT_TITLE = N_("Audit trail")
EXPORT_FILTERS = N_("Filters")
EXPORT_NO_FILTER = N_("none (every event)")
EXPORT_COVERS = N_("Covers")
EXPORT_COVERAGE = N_("%(n)s events, up to event #%(head)s, newest first")

# A person's assignment as the department report shows it (learning.reports.services.PersonRow.shown).
PERSON_STATUS = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "overdue": N_("Overdue"),
    "completed": N_("Completed"),
    "exempt": N_("Exempt"),
}

# Whether a period's figures in the trend are final (learning.reports.tables.trend).
PERIOD_FIGURES = {
    "in_progress": N_("In progress: figures still grow until the due date"),
    "past_due": N_("Past the due date"),
}

# Whether a period's figures in the annual report are final (learning.reports.annual_tables).
ANNUAL_FIGURES = {
    "final": N_("Final (period closed)"),
    "running": N_("Provisional (period still running)"),
}

# What item analysis notices about a question (learning.reports.items.ItemFigures.flags).
FLAGS = {
    "too_easy": N_("Too easy"),
    "too_hard": N_("Too hard"),
    "negative": N_("Discriminates negatively"),
}

# Words of the trail's rows.
NO_ACTOR = N_("System or anonymous")  # a job, a command, or a question asked without a name
UNLABELLED = N_("%(code)s (no label)")
YES = N_("yes")
NO = N_("no")


# The people list's filters (learning.reports.lists.FILTERS).
LIST_FILTERS = {
    "all": N_("Everyone"),
    "not_finished": N_("Not finished"),
    "overdue": N_("Overdue"),
    "exempt": N_("Exempt"),
}

# An exemption in the register (learning.reports.records.state_of): in force, or how it ended.
EXEMPTION_STATES = {
    "active": N_("In force"),
    "lifted": N_("Lifted"),
    "expired": N_("Ran to its end date"),
    "replaced": N_("Replaced by a later exemption"),
    "completed": N_("Ended: completed all the same"),
    "closed": N_("Closed with its period"),
}

# What the register is narrowed to (learning.reports.records.STATE_FILTERS).
EXEMPTION_FILTERS = {
    "active": N_("In force"),
    "ended": N_("Ended"),
    "all": N_("In force and ended"),
}

# An assignment's outcome in a person's history (learning.reports.records.status_of).
HISTORY_STATUS = {
    **PERSON_STATUS,
    "withdrawn": N_("Withdrawn (left)"),
    "not_completed": N_("Not completed (period closed)"),
}

# Verifying a certificate by its number (learning.reports.verification).
VERIFY_MESSAGES = {
    "verify_locked": N_(
        "Too many numbers not found from this computer. Please wait %(seconds)d seconds and try again."
    ),
    "verify_code_locked": N_(
        "Too many codes not found from this computer. Please wait %(seconds)d seconds and try again."
    ),
}

# Self-inspection reports (learning.reports.inspections): an inspection's state, a finding's age band, and
# which breakdown a line of the findings export belongs to.
INSPECTION_STATES = {
    "accepted": N_("Accepted"),
    "submitted": N_("Submitted, awaiting review"),
    "returned": N_("Returned"),
    "in_progress": N_("Being answered"),
    "not_started": N_("Not started"),
}
AGE_BAND_LABELS = {
    "0_30": N_("0–30 days"),
    "31_60": N_("31–60 days"),
    "61_90": N_("61–90 days"),
    "over_90": N_("Over 90 days"),
    "overdue": N_("Overdue against the due day"),
}
FINDING_BREAKDOWNS = {
    "item": N_("By checklist item"),
    "status": N_("By status"),
    "age": N_("By age (not verified)"),
}
