"""The desk's refusals, in the reader's language."""

from flask_babel import gettext as _

from learning.desk import services

ERRORS = {
    "empty": lambda: _("Please write your question."),
    "too_long": lambda: _("Please keep it under %(n)d characters.", n=services.MAX_LENGTH),
    "control_characters": lambda: _("The text contains control characters; please remove them."),
    "category": lambda: _("Choose a category."),
    "bad_context": lambda: _("The module or question this was asked from does not exist."),
    "too_many": lambda: _("You have asked many questions in the last hour. Please wait a while before asking more."),
    "closed": lambda: _("This question is closed. Ask a new question if something is still unclear."),
    "claim_locked": lambda: _("Too many wrong claim codes from this computer. Please wait 15 minutes."),
}
