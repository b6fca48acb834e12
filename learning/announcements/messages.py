"""The announcements room's refusals and labels: English templates, translated where shown."""

from learning.errors import N_

MESSAGES = {
    "title_missing": N_("Write the title in both languages."),
    "body_missing": N_("Write the text in both languages."),
    "sender_missing": N_("A message from management needs the sender's title in both languages."),
    "audience_missing": N_("Choose at least one company or department, or address everyone."),
    "audience_unknown": N_("A chosen department does not exist."),
    "window": N_("The last day shown must be on or after the first."),
    "stale": N_("Someone else changed this notice since you opened it. Open it again and redo your change."),
    "not_draft": N_("Only a draft can be changed."),
    "not_in_review": N_("This notice is not waiting for review."),
    "needs_review": N_(
        "A notice that asks for acknowledgement is published by a second compliance officer: send it for review."
    ),
    "no_review_needed": N_("This notice does not ask for acknowledgement: its author publishes it."),
    "own_notice": N_("You wrote, edited or sent this notice for review: a second person must approve it."),
    "not_published": N_("Only a published notice can be withdrawn."),
    "not_shown": N_("This notice is not shown to you."),
    "no_ack": N_("This notice does not ask for acknowledgement."),
    "reminder_out_of_scope": N_("You may remind only the departments you head."),
    "reminder_already_sent": N_("A reminder went today at %(at)s (sent by %(person)s). The next one can go tomorrow."),
    "reminder_nobody": N_("Everyone in this department has acknowledged it: nobody to remind."),
    "reminder_not_current": N_("This notice is not being shown at the moment: there is nothing to remind of."),
}

KIND_LABELS = {"notice": N_("Notice"), "management": N_("Message from management")}
STATUS_LABELS = {
    "draft": N_("Draft"),
    "review": N_("In review"),
    "published": N_("Published"),
    "withdrawn": N_("Withdrawn"),
}
# What sanitising took out, named per field when a notice is saved.
REMOVED = N_(
    "%(field)s contained markup that is not allowed (scripts, event handlers, outside links or images); it was "
    "removed from what readers see. Check the preview."
)
