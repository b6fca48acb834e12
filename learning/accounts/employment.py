"""The kinds of employment of the group's own staff (issue 19 item 3), as the roster's optional
`employment_type` column gives them. Pure: no database, no Flask.

A regular employee, a fixed-term contract employee, part-time, a temporary (agency) worker, a secondee from
another company, an officer. A CHECK in the database holds the same list (migration 0042); the labels people
read are in accounts/messages.py (LABELS["employment_type"]); pages and exports never show the code.
"""

from __future__ import annotations

EMPLOYMENT_TYPES = ("regular", "contract", "part_time", "temporary", "secondee", "officer")

# The Japanese words HR systems export, taken as well as the codes.
EMPLOYMENT_WORDS = {
    "正社員": "regular",
    "契約社員": "contract",
    "パート": "part_time",
    "アルバイト": "part_time",
    "パートタイム": "part_time",
    "派遣": "temporary",
    "派遣社員": "temporary",
    "出向": "secondee",
    "出向者": "secondee",
    "役員": "officer",
}


def employment_code(value: str) -> str | None:
    """A kind of employment as the roster writes it (a code in any case, or the Japanese word) as its code;
    None for an empty or unknown value."""
    value = (value or "").strip()
    if value.lower() in EMPLOYMENT_TYPES:
        return value.lower()
    return EMPLOYMENT_WORDS.get(value)
