"""Shuffling, answer checking and grading: pure functions, tested without an app (drawing: drawing.py)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def shuffled(choice_ids: Sequence[int], rng: random.Random) -> list[int]:
    order = list(choice_ids)
    rng.shuffle(order)
    return order


class TamperedAnswers(ValueError):
    """The submission names a question or choice that was not offered in this attempt."""


@dataclass(frozen=True)
class AnswerCheck:
    answers: dict[int, set[int]]  # attempt question id -> chosen choice ids
    unanswered: list[int]  # positions (1-based) of questions left without an answer


def parse_answers(
    form: Mapping[str, Sequence[str]], offered: Mapping[int, tuple[str, Sequence[int]]], allowed_extra: set[str]
) -> AnswerCheck:
    """Reads `q<attempt question id>` fields against what was offered.

    `offered` maps attempt question id -> (kind, choice ids shown). Anything unexpected (an unknown
    field, another attempt's question, another question's choice, two answers to a single-choice
    question) raises TamperedAnswers: a browser never sends those.
    """
    answers: dict[int, set[int]] = {}
    for field, values in form.items():
        if field in allowed_extra:
            continue
        if not field.startswith("q") or not field[1:].isdigit() or int(field[1:]) not in offered:
            raise TamperedAnswers(field)
        aq_id = int(field[1:])
        kind, choice_ids = offered[aq_id]
        chosen = set()
        for value in values:
            if not value.isdigit() or int(value) not in choice_ids:
                raise TamperedAnswers(field)
            chosen.add(int(value))
        if kind != "multiple" and len(chosen) > 1:
            raise TamperedAnswers(field)
        if chosen:
            answers[aq_id] = chosen
    unanswered = [pos for pos, aq_id in enumerate(offered, 1) if aq_id not in answers]
    return AnswerCheck(answers, unanswered)


@dataclass(frozen=True)
class Grade:
    correct: dict[int, bool]  # attempt question id -> right or wrong
    correct_count: int
    question_count: int
    score: int  # percent, rounded down
    passed: bool


def grade(answers: Mapping[int, set[int]], keys: Mapping[int, set[int]], pass_mark: int) -> Grade:
    """A question is right when exactly the correct choices were picked; pass when score >= pass mark."""
    correct = {aq_id: answers.get(aq_id, set()) == key for aq_id, key in keys.items()}
    count = sum(correct.values())
    total = len(keys)
    score = (count * 100) // total if total else 0
    return Grade(correct, count, total, score, score >= pass_mark)
