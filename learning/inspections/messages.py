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
    "round_version": N_("Choose a published checklist."),
    "frequency": N_("Choose monthly, quarterly, half-yearly or yearly."),
    "due_days": N_("The days to answer must be between 1 and 365."),
    "round_departments": N_("Choose at least one department."),
    "no_inspection": N_("This inspection does not exist."),
    "not_yours": N_("You do not answer for this department."),
    "not_head": N_("Only the department's head can delegate its inspections."),
    "deputy": N_("Choose someone else as the deputy."),
    "deputy_department": N_(
        "The deputy must be one of the department's people (or of a department under it), in active service."
    ),
    "deputy_ends_on": N_("The last day must be a date from today to a year ahead."),
    "submitted_read_only": N_("This inspection has been submitted and can no longer be changed."),
    "unanswered": N_(
        "Answer every item before submitting, with an evidence file where the item asks for one; "
        "still open: items %(items)s."
    ),
    "not_in_scope": N_("This department is outside your scope."),
    "not_submitted": N_("This inspection is not waiting for review."),
    "no_finding": N_("This finding does not exist."),
    "finding_verified": N_("This finding has been verified and is closed."),
    "finding_status": N_("Choose not started, being corrected or correction done."),
    "action_required": N_("Describe the corrective action before marking the finding done."),
    "finding_not_done": N_("Only a finding marked done can be verified."),
    "own_finding": N_("You own this finding: someone else in the second line must verify it."),
}

FREQUENCY_LABELS = {
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
    "half": N_("Half-yearly"),
    "yearly": N_("Yearly"),
}

FINDING_STATUS_LABELS = {
    "open": N_("Not started"),
    "in_progress": N_("Being corrected"),
    "done": N_("Correction done"),
    "verified": N_("Verified"),
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
