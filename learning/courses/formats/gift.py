"""Moodle GIFT and the product's questions: imported questions as QuestionSpecs, and a bank exported as GIFT.

Pure: no Flask, no database. Reading GIFT is gift_parse.py; to_specs turns what it read into the product's
questions, texts in one language.

Export writes `[plain]` before each question text (the product's texts are plain text, which also tells
Moodle not to read them as HTML). Weights of a multiple question: each right answer gets 100/r percent and
each wrong one -100/w (r right and w wrong answers), so ticking every box scores 0; five decimals at most,
which gives the values Moodle accepts (33.33333, 16.66667, ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from learning.courses.formats.gift_result import GiftQuestion
from learning.courses.formats.spec import LANGS, SLUG_RE, TRUE_FALSE_TEXT, ChoiceSpec, QuestionSpec

# --- to the product's questions ------------------------------------------------------------------------------

MAX_KEY_LENGTH = 60


def _slug(title: str | None) -> str:
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:MAX_KEY_LENGTH].rstrip("-")


def _unique_key(title: str | None, used: set[str], numbered: list[int]) -> str:
    """The title's slug (made unique with -2, -3…) or else the next free gift-N."""
    base = _slug(title)
    if base and SLUG_RE.match(base):
        key, n = base, 1
        while key in used:
            n += 1
            suffix = f"-{n}"
            key = base[: MAX_KEY_LENGTH - len(suffix)].rstrip("-") + suffix
        return key
    while True:
        numbered[0] += 1
        key = f"gift-{numbered[0]}"
        if key not in used:
            return key


def _in_language(text: str, language: str) -> dict[str, str]:
    return {lang: text if lang == language else "" for lang in LANGS}


def _check_language(language: str) -> None:
    if language not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {language!r}")


def to_specs(
    questions: list[GiftQuestion], language: str, existing_keys: Collection[str] = frozenset()
) -> list[QuestionSpec]:
    """The questions as the product's specs, texts in `language` and "" in the other language."""
    _check_language(language)
    used, numbered, specs = set(existing_keys), [0], []
    for question in questions:
        key = _unique_key(question.title, used, numbered)
        used.add(key)
        choices = []
        for index, (text, correct, feedback) in enumerate(question.choices):
            # True/false choices are the product's fixed texts, in both languages.
            texts = dict(TRUE_FALSE_TEXT[index]) if question.kind == "truefalse" else _in_language(text, language)
            choices.append(ChoiceSpec(texts, correct, _in_language(feedback, language) if feedback else None))
        specs.append(
            QuestionSpec(
                key,
                question.kind,
                _in_language(question.prompt, language),
                _in_language(question.explanation, language),
                choices,
            )
        )
    return specs


# --- export --------------------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({char: "\\" + char for char in "\\~=#{}:"} | {"\n": "\\n"})


def _escape(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_ESCAPES)


def _gift(text: str) -> str:
    """A text escaped for GIFT; one that starts like a [format] or a %weight% is marked [plain] explicitly."""
    return ("[plain]" if text.startswith(("[", "%")) else "") + _escape(text)


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _feedback(feedback: dict[str, str] | None, language: str) -> str:
    text = (feedback or {}).get(language, "")
    return f" #{_gift(text)}" if text else ""


def _choice_lines(question: QuestionSpec, language: str) -> list[str]:
    right = sum(choice.correct for choice in question.choices)
    wrong = len(question.choices) - right
    lines = []
    for choice in question.choices:
        if question.kind == "single":
            marker = "=" if choice.correct else "~"
        elif choice.correct:
            marker = f"~%{_percent(100 / right)}%"
        else:
            marker = f"~%{_percent(-100 / wrong)}%"
        lines.append(f"\t{marker}{_gift(choice.text.get(language, ''))}{_feedback(choice.feedback, language)}")
    return lines


def _true_false_block(question: QuestionSpec, language: str, explanation: str) -> str:
    true_choice, false_choice = question.choices
    right, wrong = (true_choice, false_choice) if true_choice.correct else (false_choice, true_choice)
    answer = "TRUE" if true_choice.correct else "FALSE"
    wrong_text = _gift((wrong.feedback or {}).get(language, ""))
    right_text = _gift((right.feedback or {}).get(language, ""))
    # Moodle order: feedback for the wrong answer, then for the right one; an empty one only as a placeholder.
    feedback = f"#{wrong_text}#{right_text}" if right_text else (f"#{wrong_text}" if wrong_text else "")
    return "{" + answer + feedback + explanation + "}"


def _question(question: QuestionSpec, language: str) -> str:
    explanation = question.explanation.get(language, "")
    general = f"####{_gift(explanation)}" if explanation else ""
    head = f"::{_escape(question.key)}:: [plain]{_escape(question.prompt.get(language, ''))} "
    if question.kind == "truefalse":
        return head + _true_false_block(question, language, general)
    lines = _choice_lines(question, language)
    if general:
        lines.append("\t" + general)
    return head + "{\n" + "\n".join(lines) + "\n}"


def export(questions: list[QuestionSpec], language: str, category: str | None = None) -> str:
    """GIFT text of the questions in `language`, each titled with its key; a $CATEGORY: line first if given."""
    _check_language(language)
    parts = [f"$CATEGORY: {' '.join(category.split())}"] if category else []
    parts.extend(_question(question, language) for question in questions)
    return "\n\n".join(parts) + "\n"
