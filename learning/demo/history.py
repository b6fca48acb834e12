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

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, PersonnelEvent, User
from learning.audit.services import record
from learning.campaigns.closing import close, stamp_departments
from learning.campaigns.models import Campaign, CampaignModule
from learning.campaigns.periods import TOKYO, end_of_day, period_containing, tokyo_date
from learning.courses.models import Edition
from learning.demo.history_writer import HistoryWriter, Period, Person
from learning.demo.quiz_model import banks
from learning.training import certificates
from learning.training.models import Assignment

PEOPLE_PER_DEPARTMENT = 100
DETAIL_PERIODS = 2
CHUNK = 5000  # people generated and written at a time: bounded memory at any size

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
            status="running",  # closed (and frozen) once its history is written: see generate()
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
    """A few people move each year: recorded as processed personnel events; people end where they moved.
    Returns the events and, for those who moved, the department each was in at the start of each period."""
    rng = random.Random(seed)
    events = []
    placed: dict[int, dict[date, int]] = {}
    for person in persons:
        before = {}
        for start in period_starts:
            before[start] = person.department_id
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
                placed[person.id] = before
    session.add_all(events)
    moved = {e.user_id: e.to_department_id for e in events}
    if moved:
        session.execute(update(User), [{"id": u, "department_id": d} for u, d in moved.items()])
    session.flush()
    return events, placed


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
    events, placed = transfers(session, persons, sections, [c.period_start for c in past], seed=periods + 1)
    moved = len(events)
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
    certificates.issue_missing(session)  # the bulk-written completions, numbered as attest numbers them
    _close_past(session, past, placed)
    stamp_departments(session, current.id)
    counts = writer.counts
    record(session, "demo_history_generated", actor_id=None, details={"periods": periods, "transfers": moved, **counts})
    return (
        f"history: {periods} periods, {counts['assignments']} assignments, {counts['attempts']} attempts, "
        f"{counts['answers']} answered questions, {moved} transfers"
    )


def _close_past(session: Session, past: list[Campaign], placed: dict[int, dict[date, int]]) -> None:
    """Each past period's assignments count where the person was then (movers: before that year's move),
    then the period closes and its records are frozen, as `jobs run` closes a real one."""
    table = Assignment.__table__
    for campaign in past:
        moved = [{"uid": user, "dept": departments[campaign.period_start]} for user, departments in placed.items()]
        if moved:  # one statement, executed for every mover (a pipeline on PostgreSQL)
            session.execute(
                update(table)
                .where(table.c.campaign_id == campaign.id, table.c.user_id == bindparam("uid"))
                .values(department_id=bindparam("dept")),
                moved,
            )
        close(session, campaign)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), TOKYO)
