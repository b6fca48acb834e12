"""The pledges room's refusals: its message templates (English; translated where shown, see learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "no_pledge": N_("This pledge does not exist."),
    "slug": N_("The short name must be lowercase letters, digits and hyphens (at most 60)."),
    "slug_taken": N_("Another pledge already has this short name."),
    "title_required": N_("Give the title in both languages."),
    "too_long": N_("Please keep it under %(n)d characters."),
    "parts_mismatch": N_("Give the same number of entries in both languages: %(ja)d in Japanese, %(en)d in English."),
    "not_a_draft": N_("This version is no longer a draft."),
    "not_in_review": N_("This version is no longer waiting for review."),
    "no_published": N_("This pledge has no published version yet."),
    "no_clauses": N_("A pledge needs at least one clause before it is sent to review."),
    "own_version": N_("You edited or submitted this version: another compliance officer must approve it."),
    "comments_required": N_("Say what needs changing before sending it back."),
    "not_published": N_("This version of the pledge is not open for signing."),
    "answer_required": N_("Answer declaration %(n)d with yes or no."),
    "wrong_password": N_("The password is not correct. Nothing was signed."),
    "code_required": N_("Enter the current code from your authenticator app."),
    "wrong_code": N_("The code from your authenticator app is not correct or was used already. Nothing was signed."),
    "locked": N_("Too many failed attempts. Please wait %(seconds)d seconds and try again."),
    "reason_required": N_("Give a reason for not signing."),
    "no_pending": N_("This signature has expired or was made already. Please sign again."),
    "not_reauthenticated": N_("The company directory did not confirm it was you just now. Nothing was signed."),
    "directory_off": N_(
        "Your signature needs a sign-in at the company directory, which is not set up. "
        "Please contact the compliance office."
    ),
    "already_signed": N_("You have already answered this version of the pledge."),
}

STATUS_LABELS = {
    "draft": N_("Draft"),
    "review": N_("In review"),
    "published": N_("Published"),
    "retired": N_("Retired"),
}

CASE_REASONS = {
    "declaration_no": N_('A declaration answered "no"'),
    "refused": N_("Refused to sign"),
}
