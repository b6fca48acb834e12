"""Demo history: a large organisation and years of training records, written in bulk.

`flask --app app demo seed --employees N --periods P` grows the demo organisation to about a hundred
people per department and gives it P yearly campaigns of the shipped modules: P-1 closed ones before the
running one. The figures behave like real ones, so that every report has something to show:

- completions bunch in the last days before the due date; some people finish late, a few never;
- departments differ in diligence, people in ability, and each year is a little better than the last;
- scores spread, retakes follow failures, and in every module one question is too easy and one too hard;
  in two modules a question misleads the strongest learners (negative discrimination);
- about 1% of people are exempt each year, a few join each year, a few move between departments.

Attempts carry their questions and answers (for item analysis) in the latest DETAIL_PERIODS periods;
older attempts keep their scores only, which is all the comprehension and trend reports read. Rows are
written through BulkWriter (COPY on PostgreSQL), so 100,000 people over ten periods take minutes.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, PersonnelEvent, User
from learning.audit.services import record
from learning.campaigns.models import Campaign, CampaignModule
from learning.campaigns.periods import TOKYO, end_of_day, period_containing, tokyo_date
from learning.courses.models import Choice, Edition, Question, Section
from learning.demo.bulk import BulkWriter
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptQuestion
from learning.training.models import Assignment

PEOPLE_PER_DEPARTMENT = 100
DETAIL_PERIODS = 2
CHUNK = 5000  # people generated and written at a time: bounded memory at any size
EXEMPT_REASON = "長期休業のため（デモ） / On long leave (demo)"

# A generated branch and its sections: (Japanese, English) for the retail and the grid company.
BRANCHES = {
    "R-SALES": (("第{n}支社", "Branch {n}"), [("営業課", "Sales Section"), ("料金課", "Billing Section"),
                                               ("お客さま対応課", "Customer Service Section"),
                                               ("業務課", "Operations Section")]),
    "G-NW": (("第{n}配電事業所", "Distribution Office {n}"), [("配電課", "Distribution Section"),
                                                         ("保守課", "Maintenance Section"),
                                                         ("工務課", "Works Section"),
                                                         ("託送業務課", "Wheeling Services Section")]),
}  # fmt: skip

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def grow_departments(session: Session, departments: dict[str, Department], employees: int) -> list[Department]:
    """Adds generated branches with four sections each until there is about one department per
    PEOPLE_PER_DEPARTMENT people; returns the generated sections (where generated staff work)."""
    wanted = employees // PEOPLE_PER_DEPARTMENT - len(departments)
    sections = [d for code, d in departments.items() if code.startswith("X")]
    groups = sorted(BRANCHES)
    n = len({code.split(".")[0] for code in departments if code.startswith("X")})
    while wanted >= 5:
        parent = groups[n % len(groups)]
        (branch_ja, branch_en), kinds = BRANCHES[parent]
        n += 1
        branch = Department(
            code=f"X{n:04d}",
            name_ja=branch_ja.format(n=n),
            name_en=branch_en.format(n=n),
            parent_id=departments[parent].id,
        )
        session.add(branch)
        session.flush()
        departments[branch.code] = branch
        for i, (kind_ja, kind_en) in enumerate(kinds, 1):
            section = Department(
                code=f"X{n:04d}.{i}",
                name_ja=f"{branch.name_ja} {kind_ja}",
                name_en=f"{branch.name_en} {kind_en}",
                parent_id=branch.id,
            )
            session.add(section)
            departments[section.code] = section
            sections.append(section)
        wanted -= 5
    session.flush()
    return sections


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


def _sigmoid(x: float) -> float:
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
            return _sigmoid(0.8 - 2.5 * ability)
        return _sigmoid(self.BASE + ability - question.difficulty)

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
            [Assignment.__table__, Attempt.__table__, AttemptQuestion.__table__, AttemptAnswer.__table__],
        )
        self.counts = {"assignments": 0, "attempts": 0, "answers": 0}

    def write(self, period: Period, people: list[Person]) -> None:
        assignments, attempts, questions, answers = [], [], [], []
        next_id = self.writer.next_id
        for person in people:
            for model in self.models:
                assignment_id = next_id(Assignment.__table__)
                row, taken = self._assignment(period, person, model)
                finished = row[COMPLETED_AT]
                assignments.append((assignment_id, *row, tokyo_date(finished) if finished else None))
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
                    end_of_day(period.campaign.period_end), self.exempted_by), []  # fmt: skip
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
            return (*base, "in_progress", opens, due, done, done, None, None, None, None, None, None, None), failed
        taken = self._attempts(model, person, year, finish, period.detail)
        best = max(t[4] for t in taken)
        passed_at = taken[-1][1]
        return (*base, "completed", opens, due, bank.sections, bank.sections, passed_at, best, finish, finish,
                None, None, None), taken  # fmt: skip

    def _finish_time(self, period: Period, person: Person, year: float) -> datetime | None:
        """When the person completes, or None: most in the last days before the due date, some early,
        some late, a few never (in the running period: nothing after `now`)."""
        rng = self.rng
        lateness = _sigmoid(-1.6 - year - person.diligence)
        never = _sigmoid(-3.0 - year - person.diligence - 0.3 * person.ability)
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
ATTEMPT_COLUMNS = (
    "id", "assignment_id", "user_id", "edition_id", "number", "started_at", "submitted_at", "question_count",
    "correct_count", "score", "passed",
)  # fmt: skip
ATTEMPT_QUESTION_COLUMNS = ("id", "attempt_id", "question_id", "position", "choice_order", "correct")


def people(session: Session, periods: int, seed: int) -> list[Person]:
    """The generated staff (demo people without a sign-in), each with an ability, the diligence of
    their department, and when they joined."""
    rng = random.Random(seed)
    rows = session.execute(
        select(User.id, User.department_id)
        .where(User.is_demo.is_(True), User.login_id.is_(None), User.status == "active")
        .order_by(User.id)
    ).all()
    diligence: dict[int, float] = {}
    result = []
    for user_id, department_id in rows:
        if department_id not in diligence:
            diligence[department_id] = random.Random(f"dept-{department_id}").gauss(0, 0.7)
        joined = 0
        while joined < periods - 1 and rng.random() < 0.05:
            joined += 1
        result.append(Person(user_id, department_id, rng.gauss(0, 1), diligence[department_id], joined))
    return result


def history_campaigns(
    session: Session, editions: list[Edition], periods: int, names: tuple[str, str], creator: int | None
) -> list[Campaign]:
    """The closed yearly campaigns before the current fiscal year, oldest first: open from June, due at the
    end of July. The oldest heads the series (trend reports follow a series)."""
    today = tokyo_date(clock.now())
    start, _ = period_containing(today, "yearly")
    created = []
    for back in range(periods - 1, 0, -1):
        period_start = date(start.year - back, 4, 1)
        fiscal = str(period_start.year)
        campaign = Campaign(
            name_ja=names[0].replace(str(start.year), fiscal),
            name_en=names[1].replace(str(start.year), fiscal),
            status="closed",
            whole_organisation=True,
            recurrence="yearly",
            opens_on=date(period_start.year, 6, 1),
            due_on=date(period_start.year, 7, 31),
            period_start=period_start,
            period_end=date(period_start.year + 1, 4, 1),
            created_by_id=creator,
            created_at=datetime.combine(date(period_start.year, 5, 20), time(10), TOKYO),
            launched_at=datetime.combine(date(period_start.year, 6, 1), time(9), TOKYO),
        )
        session.add(campaign)
        session.flush()
        campaign.series_id = created[0].series_id if created else campaign.id
        session.add_all(
            CampaignModule(campaign_id=campaign.id, module_id=e.module_id, edition_id=e.id) for e in editions
        )
        created.append(campaign)
    session.flush()
    return created


def transfers(
    session: Session, persons: list[Person], sections: list[int], period_starts: list[date], seed: int
) -> int:
    """A few people move each year: recorded as processed personnel events; people end where they moved."""
    rng = random.Random(seed)
    events = []
    for person in persons:
        for start in period_starts:
            if rng.random() < 0.015:
                to = rng.choice(sections)
                at = datetime.combine(start + timedelta(days=rng.randrange(200)), time(9), TOKYO)
                events.append(
                    PersonnelEvent(
                        user_id=person.id,
                        kind="transfer",
                        at=at,
                        from_department_id=person.department_id,
                        to_department_id=to,
                        processed_at=at,
                    )
                )
                person.department_id = to
    session.add_all(events)
    moved = {e.user_id: e.to_department_id for e in events}
    if moved:
        session.execute(update(User), [{"id": u, "department_id": d} for u, d in moved.items()])
    session.flush()
    return len(events)


def generate(
    session: Session,
    current: Campaign,
    sections: list[int],
    periods: int,
    creator: int | None,
    progress: Progress | None = None,
) -> str:
    """The history of the staff over `periods` periods, the running campaign `current` being the last."""
    editions = [session.get(Edition, cm.edition_id) for cm in current.modules if cm.edition_id and not cm.on_transfer]
    past = history_campaigns(session, editions, periods, (current.name_ja, current.name_en), creator)
    if past:
        current.series_id = past[0].series_id
    persons = people(session, periods, seed=periods)
    moved = transfers(session, persons, sections, [c.period_start for c in past], seed=periods + 1)
    now = clock.now()
    timeline = [
        Period(i, c, _at(c.opens_on), end_of_day(c.due_on), None, i >= periods - DETAIL_PERIODS)
        for i, c in enumerate(past)
    ]
    timeline.append(Period(len(past), current, _at(current.opens_on), end_of_day(current.due_on), now, True))
    writer = HistoryWriter(session, banks(session, editions), creator, seed=periods + 2)
    total = sum(len([p for p in persons if p.joined <= period.index]) for period in timeline)
    done = 0
    for period in timeline:
        present = [p for p in persons if p.joined <= period.index]
        for start in range(0, len(present), CHUNK):
            chunk = present[start : start + CHUNK]
            writer.write(period, chunk)
            done += len(chunk)
            if progress:
                progress("history", done, total)
    writer.finish()
    counts = writer.counts
    record(session, "demo_history_generated", actor_id=None, details={"periods": periods, "transfers": moved, **counts})
    return (
        f"history: {periods} periods, {counts['assignments']} assignments, {counts['attempts']} attempts, "
        f"{counts['answers']} answered questions, {moved} transfers"
    )


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), TOKYO)
