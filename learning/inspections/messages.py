"""The inspections room's refusals: its message templates (English; translated where shown, see
learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "no_template": N_("This checklist does not exist."),
    "slug": N_("The short name must be lowercase letters, digits and hyphens (at most 60)."),
    "slug_taken": N_("Another checklist already has this short name."),
    "title_required": N_("Give the title in both languages."),
    "text_required": N_("Give the item's text in both languages."),
    "too_long": N_("Please keep it under %(n)d characters."),
    "unknown_term": N_("Unknown term %(term)s; the terms are %(known)s."),
    "markup": N_("The guidance holds markup that is not allowed (scripts, frames, outside images)."),
    "not_a_draft": N_("This version is no longer a draft."),
    "not_in_review": N_("This version is no longer waiting for review."),
    "in_the_works": N_("This checklist already has a version in the works."),
    "no_published": N_("This checklist has no published version yet."),
    "no_items": N_("A checklist needs at least one item before it is sent to review."),
    "too_many_items": N_("A checklist has at most %(n)d items."),
    "no_item": N_("This item does not exist."),
    "own_version": N_("You edited or submitted this version: another compliance officer must approve it."),
    "comments_required": N_("Say what needs changing before sending it back."),
    "answer": N_("Choose conforms, does not conform or not applicable."),
    "comment_required": N_('Give a reason for "does not conform" or "not applicable".'),
    "evidence_type": N_("The evidence file must be a PNG or JPEG image or a PDF; %(name)s is not."),
    "evidence_size": N_("The evidence file %(name)s is larger than %(kb)d KB."),
    "evidence_empty": N_("The evidence file %(name)s is empty."),
}

STATUS_LABELS = {
    "draft": N_("Draft"),
    "review": N_("In review"),
    "published": N_("Published"),
    "retired": N_("Retired"),
}

ANSWER_LABELS = {
    "conforms": N_("Conforms"),
    "does_not_conform": N_("Does not conform"),
    "not_applicable": N_("Not applicable"),
}
