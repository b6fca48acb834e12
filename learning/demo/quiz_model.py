"""How generated people do in the shipped quizzes: question banks with a difficulty per question, and a quiz model.

Every module has one question too easy and one too hard; in two modules a question misleads the strongest
learners (negative discrimination), so that item analysis has something to find.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning.courses.models import Choice, Edition, Question, Section


@dataclass(frozen=True)
class BankQuestion:
    id: int
    kind: str
    correct: tuple[int, ...]
    wrong: tuple[int, ...]
    difficulty: float
    misleading: bool  # the strongest learners get it wrong more often


@dataclass(frozen=True)
class Bank:
    edition_id: int
    pass_mark: int
    draw: int
    sections: int
    questions: tuple[BankQuestion, ...]


def banks(session: Session, editions: list[Edition]) -> list[Bank]:
    """The shipped question banks, with a difficulty for each question: fixed per edition, so that the
    same questions are weak on every machine."""
    result = []
    for index, edition in enumerate(editions):
        rng = random.Random(f"bank-{index}")
        questions = session.scalars(
            select(Question).where(Question.edition_id == edition.id).order_by(Question.position)
        )
        picked = []
        for question in questions:
            choices = session.execute(
                select(Choice.id, Choice.correct).where(Choice.question_id == question.id).order_by(Choice.position)
            ).all()
            picked.append(
                [
                    question.id,
                    question.kind,
                    tuple(c for c, ok in choices if ok),
                    tuple(c for c, ok in choices if not ok),
                ]
            )
        difficulty = [rng.uniform(-0.6, 0.9) for _ in picked]
        special = rng.sample(range(len(picked)), min(3, len(picked)))
        if len(special) == 3:
            difficulty[special[0]] = -3.0  # too easy
            difficulty[special[1]] = 3.4  # too hard
        sections = session.scalar(select(func.count()).select_from(Section).where(Section.edition_id == edition.id))
        result.append(
            Bank(
                edition.id,
                edition.pass_mark,
                min(edition.draw, len(picked)),
                sections or 1,
                tuple(
                    BankQuestion(
                        q[0], q[1], q[2], q[3], difficulty[i], len(special) == 3 and i == special[2] and index in (1, 3)
                    )
                    for i, q in enumerate(picked)
                ),
            )
        )
    return result


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


class QuizModel:
    """How a person of a given ability does in a module's quiz, question by question or (fast) as a count
    of correct answers drawn from a binomial table per ability step."""

    BASE = 1.7  # an average person answers an average question right about four times in five

    def __init__(self, bank: Bank):
        self.bank = bank
        self.tables: dict[int, list[float]] = {}

    def p_correct(self, question: BankQuestion, ability: float) -> float:
        if question.misleading:
            return sigmoid(0.8 - 2.5 * ability)
        return sigmoid(self.BASE + ability - question.difficulty)

    def count_correct(self, rng: random.Random, ability: float) -> int:
        step = round(ability * 10)
        table = self.tables.get(step)
        if table is None:
            p = sum(self.p_correct(q, step / 10) for q in self.bank.questions) / len(self.bank.questions)
            n = self.bank.draw
            cumulative, total = [], 0.0
            for k in range(n + 1):
                total += math.comb(n, k) * p**k * (1 - p) ** (n - k)
                cumulative.append(total)
            table = self.tables[step] = cumulative
        return min(bisect(table, rng.random()), self.bank.draw)

    def answer(self, rng: random.Random, question: BankQuestion, ability: float) -> tuple[bool, tuple[int, ...]]:
        """(right, the choices picked). A wrong single answer favours the first distractor (the tempting one)."""
        if rng.random() < self.p_correct(question, ability) or not question.wrong:
            return True, question.correct
        if question.kind == "multiple":
            if len(question.correct) > 1 and rng.random() < 0.5:
                return False, question.correct[:-1]
            return False, (*question.correct, rng.choice(question.wrong))
        weights = [3] + [1] * (len(question.wrong) - 1)
        return False, (rng.choices(question.wrong, weights)[0],)
