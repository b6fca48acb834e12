"""Why a step of a module was refused, in the reader's language."""

from flask_babel import gettext as _

MESSAGES = {
    "read_in_order": lambda: _("Please read the sections in order."),
    "quiz_first": lambda: _("Pass the comprehension quiz before you attest."),
    "read_first": lambda: _("Read every section before you take the quiz."),
    "already_passed": lambda: _("You have already passed this quiz."),
}
