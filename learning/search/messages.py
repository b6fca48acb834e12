"""The search room's words: what each kind of entry is called on the results page (English, translated
where shown)."""

from learning.errors import N_

KIND_LABELS = {
    "section": N_("Module section"),
    "faq": N_("FAQ"),
    "rule": N_("Rules document"),
    "notice": N_("Notice"),
}
