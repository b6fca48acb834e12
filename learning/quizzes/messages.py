"""The quiz room's message templates (English; translated where shown, see learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "not_yours": N_("This quiz attempt belongs to someone else."),
    "abandoned": N_(
        "This quiz attempt was replaced by a newer one and can no longer be answered. Nothing was recorded."
    ),
    "already_passed": N_(
        "You have already passed this quiz, so this attempt can no longer be submitted. Nothing was recorded."
    ),
    "busy": N_("The quiz could not be started just now. Please try again."),
    "save_submitted": N_("This attempt has already been submitted, so answers can no longer be saved to it."),
    "save_unknown_question": N_("The question sent is not one of this attempt's questions. Nothing was saved."),
    "save_bad_choices": N_(
        "The choices sent are not choices of this question (or several for a single-answer question). "
        "Nothing was saved."
    ),
}
