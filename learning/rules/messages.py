"""The rules library's refusals: the room's message templates (English; translated where shown, see
learning/errors.py)."""

from learning.errors import N_

MESSAGES = {
    "slug": N_("Use lower-case letters, digits and hyphens for the address name (up to 60 characters)."),
    "slug_taken": N_("A document with the address name %(slug)s exists already."),
    "kind": N_("Choose the kind of document."),
    "title": N_("Give the title in Japanese and in English."),
    "changes": N_("Say what changed in this version, in Japanese and in English."),
    "body": N_("Write the text in Japanese and in English, or upload a PDF for each language."),
    "not_pdf": N_("The %(language)s file is not a PDF (it does not start like one)."),
    "broken_pdf": N_(
        "The %(language)s file starts like a PDF but cannot be read as one (it may be damaged or cut short)."
    ),
    "encrypted_pdf": N_("The %(language)s PDF is password-protected; upload it without a password."),
    "pdf_too_large": N_("The %(language)s PDF is %(size)s MB; the limit is %(limit)s MB."),
    "effective_on": N_("Give the day the version takes effect."),
    "not_future": N_("Only a version that has not taken effect yet can be edited."),
    "past_day": N_("A version cannot take effect before the version before it (%(day)s)."),
    "no_acknowledgement": N_("This version does not ask for an acknowledgement."),
    "not_current": N_("Only the version in force can be acknowledged."),
}

KIND_LABELS = {
    "regulation": N_("Internal regulations"),
    "guideline": N_("Guidelines"),
    "manual": N_("Manuals"),
    "contacts": N_("Contact lists"),
}

LANGUAGE_NAMES = {"ja": N_("Japanese"), "en": N_("English")}
