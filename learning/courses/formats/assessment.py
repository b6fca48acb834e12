"""The assessment rules: a bank that can be passed on cues, or a quiz that cannot cover its sections, is
reported as warnings (CI treats them as errors for the shipped content: `content check --strict`).

Each rule and its threshold is documented in content/README.md; the figures come from cues.py. A finding
names the question or section it concerns by number; the content check turns that into a file and line
(checking.py), the editor into "Question 3" (authoring/pages.py). Pure: no database, no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from learning.courses.formats.cues import (
    BankStats,
    bank_stats,
    shown,
    similarities,
    sound,
)
from learning.courses.formats.spec import LANGS, ModuleSpec, QuestionSpec
from learning.courses.formats.wording import wording_findings
from learning.errors import N_

SECTION_TAG = re.compile(r"^section-(\d+)$")

# Thresholds (content/README.md says why each is what it is).
MIN_SINGLE = 4  # single-choice items before the longest-correct share means anything
LONGEST_SHARE = 0.40  # at most this share of single-choice keys may be strictly the longest option...
LONGEST_MARGIN = 0.15  # ...and never more than chance (the mean of 1/k) plus this margin
LENGTH_RATIO = 2.5  # the longest option of an item at most this many times the shortest
CORRECT_RATIO = 1.5  # the correct option of a single-choice item at most this many times the longest wrong one
MIN_TRUEFALSE = 4
TRUE_LOW, TRUE_HIGH = 0.35, 0.65  # the share of true/false items whose answer is "true"
MIN_MULTIPLE = 3  # multiple-select items before the spread of their correct counts is judged
MODAL_SHARE = 2 / 3  # the most common number of correct options at most this share of them
KEYWORD_GAP = 0.20  # correct options may mention asking/reporting at most 20 points more often than wrong ones
JUDGEMENT_SHARE = 0.60  # at least this share of a bank applies a rule to a situation
DUPLICATE = 0.40  # TF-IDF cosine of two prompts in different modules at or above which they are one scenario


@dataclass
class Finding:
    """One finding: `message` is an N_ template filled from `params`; where it is, by number."""

    severity: str  # "error" or "warning"
    code: str
    message: str
    params: dict[str, object] = field(default_factory=dict)
    question: int | None = None  # 1-based position in the bank
    section: int | None = None  # section position
    part: str | None = None  # the key the finding is about ("tags", "choices", "prompt", "draw")
    language: str | None = None  # "ja" or "en", shown as %(language)s
    other: tuple[str, int] | None = None  # a near-duplicate: (module slug, question position), shown as %(other)s
    module: str | None = None  # the module the finding is in, when it compares several (near-duplicates)


def percent(share: float) -> int:
    return round(share * 100)


def warning(code: str, message: str, **where) -> Finding:
    params = where.pop("params", {})
    return Finding("warning", code, message, params, **where)


def module_findings(spec: ModuleSpec) -> list[Finding]:
    """Every warning about one module on its own: section tags, the bank's cue rules, then the spelling."""
    findings = section_findings(spec) + option_findings(spec) + bank_findings(bank_stats(spec.questions))
    return findings + wording_findings(spec)


def section_findings(spec: ModuleSpec) -> list[Finding]:
    """Each question tests exactly one existing section; every section is tested; the draw can cover them."""
    found = []
    positions = {s.position for s in spec.sections}
    tested: set[int] = set()
    for number, question in enumerate(spec.questions, 1):
        tags = [int(m.group(1)) for t in question.tags if (m := SECTION_TAG.match(t))]
        where = {"question": number, "part": "tags", "params": {"id": question.key}}
        if not tags:
            found.append(warning("no_section_tag", N_("question '%(id)s' has no section-N tag"), **where))
        elif len(tags) > 1:
            where["params"]["tags"] = ", ".join(f"section-{n}" for n in tags)
            found.append(
                warning("section_tags", N_("question '%(id)s' has more than one section tag: %(tags)s"), **where)
            )
        elif tags[0] not in positions:
            where["params"] |= {"n": tags[0], "count": len(positions)}
            message = N_("question '%(id)s' is tagged section-%(n)d, but the module has %(count)d sections")
            found.append(warning("no_such_section", message, **where))
        else:
            tested.add(tags[0])
    if spec.questions:
        for position in sorted(positions - tested):
            message = N_("no question tests section %(n)d")
            found.append(warning("untested_section", message, section=position, params={"n": position}))
    if tested and spec.draw < len(tested):
        message = N_(
            "'draw' is %(draw)d, fewer than the %(count)d sections the questions test: a quiz cannot cover them all"
        )
        found.append(
            warning("draw_below_sections", message, part="draw", params={"draw": spec.draw, "count": len(tested)})
        )
    return found


def option_findings(spec: ModuleSpec) -> list[Finding]:
    """Options of very unequal length, or a correct option that stands out by its length alone."""
    found = []
    for number, question in enumerate(spec.questions, 1):
        if question.kind == "truefalse" or not sound(question):
            continue
        for lang in LANGS:
            lengths = [len(shown(c.text[lang], lang)) for c in question.choices]
            where = {"question": number, "part": "choices", "language": lang}
            if min(lengths) and max(lengths) > LENGTH_RATIO * min(lengths):
                params = {"id": question.key, "long": max(lengths), "short": min(lengths), "limit": LENGTH_RATIO}
                message = N_(
                    "question '%(id)s' (%(language)s): the longest option has %(long)d characters, the shortest "
                    "%(short)d; keep the longest within %(limit).1f times the shortest"
                )
                found.append(warning("unequal_options", message, params=params, **where))
            if question.kind != "single":
                continue
            right = next(n for n, c in zip(lengths, question.choices, strict=True) if c.correct)
            wrong = max(n for n, c in zip(lengths, question.choices, strict=True) if not c.correct)
            if wrong and right > CORRECT_RATIO * wrong:
                params = {"id": question.key, "right": right, "wrong": wrong, "limit": CORRECT_RATIO}
                message = N_(
                    "question '%(id)s' (%(language)s): the correct option has %(right)d characters, the longest "
                    "wrong one %(wrong)d; the correct one stands out beyond %(limit).1f times"
                )
                found.append(warning("correct_stands_out", message, params=params, **where))
    return found


def longest_limit(stats: BankStats) -> float:
    return min(LONGEST_SHARE, stats.chance_longest + LONGEST_MARGIN)


def bank_findings(stats: BankStats) -> list[Finding]:
    """The cue rules over a whole bank, each with its figures."""
    found = []
    if len(stats.single) >= MIN_SINGLE:
        limit = longest_limit(stats)
        for lang in LANGS:
            if stats.share_longest(lang) > limit + 1e-9:
                params = {
                    "count": len(stats.longest[lang]),
                    "total": len(stats.single),
                    "share": percent(stats.share_longest(lang)),
                    "limit": percent(limit),
                    "ids": ", ".join(stats.longest[lang]),
                }
                message = N_(
                    "correct option longest (%(language)s) in %(count)d of %(total)d single-choice items "
                    "(%(share)d%%), threshold %(limit)d%%: %(ids)s"
                )
                found.append(warning("longest_correct", message, language=lang, params=params))
    if stats.truefalse >= MIN_TRUEFALSE and not TRUE_LOW <= stats.share_true() <= TRUE_HIGH:
        params = {
            "true": stats.true_answers,
            "total": stats.truefalse,
            "share": percent(stats.share_true()),
            "low": percent(TRUE_LOW),
            "high": percent(TRUE_HIGH),
        }
        message = N_(
            "%(true)d of %(total)d true/false answers are 'true' (%(share)d%%); keep between %(low)d%% and %(high)d%%"
        )
        found.append(warning("truefalse_balance", message, params=params))
    count, items = stats.modal_count()
    multiple = stats.multiple()
    if (multiple >= 2 and items == multiple) or (multiple >= MIN_MULTIPLE and items > MODAL_SHARE * multiple):
        params = {"items": items, "total": multiple, "count": count, "share": percent(items / multiple)}
        params["limit"] = percent(MODAL_SHARE)
        message = N_(
            "%(items)d of %(total)d multiple-select items have exactly %(count)d correct options (%(share)d%%); "
            "vary the number (the most common at most %(limit)d%%)"
        )
        found.append(warning("multiple_spread", message, params=params))
    for lang in LANGS:
        share = stats.keywords[lang]
        if share.gap > KEYWORD_GAP + 1e-9:
            params = {
                "right": share.correct_with,
                "rights": share.correct,
                "right_share": percent(share.correct_with / share.correct),
                "wrong": share.wrong_with,
                "wrongs": share.wrong,
                "wrong_share": percent(share.wrong_with / share.wrong),
                "limit": percent(KEYWORD_GAP),
            }
            message = N_(
                "%(right)d of %(rights)d correct options (%(right_share)d%%) but %(wrong)d of %(wrongs)d wrong ones "
                "(%(wrong_share)d%%) mention asking, reporting or the desk (%(language)s): a gap above %(limit)d "
                "points is a cue"
            )
            found.append(warning("keyword_cue", message, language=lang, params=params))
    if stats.questions and stats.judgement < JUDGEMENT_SHARE * stats.questions - 1e-9:
        params = {"count": stats.judgement, "total": stats.questions}
        params |= {"share": percent(stats.judgement / stats.questions), "limit": percent(JUDGEMENT_SHARE)}
        message = N_(
            "%(count)d of %(total)d questions are tagged judgement (%(share)d%%); at least %(limit)d%% should "
            "apply a rule to a situation"
        )
        found.append(warning("few_judgement", message, params=params))
    if stats.questions and not stats.allowed:
        message = N_(
            "no question is tagged allowed: the bank should include items whose right answer is 'that is allowed'"
        )
        found.append(warning("no_allowed", message))
    if stats.judgement and not stats.judgement_not_asking:  # with none at all, few_judgement says it
        message = N_(
            "in every judgement question the right answer is to ask the desk or to report: include situations "
            "the learner can settle by applying the rule"
        )
        found.append(warning("always_ask", message))
    return found


def duplicate_findings(banks: list[tuple[str, list[QuestionSpec]]], only: str | None = None) -> list[Finding]:
    """Near-duplicate scenarios across modules (the ja prompts): one finding per pair, on the first module's
    question (on the module `only`, when given: a draft compared with the published ones)."""
    entries = [(slug, number, q) for slug, questions in banks for number, q in enumerate(questions, 1)]
    scores = similarities([q.prompt["ja"] for _, _, q in entries])
    found = []
    for index, (slug, number, question) in enumerate(entries):
        if only is not None and slug != only:
            continue
        for other, score in sorted(scores[index].items()):
            other_slug, other_number, _ = entries[other]
            if other_slug == slug or score < DUPLICATE or (only is None and other < index):
                continue
            params = {"id": question.key, "score": score, "limit": DUPLICATE, "other_id": entries[other][2].key}
            message = N_(
                "question '%(id)s' repeats the scenario of %(other)s (similarity %(score).2f, threshold %(limit).2f)"
            )
            found.append(
                warning(
                    "near_duplicate",
                    message,
                    question=number,
                    part="prompt",
                    language="ja",
                    other=(other_slug, other_number),
                    module=slug,
                    params=params,
                )
            )
    return found
