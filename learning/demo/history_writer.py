"""One period of demo history for a chunk of people: their assignments and attempts, generated and bulk-written.

Completions bunch before the due date, some are late and a few never come; retakes follow failures. In
the latest periods attempts carry their questions and answers (for item analysis), older ones their
scores only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from learning.campaigns.models import Campaign
from learning.campaigns.periods import TOKYO, end_of_day, tokyo_date
from learning.demo.bulk import BulkWriter
from learning.demo.quiz_model import Bank, QuizModel, sigmoid
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptQuestion
from learning.training.models import Assignment, Exemption

EXEMPT_REASON = "長期休業のため（デモ） / On long leave (demo)"


@dataclass
class Person:
    id: int
    department_id: int
    ability: float
    diligence: float
    joined: int  # the first period index (0 = oldest) the person was employed in


@dataclass(frozen=True)
class Period:
    index: int
    campaign: Campaign
    opens: datetime
    due: datetime
    now: datetime | None  # set for the running period: nothing happens after this moment
    detail: bool


class HistoryWriter:
    """Generates one period's assignments and attempts for a chunk of people and writes them."""

    def __init__(self, session: Session, banks_: list[Bank], exempted_by: int | None, seed: int):
        self.rng = random.Random(seed)
        self.models = [QuizModel(b) for b in banks_]
        self.exempted_by = exempted_by
        self.writer = BulkWriter(
            session,
            [t.__table__ for t in (Assignment, Attempt, AttemptQuestion, AttemptAnswer, Exemption)],
        )
        self.counts = {"assignments": 0, "attempts": 0, "answers": 0}

    def write(self, period: Period, people: list[Person]) -> None:
        assignments, attempts, questions, answers, exemptions = [], [], [], [], []
        next_id = self.writer.next_id
        for person in people:
            for model in self.models:
                assignment_id = next_id(Assignment.__table__)
                row, taken = self._assignment(period, person, model)
                finished = row[COMPLETED_AT]
                assignments.append((assignment_id, *row, tokyo_date(finished) if finished else None))
                if row[STATUS_AT] == "exempt":  # the register's record of it, granted as the period opened
                    exemptions.append(
                        (next_id(Exemption.__table__), assignment_id, person.id, row[REASON_AT], self.exempted_by,
                         period.opens, row[UNTIL_AT])
                    )  # fmt: skip
                for number, (started, submitted, drawn, correct, score, passed) in enumerate(taken, 1):
                    attempt_id = next_id(Attempt.__table__)
                    attempts.append(
                        (attempt_id, assignment_id, person.id, model.bank.edition_id, number, started, submitted,
                         model.bank.draw, correct, score, passed)
                    )  # fmt: skip
                    for position, (question, right, picked) in enumerate(drawn, 1):
                        aq_id = next_id(AttemptQuestion.__table__)
                        order = [*question.correct, *question.wrong]
                        self.rng.shuffle(order)
                        questions.append((aq_id, attempt_id, question.id, position, ",".join(map(str, order)), right))
                        for choice in picked:
                            answers.append((next_id(AttemptAnswer.__table__), aq_id, choice))
        self.writer.write(Assignment.__table__, ASSIGNMENT_COLUMNS, assignments)
        self.writer.write(Attempt.__table__, ATTEMPT_COLUMNS, attempts)
        self.writer.write(AttemptQuestion.__table__, ATTEMPT_QUESTION_COLUMNS, questions)
        self.writer.write(AttemptAnswer.__table__, ("id", "attempt_question_id", "choice_id"), answers)
        self.writer.write(Exemption.__table__, EXEMPTION_COLUMNS, exemptions)
        self.counts["assignments"] += len(assignments)
        self.counts["attempts"] += len(attempts)
        self.counts["answers"] += len(questions)

    def finish(self) -> None:
        self.writer.finish()

    def _assignment(self, period: Period, person: Person, model: QuizModel):
        """The assignment row (without its id) and its attempts, as this person would have left them."""
        rng, bank = self.rng, model.bank
        opens, due = period.opens, period.due
        base = (person.id, bank.edition_id, period.campaign.id, "campaign")
        fresh = ("assigned", opens, due, 0, 0, None, None, None, None, None, None, None)
        if rng.random() < 0.01:
            return (*base, "exempt", opens, due, 0, 0, None, None, None, None, EXEMPT_REASON,
                    end_of_day(period.campaign.period_end - timedelta(days=1)), self.exempted_by), []  # fmt: skip
        year = period.index * 0.12  # each year a little better than the last
        finish = self._finish_time(period, person, year)
        if finish is None:
            if rng.random() < 0.45:
                return (*base, *fresh), []
            done = rng.randrange(1, bank.sections + 1)
            tried = opens + timedelta(days=rng.randrange(1, 10))
            if period.now is not None:
                tried = min(tried, period.now - timedelta(hours=1))
            failed = self._attempts(model, person, year, tried, period.detail, fail_only=True)
            if failed:  # the quiz opens only once every section is read (training.reading.readiness)
                done = bank.sections
            # As a real quiz does (quizzes.services): every submitted attempt raises the best score.
            best = max((t[4] for t in failed), default=None)
            return (*base, "in_progress", opens, due, done, done, None, best, None, None, None, None, None), failed
        taken = self._attempts(model, person, year, finish, period.detail)
        best = max(t[4] for t in taken)
        passed_at = taken[-1][1]
        return (*base, "completed", opens, due, bank.sections, bank.sections, passed_at, best, finish, finish,
                None, None, None), taken  # fmt: skip

    def _finish_time(self, period: Period, person: Person, year: float) -> datetime | None:
        """When the person completes, or None: most in the last days before the due date, some early,
        some late, a few never (in the running period: nothing after `now`)."""
        rng = self.rng
        lateness = sigmoid(-1.6 - year - person.diligence)
        never = sigmoid(-3.0 - year - person.diligence - 0.3 * person.ability)
        roll = rng.random()
        window = (period.due - period.opens).total_seconds()
        if roll < never:
            return None
        if roll < never + lateness:
            moment = period.due + timedelta(days=rng.expovariate(1 / 9))
        elif rng.random() < 0.3:
            moment = period.opens + timedelta(seconds=rng.random() * window)
        else:
            moment = period.due - timedelta(days=min(rng.expovariate(1 / 5), window / 86400))
        day = tokyo_date(moment)
        moment = datetime.combine(day, time(rng.randrange(8, 20), rng.randrange(60)), TOKYO)
        moment = min(
            max(moment, period.opens + timedelta(hours=1)), end_of_day(period.campaign.period_end) - timedelta(days=1)
        )
        if period.now is not None and moment > period.now:
            return None
        return moment

    def _attempts(self, model: QuizModel, person: Person, year: float, end: datetime, detail: bool,
                  fail_only: bool = False):  # fmt: skip
        """Attempts until one passes (a retake goes better: the feedback teaches), ending at `end`.
        `fail_only`: the person has not passed yet; zero to two failed attempts."""
        rng, bank = self.rng, model.bank
        ability = person.ability + year + 0.3 * person.diligence
        results = []
        for _ in range(8):
            if detail:
                drawn = [(q, *model.answer(rng, q, ability)) for q in rng.sample(bank.questions, bank.draw)]
                correct = sum(1 for _, right, _ in drawn if right)
            else:
                drawn, correct = [], model.count_correct(rng, ability)
            score = correct * 100 // bank.draw
            passed = score >= bank.pass_mark
            if fail_only and passed:
                break
            results.append([drawn, correct, score, passed])
            if passed or (fail_only and rng.random() < 0.6):
                break
            ability += 0.7
        if not fail_only and not results[-1][3]:  # eight failures: the last retake is the one that passed
            results[-1][1:] = [bank.draw, 100, True]
        return [
            (end - timedelta(minutes=25 * (len(results) - i)), end - timedelta(minutes=25 * (len(results) - i) - 12),
             drawn, correct, score, passed)
            for i, (drawn, correct, score, passed) in enumerate(results)
        ]  # fmt: skip


ASSIGNMENT_COLUMNS = (
    "id", "user_id", "edition_id", "campaign_id", "reason", "status", "assigned_at", "due_at", "last_section",
    "sections_done", "quiz_passed_at", "best_score", "attested_at", "completed_at", "exempt_reason", "exempt_until",
    "exempted_by_id", "completed_on",
)  # fmt: skip
COMPLETED_AT = ASSIGNMENT_COLUMNS.index("completed_at") - 1  # in a row before its id is put in front
STATUS_AT = ASSIGNMENT_COLUMNS.index("status") - 1
REASON_AT = ASSIGNMENT_COLUMNS.index("exempt_reason") - 1
UNTIL_AT = ASSIGNMENT_COLUMNS.index("exempt_until") - 1
EXEMPTION_COLUMNS = ("id", "assignment_id", "user_id", "reason", "granted_by_id", "granted_at", "until")
ATTEMPT_COLUMNS = (
    "id", "assignment_id", "user_id", "edition_id", "number", "started_at", "submitted_at", "question_count",
    "correct_count", "score", "passed",
)  # fmt: skip
ATTEMPT_QUESTION_COLUMNS = ("id", "attempt_id", "question_id", "position", "choice_order", "correct")
