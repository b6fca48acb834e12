"""The courses room's message templates (English, marked N_, translated where shown)."""

from learning.errors import N_

LANGUAGE = {"ja": N_("Japanese"), "en": N_("English")}

TERM_MESSAGES = {
    "term_missing": N_("Enter the words in %(language)s: both languages are needed."),
    "term_too_long": N_("At most %(limit)d characters."),
    "term_control": N_("Remove the control characters (such as NUL)."),
    "term_braces": N_("The words may not contain “{{”: a term cannot name another."),
    "term_unknown": N_("There is no organisation term called %(name)s."),
}
