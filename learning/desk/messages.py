"""The desk's refusals: the room's message templates (English; translated where shown, see
learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "empty": N_("Please write your question."),
    "too_long": N_("Please keep it under %(n)d characters."),
    "control_characters": N_("The text contains control characters; please remove them."),
    "category": N_("Choose a category."),
    "bad_context": N_("The module or question this was asked from does not exist."),
    "too_many": N_("You have asked many questions in the last hour. Please wait a while before asking more."),
    "too_many_today": N_(
        "You have asked %(n)d anonymous questions today. Please wait until tomorrow before asking more anonymously."
    ),
    "closed": N_("This question is closed. Ask a new question if something is still unclear."),
    "claim_locked": N_("Too many wrong claim codes from this computer. Please wait %(seconds)d seconds and try again."),
    "copied": N_("Rewrite the question in your own words; do not publish the asker's text as it was."),
    "section_without_module": N_("Choose the module the section belongs to."),
    "status": N_("Unknown status."),
}

# The topics a question is asked under (models.CATEGORIES), as reports and exports name them.
CATEGORY_LABELS = {
    "information": N_("Handling information"),
    "ids_systems": N_("IDs and systems"),
    "consignment": N_("Consigned work"),
    "transfers": N_("Transfers"),
    "other": N_("Other"),
}
