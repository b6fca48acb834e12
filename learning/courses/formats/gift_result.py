"""What reading a GIFT file gives: the problem codes and their texts, the questions read, the result.

Pure: no Flask, no database. Skipped questions (types this product does not have) and syntax errors are
GiftProblems with one of the codes below; CODES lists every one of them with its English text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
CONTROL_CHARACTER = "control_character"

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
    CONTROL_CHARACTER: "the line holds NUL or another control character, which text may not hold",
}


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
