"""Email wording in the recipient's language, from the same catalogues as the web pages (no Flask).

Mark strings with t(locale, "…", name=value); pybabel extracts them (keyword t:2).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.support import Translations

from learning.errors import N_

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LOCALES = ("ja", "en")


@cache
def _catalogue(locale: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [locale])


def t(locale: str, message: str, **values) -> str:
    text = _catalogue(locale if locale in LOCALES else "ja").gettext(message)
    return text % values if values else text


def day(locale: str, value: date) -> str:
    return format_date(value, "long" if locale == "ja" else "medium", locale=locale if locale in LOCALES else "ja")


# The kinds and statuses of outbox messages as the admin reads them (translated on the page).
KIND_LABELS = {
    "invitation": N_("Invitation to a new account"),
    "password_reset": N_("Password reset link"),
    "reminder": N_("Training reminder"),
    "manager_digest": N_("Department head's digest"),
    "desk_answer": N_("Desk answer notice"),
    "review_request": N_("Draft awaiting review"),
    "review_decision": N_("Draft approved or sent back"),
    "staff_reminder": N_("Department head's reminder"),
    "notice_reminder": N_("Reminder to confirm a notice has been read"),
    "access_review": N_("Access review request"),
    "access_review_escalation": N_("Access review escalation"),
    "inspection_reminder": N_("Self-inspection reminder"),
    "inspection_finding_overdue": N_("Overdue self-inspection finding"),
    "contract_ending": N_("Contractor contract ending in 30 days"),
}
STATUS_LABELS = {
    "queued": N_("Waiting to be sent"),
    "sending": N_("Being sent"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
}
