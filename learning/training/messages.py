"""Why a step of a module was refused: the training room's message templates (English; translated where
shown, see learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "read_in_order": N_("Please read the sections in order."),
    "quiz_first": N_("Pass the comprehension quiz before you attest."),
    "read_first": N_("Read every section before you take the quiz. Sections not read yet: %(sections)s."),
    "too_soon": N_(
        "Each section of this module needs at least %(minimum)d seconds of reading. Please stay with this one "
        "%(left)d seconds more before you mark it read."
    ),
    "already_passed": N_("You have already passed this quiz."),
    "already_completed": N_("A completed assignment cannot be exempted."),
    "not_found": N_("This assignment does not exist."),
    "period_closed": N_(
        "This assignment belongs to a period that has closed; its record stays as it was. Take this module "
        "in your current assignment."
    ),
    "withdrawn": N_("This assignment was withdrawn."),
    "period_closed_exempt": N_(
        "This period is closed: its records cannot change. To correct one, the compliance office records an "
        "amendment with a reason (Campaigns → the closed campaign → Amend)."
    ),
}
