"""The question pages say what a question was asked about (module, section linked, quiz question) and by when
the desk aims to answer it (3 business days in Japan), for the asker (named and by claim code) and the desk."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from learning import clock
from learning.courses.models import Question
from learning.desk.calendar import add_business_days, business_days_between
from learning.desk.context import target
from learning.desk.models import DeskQuestion
from tests.conftest import csrf_token
from tests.desk.test_desk import ask, claim_code, signed_in
from tests.factories import make_assignment, make_department, make_edition, make_user

FRIDAY = datetime(2026, 12, 4, 1, tzinfo=UTC)  # 10:00 on Friday 4 December in Japan


@pytest.fixture
def people(db):
    branch = make_department(db, code="BR")
    return {
        "learner": make_user(db, department=branch),
        "desk": make_user(db, "desk", department=branch),
        "compliance": make_user(db, "compliance", department=branch),
        "edition": make_edition(db, slug="rules", sections=3, questions=4, draw=2),
    }


def test_the_target_day_is_three_business_days_on_skipping_weekends_and_holidays():
    assert add_business_days(date(2026, 12, 4), 3) == date(2026, 12, 9)  # Fri → Wed
    # Golden Week: 29 April, 3–6 May (6 May for Constitution Day on a Sunday) are holidays.
    assert add_business_days(date(2026, 4, 28), 3) == date(2026, 5, 7)
    for start in (date(2026, 4, 28), date(2026, 12, 4), date(2026, 12, 30)):
        assert business_days_between(start, add_business_days(start, 3)) == 3


def test_the_target_is_met_missed_or_late_as_the_service_level_counts_it():
    question = DeskQuestion(status="answered", asked_at=FRIDAY, answered_at=datetime(2026, 12, 9, 8, tzinfo=UTC))
    assert (target(question).due_on, target(question).met, target(question).late) == (date(2026, 12, 9), True, False)
    question.answered_at = datetime(2026, 12, 10, 1, tzinfo=UTC)
    assert target(question).met is False
    waiting = DeskQuestion(status="new", asked_at=FRIDAY, answered_at=None)
    assert target(waiting, today=date(2026, 12, 9)).late is False
    assert target(waiting, today=date(2026, 12, 10)).late is True
    waiting.status = "waiting"  # the asker's turn: not the desk's lateness
    assert target(waiting, today=date(2026, 12, 10)).late is False


def test_the_asker_and_the_desk_see_the_context_and_the_due_day(app, db, people):
    clock.freeze(FRIDAY)
    edition = people["edition"]
    held = make_assignment(db, people["learner"], edition)
    quiz = db.scalars(select(Question).where(Question.edition_id == edition.id).order_by(Question.id)).first()
    learner = signed_in(app, db, people["learner"])
    assert ask(learner, edition=edition.id, section=2, question=quiz.id).status_code == 302
    question = db.scalar(select(DeskQuestion))
    page = learner.get(f"/desk/mine/{question.code}").get_data(as_text=True)
    for expected in (
        "rules course",
        f'Section 2: <a href="/training/{held.id}/sections/2">Section 2</a>',
        "Quiz question: Question 1",
        "An answer within 3 business days (weekends and Japanese holidays not counted): by December 9, 2026.",
    ):
        assert expected in page, expected
    desk = signed_in(app, db, people["desk"])
    inbox = desk.get(f"/desk/inbox/{question.code}").get_data(as_text=True)
    assert f'<a href="/library/editions/{edition.id}/sections/2">Section 2</a>' in inbox
    assert "Quiz question: Question 1" in inbox and "by December 9, 2026." in inbox
    assert "Past the target" not in inbox
    clock.freeze(datetime(2026, 12, 10, 1, tzinfo=UTC))  # Thursday: a fourth business day unanswered
    late = signed_in(app, db, people["compliance"]).get(f"/desk/inbox/{question.code}")
    assert "Past the target" in late.get_data(as_text=True)


def test_the_claim_code_thread_shows_the_context_in_japanese(app, db, people):
    clock.freeze(FRIDAY)
    edition = people["edition"]
    people["learner"].locale = "ja"
    learner = signed_in(app, db, people["learner"])
    assert ask(learner, anonymous=True, edition=edition.id, section=1).status_code == 302
    code = claim_code(learner)
    page = learner.post("/desk/claim", data={"code": code, "csrf_token": csrf_token(learner, "/desk/claim")})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "rules 研修" in text and "第1節：" in text and "節1" in text
    assert "3営業日以内に回答します（土日・祝日を除く）。回答期限：2026年12月9日" in text
    asked_about = re.search(r'<dl class="settings panel asked-about">.*?</dl>', text, re.S).group(0)
    assert "<a " not in asked_about  # the reader holds no assignment of the edition: the section is not linked
