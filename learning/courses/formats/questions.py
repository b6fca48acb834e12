"""Reads questions.yaml, the question bank of a module folder, into QuestionSpecs.

Pure: no database, no Flask. The format is documented in content/README.md.
"""

from __future__ import annotations

from pathlib import Path

from learning.courses.formats.reader import LineDict, Reader
from learning.courses.formats.spec import KINDS, SLUG_RE, TRUE_FALSE_TEXT, ChoiceSpec, QuestionSpec
from learning.errors import N_

QUESTION_KEYS = {"id", "kind", "prompt", "explanation", "choices", "answer", "feedback", "tags"}
CHOICE_KEYS = {"text", "correct", "feedback"}


def read_questions(reader: Reader) -> list[QuestionSpec] | None:
    path = reader.folder / "questions.yaml"
    data = reader.load_yaml(path)
    if data is None:
        return None
    if not isinstance(data, list) or not data:
        reader.problem(path, 1, N_("questions.yaml must be a list of questions"))
        return None
    questions, keys = [], {}
    for item in data:
        if not isinstance(item, LineDict):
            reader.problem(path, 1, N_("each question must be a mapping (id, kind, prompt, …)"))
            continue
        question = _read_question(reader, path, item)
        if question is None:
            continue
        if question.key in keys:
            reader.problem(
                path,
                item.line_of("id"),
                N_("id '%(id)s' is also used on line %(first)d"),
                id=question.key,
                first=keys[question.key],
            )
        keys[question.key] = item.line_of("id")
        questions.append(question)
    return questions


def _read_question(reader: Reader, path: Path, item: LineDict) -> QuestionSpec | None:
    before = len(reader.problems)
    reader.unknown_keys(path, item, QUESTION_KEYS, "a question")
    key = item.get("id")
    if not isinstance(key, str) or not SLUG_RE.match(key) or len(key) > 60:
        reader.problem(path, item.line_of("id"), N_("'id' must be lowercase letters, digits and hyphens (up to 60)"))
    kind = item.get("kind")
    if kind not in KINDS:
        reader.problem(path, item.line_of("kind"), N_("'kind' must be one of %(kinds)s"), kinds=", ".join(KINDS))
    prompt = reader.bilingual(path, item, "prompt")
    explanation = reader.bilingual(path, item, "explanation")
    if kind == "truefalse":
        choices = _true_false_choices(reader, path, item)
    elif kind in KINDS:
        choices = _choices(reader, path, item, kind)
    else:
        choices = []
    tags = reader.tags(path, item)
    if len(reader.problems) > before:
        return None
    return QuestionSpec(key, kind, prompt, explanation, choices, tags)


def _true_false_choices(reader: Reader, path: Path, item: LineDict) -> list[ChoiceSpec]:
    if "choices" in item:
        reader.problem(path, item.line_of("choices"), N_("a truefalse question has 'answer', not 'choices'"))
    answer = item.get("answer")
    if not isinstance(answer, bool):
        reader.problem(path, item.line_of("answer"), N_("'answer' must be true or false"))
        return []
    feedback = reader.bilingual(path, item, "feedback")
    true_text, false_text = TRUE_FALSE_TEXT
    return [
        ChoiceSpec(dict(true_text), answer, None if answer else feedback),
        ChoiceSpec(dict(false_text), not answer, feedback if answer else None),
    ]


def _choices(reader: Reader, path: Path, item: LineDict, kind: str) -> list[ChoiceSpec]:
    for key in ("answer", "feedback"):
        if key in item:
            reader.problem(
                path, item.line_of(key), N_("'%(key)s' belongs to truefalse questions; use 'choices'"), key=key
            )
    raw = item.get("choices")
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        reader.problem(path, item.line_of("choices"), N_("'choices' must list 2 to 6 choices"))
        return []
    choices = []
    for entry in raw:
        if not isinstance(entry, LineDict):
            reader.problem(path, item.line_of("choices"), N_("each choice must be a mapping (text, correct, feedback)"))
            continue
        reader.unknown_keys(path, entry, CHOICE_KEYS, "a choice")
        correct = entry.get("correct")
        if not isinstance(correct, bool):
            reader.problem(path, entry.line_of("correct"), N_("'correct' must be true or false"))
            continue
        text = reader.bilingual(path, entry, "text")
        feedback = reader.bilingual(path, entry, "feedback", required=not correct)
        if text:
            choices.append(ChoiceSpec(text, correct, feedback))
    right = sum(c.correct for c in choices)
    if kind == "single" and right != 1:
        reader.problem(
            path,
            item.line_of("choices"),
            N_("a single-choice question needs exactly one correct choice, not %(count)d"),
            count=right,
        )
    if kind == "multiple" and right < 1:
        reader.problem(
            path, item.line_of("choices"), N_("a multiple-choice question needs at least one correct choice")
        )
    return choices
