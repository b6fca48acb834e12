"""Organisation terms: the names of the installing group's companies, desk, rules and offices in content.

Content is written once for any utility group: a module says `{{grid_company}}` where it means the grid
company of the learner's own group, and each installation sets the words once, in both languages. The
defaults are the demo organisation's (デモ電力 / デモ電力送配電), so shipped content reads true out of the
box and never claims a fact about a real company.

Pure: no database, no Flask. The stored values live in `term_settings` (issue 15, item 1); this module is
the vocabulary and the substitution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from learning.errors import N_
from learning.notify.texts import t

# {{name}}: lowercase letters and underscores, spaces inside the braces allowed. Nothing else in content
# uses double braces (Markdown does not), so any {{…}} that is not a known term is an author's mistake.
TERM_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
ANY_BRACES_RE = re.compile(r"\{\{.*?\}\}")


@dataclass(frozen=True)
class Term:
    name: str
    label: str  # what the term is, for the admin page (an N_ template)
    default: dict[str, str]  # the demo organisation's words
    sentence: bool = False  # a whole sentence (a policy), not a name: edited in a text area


TERMS: tuple[Term, ...] = (
    Term("retail_company", N_("The retail company"), {"ja": "デモ電力", "en": "Demo Electric"}),
    Term(
        "grid_company",
        N_("The grid company (general transmission and distribution operator)"),
        {"ja": "デモ電力送配電", "en": "Demo Electric Power Grid"},
    ),
    Term("group", N_("The group as a whole"), {"ja": "デモ電力グループ", "en": "the Demo Electric group"}),
    Term("desk", N_("The conduct-rule desk"), {"ja": "行為規制相談窓口", "en": "conduct-rule desk"}),
    Term("compliance_office", N_("The compliance office"), {"ja": "コンプライアンス推進室", "en": "compliance office"}),
    Term(
        "regulation",
        N_("The internal regulation on the conduct rules"),
        {"ja": "行為規制遵守規程", "en": "Conduct Rules Compliance Regulation"},
    ),
    Term(
        "whistleblowing_line",
        N_("The whistleblowing line"),
        {"ja": "内部通報窓口", "en": "whistleblowing line"},
    ),
    Term(
        "asking_policy",
        N_("The group's policy on asking (one or two sentences)"),
        {
            "ja": "相談したことを理由に、評価や処遇で不利益な扱いを受けることはありません。"
            "相談の内容は、回答と再発防止に必要な範囲でのみ共有されます。",
            "en": "Nobody is treated less favourably in their appraisal or conditions for having asked. "
            "What you ask is shared only as far as is needed to answer it and to prevent a recurrence.",
        },
        sentence=True,
    ),
    # How to reach each contact and when, shown on every reader's front page (portal/_contacts.html). The
    # defaults are the demo organisation's (example.invalid addresses, an extension that rings nowhere).
    Term(
        "desk_contact",
        N_("How to reach the conduct-rule desk, and when"),
        {
            "ja": "内線 2100・desk@demo-denryoku.example.invalid（平日 9:00～17:30）。"
            "ポータルからの相談は24時間受け付けます。",
            "en": "Extension 2100, desk@demo-denryoku.example.invalid (weekdays 9:00–17:30). "
            "Questions through the portal are taken at any time.",
        },
        sentence=True,
    ),
    Term(
        "compliance_contact",
        N_("How to reach the compliance office, and when"),
        {
            "ja": "内線 2000・compliance@demo-denryoku.example.invalid（平日 9:00～17:30）",
            "en": "Extension 2000, compliance@demo-denryoku.example.invalid (weekdays 9:00–17:30)",
        },
        sentence=True,
    ),
    Term(
        "whistleblowing_contact",
        N_("How to reach the whistleblowing line, and when (and whether anonymously)"),
        {
            "ja": "社外の受付窓口（顧問法律事務所）whistle@demo-law.example.invalid（24時間受付）。"
            "匿名でも受け付けます。",
            "en": "The outside reception (the group's law firm), whistle@demo-law.example.invalid, at any time. "
            "Reports may be anonymous.",
        },
        sentence=True,
    ),
)
TERM_NAMES = frozenset(t.name for t in TERMS)
DEFAULTS: dict[str, dict[str, str]] = {t.name: dict(t.default) for t in TERMS}


def unknown_terms(text: str) -> list[str]:
    """Every {{…}} in `text` that is not a known term, as written (for the content check)."""
    unknown = []
    for match in ANY_BRACES_RE.finditer(text):
        name = TERM_RE.fullmatch(match.group(0))
        if name is None or name.group(1) not in TERM_NAMES:
            unknown.append(match.group(0))
    return unknown


def substitute(text: str, lang: str, values: dict[str, dict[str, str]] | None = None) -> str:
    """`text` with each known term replaced by the installation's words in `lang` (the defaults where unset).

    An unknown term is left as written: the content check refuses it before import, and a draft in the
    editor shows it as the author typed it, where its finding names it."""
    if "{{" not in text:
        return text

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in TERM_NAMES:
            return match.group(0)
        chosen = (values or {}).get(name, {}).get(lang)
        return chosen or DEFAULTS[name][lang]

    return TERM_RE.sub(replace, text)


def substitute_each(texts: dict[str, str], values: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """{lang: text} with each language's text substituted in its own language (a title in an email)."""
    return {lang: substitute(text, lang, values) if text else text for lang, text in texts.items()}


def asking_line(locale: str, values: dict[str, dict[str, str]] | None) -> str:
    """The closing line of a reminder email: whom to ask, by the installation's name for the desk, then its
    policy on asking in its own words (a policy the installing company sets, never a claim of the portal's)."""
    desk = substitute("{{desk}}", locale, values)
    return (
        t(locale, "If anything is unclear, ask the %(desk)s.", desk=desk)
        + " "
        + substitute("{{asking_policy}}", locale, values)
    )
