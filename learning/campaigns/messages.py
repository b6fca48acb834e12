"""The campaigns room's message templates (English; translated where shown, see learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "invalid": N_("The campaign has problems; see the fields marked."),
    "no_modules": N_(
        "Choose at least one module or pledge, or give a transfer rule alone (its departments and modules)."
    ),
    "due_before_open": N_("The due date must not be before the opening date."),
    "no_departments": N_("Choose at least one department, or the whole organisation."),
    "empty_audience": N_("Nobody active works in the chosen departments."),
    "empty_audience_managers": N_("Nobody active in the chosen departments holds a manager grant (heads them)."),
    "transfer_rule_incomplete": N_("A transfer rule needs both departments and at least one module."),
    "transfer_from_missing": N_("A transfer rule needs the department people move from (or leave the rule empty)."),
    "transfer_to_missing": N_("A transfer rule needs the department people move into (or leave the rule empty)."),
    "transfer_modules_missing": N_("A transfer rule needs at least one module (or leave the rule empty)."),
    "opens_in_past": N_("The opening date must not be in the past (today is allowed)."),
    "due_in_past": N_("The due date must not be in the past."),
    # The lifecycle of a campaign (lifecycle.py, extensions.py)
    "not_a_draft": N_(
        "This campaign has been launched: its modules, audience and window can no longer be edited. "
        "Copy it instead, and change the copy."
    ),
    "stale": N_(
        "Someone else changed this draft after you opened it. Nothing of yours was saved: reload the page and "
        "make your change again."
    ),
    "not_found": N_("This campaign no longer exists: a draft that was deleted."),
    "already_launched": N_("This campaign has already been launched."),
    "not_running": N_("Only a running campaign can be closed early, cancelled or extended."),
    "reason_required": N_("Give the reason: it is kept with the change, for the committee and audit."),
    "no_edition": N_("The module %(module)s has no published edition: publish one, or take it out of the campaign."),
    "extension_before_due": N_("The new due date must be after the current due date (%(due)s)."),
    "extension_in_past": N_("The new due date must not be in the past."),
    "extension_nobody": N_("Nobody has an open assignment of this campaign there: there is nothing to extend."),
    "extension_person_unknown": N_("No one has the employee number %(no)s."),
    "extension_person_missing": N_("Give the employee number of the person whose due date moves."),
    "extension_department_missing": N_("Choose the department whose due date moves."),
    "amendment_reason": N_("Give the reason for the correction: it is kept with it, for the committee and audit."),
    "amendment_status": N_("Choose what the outcome should have been."),
    "amendment_not_closed": N_("Only a closed period is amended; while it runs, change the assignment itself."),
    "amendment_completed_on": N_("Give the day the training was completed."),
    "amendment_unchanged": N_("That is already the recorded outcome."),
    # Pledges in campaigns (pledge_assignments.py)
    "no_pledge_version": N_(
        "The pledge %(pledge)s has no published version: publish one, or take it out of the campaign."
    ),
    "pledge_assignment_missing": N_("This pledge assignment no longer exists."),
    "pledge_period_closed": N_("This period is closed: its pledge records can no longer change."),
    "pledge_not_open": N_("Only a pledge not yet signed, not exempt and not withdrawn can be exempted."),
    "pledge_reason_too_long": N_("The reason is too long (at most %(n)d characters)."),
    # A department head's reminder to their staff (staff_reminders.py)
    "reminder_out_of_scope": N_("You can remind only the people of the departments you head."),
    "reminder_not_running": N_("Reminders go out only while the campaign is running."),
    "reminder_already_sent": N_(
        "A reminder to this department for this campaign already went out today at %(at)s (sent by %(person)s). "
        "The next one can go tomorrow."
    ),
    "reminder_nobody": N_("Everyone here has finished this campaign: there is nobody to remind."),
}

AMENDMENT_LABELS = {
    "completed": N_("Completed"),
    "exempt": N_("Exempt"),
    "not_completed": N_("Not completed"),
}
