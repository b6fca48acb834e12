"""Moodle GIFT import and export for question banks of single, multiple and truefalse questions.

Pure: no Flask, no database. Format: https://docs.moodle.org/en/GIFT_format, read as Moodle's own
importer (question/format/gift/format.php) reads it where the documentation is silent.

Import (parse) understands:
- `//` comment lines (whole lines only, so a URL in a text stays intact); questions separated by blank lines;
  every line is stripped, as Moodle does.
- `::title::`; `$CATEGORY: path` on its own line: the path, split on "/", tags the questions that follow
  (a Moodle context marker such as `$course$` is dropped; `//` is a literal slash in a name, as in Moodle).
- Choice questions: `{=right ~wrong}` -> single; `{~%50%a ~%50%b ~%-100%c}` -> multiple.
- True/false `{T}` `{F}` `{TRUE}` `{FALSE}` (any case), with `{TRUE#shown if answered wrong#shown if right}`.
- `#feedback` after an answer, `####general feedback` (the explanation) before the closing brace.
- `[html]` `[markdown]` `[plain]` `[moodle]` before a text; answers, feedback and general feedback default to
  the format of the question text, as in Moodle. [html] becomes plain text (nh3 strips every tag and drops the
  content of script, style, iframe and the like; entities are unescaped, whitespace collapsed); the other
  formats are kept as written. An unknown `[xyz]` is ordinary text, as in Moodle.
- Escapes `\\~ \\= \\# \\{ \\} \\: \\\\` give the literal character and `\\n` a newline, in every text.

Which answers are right. With at least one `=` answer Moodle makes a one-answer question: `=` (or `~%100%`)
is full credit, and a partially weighted answer (`~%50%`) counts as wrong because this product has no partial
credit; one right answer makes a single question, several a multiple one. Without `=` Moodle makes a
several-answer question: every positive weight is right, zero or negative wrong, and the kind is multiple.

Essay, matching, numerical, short answer, missing word and description items go to GiftResult.skipped;
syntax errors go to GiftResult.errors, and then the caller imports nothing. CODES lists every problem code.

Export writes `[plain]` before each question text (the product's texts are plain text, which also tells
Moodle not to read them as HTML). Weights of a multiple question: each right answer gets 100/r percent and
each wrong one -100/w (r right and w wrong answers), so ticking every box scores 0; five decimals at most,
which gives the values Moodle accepts (33.33333, 16.66667, ...).
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import NoReturn

import nh3

from learning.courses.formats.content import LANGS, SLUG_RE, TRUE_FALSE_TEXT, ChoiceSpec, QuestionSpec

# Skipped: question types this product does not have.
UNSUPPORTED_DESCRIPTION = "unsupported_description"
UNSUPPORTED_ESSAY = "unsupported_essay"
UNSUPPORTED_MATCHING = "unsupported_matching"
UNSUPPORTED_NUMERICAL = "unsupported_numerical"
UNSUPPORTED_SHORT_ANSWER = "unsupported_short_answer"
UNSUPPORTED_MISSING_WORD = "unsupported_missing_word"
# Errors: the file is not valid GIFT for this product.
UNCLOSED_TITLE = "unclosed_title"
EMPTY_TITLE = "empty_title"
UNCLOSED_BRACE = "unclosed_brace"
STRAY_BRACE = "stray_brace"
EXTRA_ANSWER_BLOCK = "extra_answer_block"
EMPTY_QUESTION = "empty_question"
NO_ANSWERS = "no_answers"
TEXT_BEFORE_ANSWERS = "text_before_answers"
EMPTY_ANSWER = "empty_answer"
TOO_FEW_ANSWERS = "too_few_answers"
BAD_WEIGHT = "bad_weight"
NO_CORRECT_ANSWER = "no_correct_answer"

CODES = {
    UNSUPPORTED_DESCRIPTION: "text without an answer block is a description, not a question; not imported",
    UNSUPPORTED_ESSAY: "essay questions ({}) are not supported; not imported",
    UNSUPPORTED_MATCHING: "matching questions (=a -> b) are not supported; not imported",
    UNSUPPORTED_NUMERICAL: "numerical questions ({#...}) are not supported; not imported",
    UNSUPPORTED_SHORT_ANSWER: "short answer questions (only = answers, no ~) are not supported; not imported",
    UNSUPPORTED_MISSING_WORD: "missing word questions (text after the answers) are not supported; not imported",
    UNCLOSED_TITLE: "the title has no closing '::'",
    EMPTY_TITLE: "the title between '::' and '::' is empty",
    UNCLOSED_BRACE: "'{' is not closed by '}' before the next blank line",
    STRAY_BRACE: "'}' without an opening '{' (write \\} for a literal brace)",
    EXTRA_ANSWER_BLOCK: "a question has one answer block only (write \\{ for a literal brace)",
    EMPTY_QUESTION: "the question has no text",
    NO_ANSWERS: "the answer block has no answers; start each with = (right) or ~ (wrong)",
    TEXT_BEFORE_ANSWERS: "text before the first = or ~ in the answer block",
    EMPTY_ANSWER: "an answer has no text",
    TOO_FEW_ANSWERS: "a choice question needs at least two answers",
    BAD_WEIGHT: "an answer weight must be ~%n% with n a number from -100 to 100 (= is always 100%)",
    NO_CORRECT_ANSWER: "no answer is right; mark one with = or give it a positive %weight%",
}

FORMATS = ("html", "markdown", "plain", "moodle")
SNIPPET_LENGTH = 80


@dataclass
class GiftProblem:
    line: int
    code: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"line {self.line}: {CODES[self.code]}"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass
class GiftQuestion:
    line: int
    title: str | None
    kind: str
    prompt: str
    choices: list[tuple[str, bool, str | None]]
    explanation: str
    tags: list[str]
    markup_removed: bool


@dataclass
class GiftResult:
    questions: list[GiftQuestion] = field(default_factory=list)
    skipped: list[GiftProblem] = field(default_factory=list)
    errors: list[GiftProblem] = field(default_factory=list)


# --- escapes -------------------------------------------------------------------------------------------------

# While the structure is parsed, an escaped character is held as a Unicode noncharacter (never valid in
# interchanged text), so "\~" is never taken for an answer marker; it becomes the literal character at the end.
_ESCAPED = {"\\": "\\", "~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n"}
_HOLD = {char: chr(0xFDD0 + i) for i, char in enumerate(_ESCAPED)}
_RELEASE = str.maketrans({held: _ESCAPED[char] for char, held in _HOLD.items()})
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_NONCHARACTER_RE = re.compile("[\ufdd0-\ufdef]")


def _hold(line: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _HOLD[m.group(1)], line)


def _release(text: str) -> str:
    return text.translate(_RELEASE)


def _snippet(text: str) -> str:
    flat = " ".join(_release(text).split())
    return flat if len(flat) <= SNIPPET_LENGTH else flat[: SNIPPET_LENGTH - 1] + "…"


# --- [html] to plain text ------------------------------------------------------------------------------------

_DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "svg",
    "math",
}
# Where HTML starts a new line, a space keeps the words on either side apart once the tags are gone.
_LINE_BREAK_TAG_RE = re.compile(r"<(?:br|/?p|/div|/li|/h[1-6]|/tr|/td|/th)\b[^>]*>", re.IGNORECASE)


def _html_to_text(markup: str) -> tuple[str, bool]:
    """Plain text of an HTML fragment, and whether any markup (tag, comment, dropped content) was removed."""
    spaced = _LINE_BREAK_TAG_RE.sub(lambda m: m.group(0) + " ", markup)
    text = html.unescape(nh3.clean(spaced, tags=set(), clean_content_tags=_DROP_WITH_CONTENT))
    # Text without markup only has its entities unescaped; anything else means something was taken out.
    removed = text.split() != html.unescape(markup).split()
    return " ".join(text.split()), removed


# --- reading blocks ------------------------------------------------------------------------------------------


@dataclass
class _Block:
    """One question's lines (comments left out, escapes held) joined by newlines, with their file lines."""

    text: str
    starts: list[int]
    lines: list[int]

    @classmethod
    def of(cls, numbered: list[tuple[int, str]]) -> _Block:
        starts, offset = [], 0
        for _, line in numbered:
            starts.append(offset)
            offset += len(line) + 1
        return cls("\n".join(line for _, line in numbered), starts, [number for number, _ in numbered])

    def line_at(self, position: int) -> int:
        return self.lines[bisect_right(self.starts, position) - 1]


_SLASH = "\ufdef"  # a literal "/" in a category name while the path is split; noncharacters are not in the input


def _category_tags(path: str) -> list[str]:
    """Tags from a Moodle category path: '$course$/top/a//b' -> ['top', 'a/b']."""
    names = [name.replace(_SLASH, "/").strip() for name in path.strip().replace("//", _SLASH).split("/")]
    if names and re.fullmatch(r"\$\w*\$", names[0]):
        names = names[1:]
    return [name for name in names if name]


def _read_blocks(text: str) -> list[tuple[_Block, list[str]]]:
    """Splits the file into question blocks, each with the tags of the category in force."""
    text = _NONCHARACTER_RE.sub("", text.removeprefix("\ufeff"))
    blocks: list[tuple[_Block, list[str]]] = []
    pending: list[tuple[int, str]] = []
    tags: list[str] = []
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.strip()
        if line.startswith("//"):
            continue
        if not line or line.startswith("$CATEGORY:"):
            if pending:
                blocks.append((_Block.of(pending), tags))
                pending = []
            if line:
                tags = _category_tags(line.removeprefix("$CATEGORY:"))
            continue
        pending.append((number, _hold(line)))
    if pending:
        blocks.append((_Block.of(pending), tags))
    return blocks


# --- reading one question ------------------------------------------------------------------------------------


class _Stop(Exception):
    """Ends the reading of one block with a problem: a skipped question or a syntax error."""

    def __init__(self, problem: GiftProblem, skipped: bool):
        super().__init__(str(problem))
        self.problem = problem
        self.skipped = skipped


_FORMAT_RE = re.compile(r"\[(" + "|".join(FORMATS) + r")\]", re.IGNORECASE)
# Moodle only reads %...% at the start of an answer as a weight; without spaces, so "%d of 100%" stays text.
_WEIGHT_RE = re.compile(r"%([^%\s]*)%")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _weight(value: str) -> float | None:
    if not _NUMBER_RE.fullmatch(value):
        return None
    number = float(value)
    return number if -100 <= number <= 100 else None


class _QuestionReader:
    def __init__(self, block: _Block, tags: list[str]):
        self.block = block
        self.tags = tags
        self.markup_removed = False

    def fail(self, code: str, position: int, snippet: str = "") -> NoReturn:
        raise _Stop(GiftProblem(self.block.line_at(position), code, _snippet(snippet)), skipped=False)

    def skip(self, code: str, snippet: str) -> NoReturn:
        raise _Stop(GiftProblem(self.block.lines[0], code, _snippet(snippet)), skipped=True)

    def read(self) -> GiftQuestion:
        text = self.block.text
        title, start = self.title()
        opening, closing = self.answer_block(start)
        before, after = text[start:opening].strip(), text[closing + 1 :].strip()
        name = title or before or after
        if not before and not after:
            self.fail(EMPTY_QUESTION, 0, text)
        general = text.rfind("####", opening + 1, closing)
        answers = text[opening + 1 : general if general >= 0 else closing]
        kind = self.kind(answers.strip(), opening, name)
        if after:
            self.skip(UNSUPPORTED_MISSING_WORD, name)
        text_format, prompt = self.formatted(before, "moodle")
        if not prompt:
            self.fail(EMPTY_QUESTION, 0, text)
        explanation = self.formatted(text[general + 4 : closing], text_format)[1] if general >= 0 else ""
        if kind == "truefalse":
            choices = self.true_false(answers, text_format)
        else:
            kind, choices = self.choices(answers, opening + 1, text_format)
        return GiftQuestion(
            self.block.lines[0], title, kind, prompt, choices, explanation, list(self.tags), self.markup_removed
        )

    def title(self) -> tuple[str | None, int]:
        """The title, if any, and where the question text starts."""
        text = self.block.text
        if not text.startswith("::"):
            return None, 0
        end = text.find("::", 2)
        if end < 0:
            self.fail(UNCLOSED_TITLE, 0, text)
        title = " ".join(_release(text[2:end]).split())
        if not title:
            self.fail(EMPTY_TITLE, 0, text[: end + 2])
        return title, end + 2

    def answer_block(self, start: int) -> tuple[int, int]:
        """Positions of the '{' and '}' of the one answer block; text alone is a description."""
        text = self.block.text
        opening, closing = text.find("{", start), text.find("}", start)
        if opening < 0 and closing < 0:
            if not text[start:].strip():
                self.fail(EMPTY_QUESTION, start, text)
            self.skip(UNSUPPORTED_DESCRIPTION, text[start:])
        if opening < 0 or 0 <= closing < opening:
            self.fail(STRAY_BRACE, closing, text[closing:])
        if closing < 0 or "{" in text[opening + 1 : closing]:
            self.fail(UNCLOSED_BRACE, opening, text[opening:])
        extra = re.search(r"[{}]", text[closing + 1 :])
        if extra:
            position = closing + 1 + extra.start()
            self.fail(STRAY_BRACE if extra.group() == "}" else EXTRA_ANSWER_BLOCK, position, text[position:])
        return opening, closing

    def kind(self, answers: str, opening: int, name: str) -> str:
        """'truefalse' or 'choice', in Moodle's order of tests; other types are skipped."""
        if not answers:
            self.skip(UNSUPPORTED_ESSAY, name)
        if answers.startswith("#"):
            self.skip(UNSUPPORTED_NUMERICAL, name)
        if answers.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
            return "truefalse"
        if "~" in answers:
            return "choice"
        if "=" in answers and "->" in answers:
            self.skip(UNSUPPORTED_MATCHING, name)
        if "=" in answers:
            self.skip(UNSUPPORTED_SHORT_ANSWER, name)
        self.fail(NO_ANSWERS, opening, answers)

    def formatted(self, raw: str, default_format: str) -> tuple[str, str]:
        """(format, text) of a text with an optional [format] prefix; [html] becomes plain text."""
        raw = raw.strip()
        match = _FORMAT_RE.match(raw)
        text_format = match.group(1).lower() if match else default_format
        text = _release(raw[match.end() :] if match else raw)
        if text_format != "html":
            return text_format, text.strip()
        plain, removed = _html_to_text(text)
        self.markup_removed |= removed
        return text_format, plain

    def true_false(self, answers: str, text_format: str) -> list[tuple[str, bool, str | None]]:
        # Moodle: the first feedback is shown for the wrong answer, the second for the right one.
        head, wrong, right = ([*answers.split("#", 2), "", ""])[:3]
        is_true = _TRUE_FALSE[head.strip().upper()]
        wrong_feedback = self.formatted(wrong, text_format)[1] or None
        right_feedback = self.formatted(right, text_format)[1] or None
        true_text, false_text = TRUE_FALSE_TEXT[0]["en"], TRUE_FALSE_TEXT[1]["en"]
        return [
            (true_text, is_true, right_feedback if is_true else wrong_feedback),
            (false_text, not is_true, wrong_feedback if is_true else right_feedback),
        ]

    def choices(self, answers: str, offset: int, text_format: str) -> tuple[str, list[tuple[str, bool, str | None]]]:
        """Kind and choices of a choice question; offset is where answers starts in the block."""
        markers = [m.start() for m in re.finditer(r"[~=]", answers)]
        if answers[: markers[0]].strip():
            self.fail(TEXT_BEFORE_ANSWERS, offset, answers)
        read = []
        for begin, end in zip(markers, [*markers[1:], len(answers)], strict=True):
            read.append(self.answer(answers[begin], answers[begin + 1 : end], offset + begin, text_format))
        if len(read) < 2:
            self.fail(TOO_FEW_ANSWERS, offset, answers)
        single_select = any(marker == "=" for marker, *_ in read)
        right = [weight >= 100 if single_select else weight > 0 for _, weight, _, _ in read]
        if not any(right):
            self.fail(NO_CORRECT_ANSWER, offset, answers)
        kind = "single" if single_select and sum(right) == 1 else "multiple"
        return kind, [(text, ok, feedback) for (_, _, text, feedback), ok in zip(read, right, strict=True)]

    def answer(self, marker: str, raw: str, position: int, text_format: str) -> tuple[str, float, str, str | None]:
        """(marker, weight, text, feedback) of one '=...' or '~...' answer."""
        raw = raw.strip()
        weight = 100.0 if marker == "=" else 0.0
        match = _WEIGHT_RE.match(raw)
        if match:
            value = _weight(match.group(1))
            if marker == "=" or value is None:
                self.fail(BAD_WEIGHT, position, marker + match.group())
            weight, raw = value, raw[match.end() :]
        text, _, feedback = raw.partition("#")
        text = self.formatted(text, text_format)[1]
        if not text:
            self.fail(EMPTY_ANSWER, position, marker + raw)
        return marker, weight, text, self.formatted(feedback, text_format)[1] or None


def parse(text: str) -> GiftResult:
    """Reads a GIFT file: importable questions, skipped questions and syntax errors, each with its line."""
    result = GiftResult()
    for block, tags in _read_blocks(text):
        try:
            result.questions.append(_QuestionReader(block, tags).read())
        except _Stop as stop:
            (result.skipped if stop.skipped else result.errors).append(stop.problem)
    return result


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
