"""Report pages issue as many SQL statements for a large organisation as for a small one (no query per
department, person, module or row): a campaign's department report, a department's people, comprehension,
trend, the people list, the exemption register, a person's history and the annual report, for a closed
period and a running one.

A small organisation is built and its pages counted, then a large one (in later fiscal years, so that each
annual report has the same years beside it) and its pages counted; the small one stays in the database, so
the large pages also walk its departments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.campaigns.amendments import amend
from learning.campaigns.closing import close
from learning.campaigns.models import PeriodAmendment
from learning.campaigns.periods import end_of_day
from learning.desk.models import DeskQuestion
from learning.quizzes.models import Attempt
from learning.training import services as training
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.factories import make_assignment, make_department, make_edition, make_launched_campaign, make_user
from tests.helpers import statements_on

# departments, people, modules, a person's assignments outside campaigns
SMALL = {"departments": 3, "people": 8, "modules": 2, "outside": 1}
LARGE = {"departments": 30, "people": 50, "modules": 5, "outside": 8}

PAGES = {  # each page with its variants: a closed period, an export
    "campaign": (
        "/reports/campaigns/{running}",
        "/reports/campaigns/{closed}",
        "/reports/campaigns/{running}.csv",
        "/reports/campaigns/{closed}.json",
        # filtered by employment (issue 19 item 3): a kind, own staff, the closed period with its amendments
        "/reports/campaigns/{running}?employment=temporary",
        "/reports/campaigns/{closed}?employment=temporary",
        "/reports/campaigns/{closed}?employment=own",
        "/reports/campaigns/{closed}.pdf?employment=regular",
    ),
    "department": (
        "/reports/campaigns/{running}/departments/{busiest}",
        "/reports/campaigns/{closed}/departments/{busiest}",
    ),
    "comprehension": ("/reports/campaigns/{running}/comprehension", "/reports/campaigns/{closed}/comprehension"),
    "trend": ("/reports/campaigns/{running}/trend",),
    "people": (
        "/reports/campaigns/{running}/people",
        "/reports/campaigns/{closed}/people?department={company}",
        "/reports/campaigns/{running}/people.csv",
    ),
    "exemptions": ("/reports/exemptions", "/reports/exemptions.csv"),
    "history": ("/reports/people/{person}/history",),
    "annual": ("/reports/annual/{running_year}", "/reports/annual/{closed_year}"),
}


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 1, tzinfo=UTC)


def attempt(db, assignment: Assignment, number: int, score: int, when: datetime) -> None:
    db.add(
        Attempt(assignment_id=assignment.id, user_id=assignment.user_id, edition_id=assignment.edition_id,
                number=number, started_at=when, submitted_at=when, question_count=2, correct_count=score // 50,
                score=score, passed=score >= 60)
    )  # fmt: skip


def progress(db, campaign, people, actor, when: datetime) -> None:
    """A mix of outcomes: every fourth person completed after a failed attempt, then in progress, not started,
    exempt from the first module (every other one lifted again)."""
    clock.freeze(when)
    for assignment in db.scalars(select(Assignment).where(Assignment.campaign_id == campaign.id)):
        index = people.index(assignment.user_id)
        if index % 4 == 0:
            attempt(db, assignment, 1, 50, when)
            attempt(db, assignment, 2, 100, when + timedelta(hours=1))
            assignment.status, assignment.best_score, assignment.sections_done = "completed", 100, 2
            assignment.quiz_passed_at = assignment.attested_at = assignment.completed_at = when + timedelta(hours=1)
        elif index % 4 == 1:
            attempt(db, assignment, 1, 50, when)
            assignment.status, assignment.best_score = "in_progress", 50
        elif index % 4 == 3 and assignment.edition_id == campaign.modules[0].edition_id:
            training.exempt(db, assignment, "育児休業", end_of_day(date(when.year + 1, 3, 31)), actor.id)
            if index % 8 == 3:
                training.end_exemption(db, assignment, actor.id)
    db.flush()


def organisation(db, tag: str, year: int, actor, departments: int, people: int, modules: int, outside: int):
    """A company of `departments` departments (a binary tree) and `people` people, half of them in one
    department; fiscal `year` closed (with an amendment for every not-started assignment of the first
    module) and `year` + 1 running, both of `modules` modules; one person also with `outside` assignments
    outside any campaign. Returns the ids the pages need."""
    clock.freeze(at(year, 4, 1))
    tree = [make_department(db, code=tag)]
    for n in range(1, departments):
        tree.append(make_department(db, code=f"{tag}-{n}", parent=tree[(n - 1) // 2]))
    staff = [make_user(db, department=tree[1] if i % 2 == 0 else tree[i % departments]) for i in range(people)]
    for i, person in enumerate(staff):
        person.employment_type = ("regular", None, "temporary")[i % 3]  # each kind with an amendment
    ids = [person.id for person in staff]
    editions = [make_edition(db, slug=f"{tag.lower()}-{m}", sections=2, questions=3, draw=2) for m in range(modules)]
    audience = {"whole_organisation": False, "include_ids": [tree[0].id]}
    closed = make_launched_campaign(db, editions, actor.id, name_ja=f"{year}年度", name_en=f"FY{year}",
                                    opens_on=date(year, 4, 1), due_on=date(year, 6, 30), **audience)  # fmt: skip
    progress(db, closed, ids, actor, at(year, 5, 10))
    clock.freeze(at(year + 1, 4, 2))
    close(db, closed)
    for assignment in db.scalars(
        select(Assignment).where(
            Assignment.campaign_id == closed.id,
            Assignment.status == "assigned",
            Assignment.edition_id == editions[0].id,
        )
    ):
        amend(db, assignment, "completed", "紙で受講済み", actor.id, date(year, 6, 20))
    running = make_launched_campaign(db, editions, actor.id, name_ja=f"{year + 1}年度", name_en=f"FY{year + 1}",
                                     opens_on=date(year + 1, 4, 1), due_on=date(year + 1, 6, 30),
                                     **audience)  # fmt: skip
    running.series_id = closed.series_id
    progress(db, running, ids, actor, at(year + 1, 5, 10))
    for n in range(outside):
        finished = at(year + 1, 5, 1 + n)
        make_assignment(db, staff[0], editions[n % modules], 10, status="completed", completed_at=finished,
                        attested_at=finished, best_score=100)  # fmt: skip
    for n, person in enumerate(staff[::4]):
        question = editions[n % modules].questions[0]
        asked = at(year + 1, 5, 1 + n)
        answered = asked + timedelta(days=1 + n % 5)
        db.add(DeskQuestion(asker_id=person.id, category="other", module_id=question.edition.module_id,
                            edition_id=question.edition_id, bank_question_id=question.id, body="質問",
                            status="answered", asked_at=asked, answered_at=answered))  # fmt: skip
    db.commit()
    made = select(func.count()).select_from(Assignment).where(Assignment.campaign_id.in_([closed.id, running.id]))
    assert db.scalar(made) == 2 * people * modules
    assert db.scalar(select(func.count()).select_from(PeriodAmendment).where(PeriodAmendment.campaign_id == closed.id))
    clock.freeze(at(year + 1, 7, 10))
    return {
        "closed": closed.id,
        "running": running.id,
        "busiest": tree[1].id,
        "company": tree[0].id,
        "person": staff[0].employee_no,
        "closed_year": year,
        "running_year": year + 1,
    }


@pytest.mark.parametrize("page", PAGES)
def test_report_page_does_not_grow_with_the_organisation(app, db, page):
    auditor = make_user(db, "auditor")
    db.commit()
    counts = []
    for tag, year, sizes in (("S", 2024, SMALL), ("L", 2028, LARGE)):
        ids = organisation(db, tag, year, auditor, **sizes)
        client = app.test_client()  # signed in at each world's time: years apart, a session would have expired
        sign_in(client, auditor.employee_no)
        counts.append({path: statements_on(app, client, path.format(**ids)) for path in PAGES[page]})
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements for the small organisation, {counts[1]} large"
    # When written: 38 and 42 for the annual report (49 with its pledges, contractors and self-inspection
    # sections), 9 to 23 for the others.
    ceiling = 52 if page == "annual" else 25
    assert max(counts[0].values()) <= ceiling, counts
