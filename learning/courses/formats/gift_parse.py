"""Moodle GIFT import: a GIFT file read into questions, skipped questions and syntax errors (parse).

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
syntax errors go to GiftResult.errors, and then the caller imports nothing. A line (but a comment) holding NUL
or another control character is an error, detail its code point ("U+0000"). gift_result.CODES lists every
problem code; gift.to_specs makes the questions the product's.
"""

from __future__ import annotations

import re
from typing import NoReturn

from learning.courses.formats.gift_blocks import (
    Block,
    control_characters,
    html_to_text,
    read_blocks,
    release,
    snippet_of,
)
from learning.courses.formats.gift_result import (
    BAD_WEIGHT,
    CONTROL_CHARACTER,
    EMPTY_ANSWER,
    EMPTY_QUESTION,
    EMPTY_TITLE,
    EXTRA_ANSWER_BLOCK,
    NO_ANSWERS,
    NO_CORRECT_ANSWER,
    STRAY_BRACE,
    TEXT_BEFORE_ANSWERS,
    TOO_FEW_ANSWERS,
    UNCLOSED_BRACE,
    UNCLOSED_TITLE,
    UNSUPPORTED_DESCRIPTION,
    UNSUPPORTED_ESSAY,
    UNSUPPORTED_MATCHING,
    UNSUPPORTED_MISSING_WORD,
    UNSUPPORTED_NUMERICAL,
    UNSUPPORTED_SHORT_ANSWER,
    GiftProblem,
    GiftQuestion,
    GiftResult,
)
from learning.courses.formats.spec import TRUE_FALSE_TEXT

FORMATS = ("html", "markdown", "plain", "moodle")

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
    def __init__(self, block: Block, tags: list[str]):
        self.block = block
        self.tags = tags
        self.markup_removed = False

    def fail(self, code: str, position: int, snippet: str = "") -> NoReturn:
        raise _Stop(GiftProblem(self.block.line_at(position), code, snippet_of(snippet)), skipped=False)

    def skip(self, code: str, snippet: str) -> NoReturn:
        raise _Stop(GiftProblem(self.block.lines[0], code, snippet_of(snippet)), skipped=True)

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
        title = " ".join(release(text[2:end]).split())
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
        text = release(raw[match.end() :] if match else raw)
        if text_format != "html":
            return text_format, text.strip()
        plain, removed = html_to_text(text)
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
    control = dict(control_characters(text))
    for block, tags in read_blocks(text):
        if held := [line for line in block.lines if line in control]:
            # NUL or another control character in the question: an error on each such line, the question not read
            result.errors += [GiftProblem(line, CONTROL_CHARACTER, f"U+{ord(control[line]):04X}") for line in held]
            continue
        try:
            result.questions.append(_QuestionReader(block, tags).read())
        except _Stop as stop:
            (result.skipped if stop.skipped else result.errors).append(stop.problem)
    reported = {problem.line for problem in result.errors}
    # Control characters outside any question (a category line, whose tags the next questions take, or a line
    # blank but for them) are errors as well.
    result.errors += [
        GiftProblem(line, CONTROL_CHARACTER, f"U+{ord(char):04X}")
        for line, char in control.items()
        if line not in reported
    ]
    result.errors.sort(key=lambda problem: problem.line)
    return result
