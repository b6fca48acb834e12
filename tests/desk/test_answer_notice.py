"""A named asker is told on the home page that the desk answered, until they open the question; told by email
once per reply (the desk's own email, not a second one); an anonymous asker's question tells no one's home page."""

import pytest
from sqlalchemy import func, select

from learning.desk.models import DeskQuestion
from learning.notify.models import OutboxMessage
from tests.conftest import post
from tests.desk.test_desk import ask, signed_in
from tests.factories import make_department, make_user

NOTICE = "The conduct-rule desk has answered your question"


@pytest.fixture
def people(db):
    branch = make_department(db, code="BR")
    return {
        "learner": make_user(db, department=branch, email="asker@example.jp"),
        "desk": make_user(db, "desk", department=branch),
    }


def test_the_home_page_says_the_desk_answered_until_the_asker_opens_it(app, db, people):
    learner = signed_in(app, db, people["learner"])
    assert ask(learner).status_code == 302
    question = db.scalar(select(DeskQuestion))
    assert NOTICE not in learner.get("/").get_data(as_text=True)  # asked, not yet answered

    desk = signed_in(app, db, people["desk"])
    assert post(desk, f"/desk/inbox/{question.code}/reply", {"body": "使えません。"}).status_code == 302
    home = learner.get("/").get_data(as_text=True)
    assert f"{NOTICE} {question.code}." in home and f'href="/desk/mine/{question.code}"' in home
    other = signed_in(app, db, make_user(db))
    assert NOTICE not in other.get("/").get_data(as_text=True)

    assert "使えません。" in learner.get(f"/desk/mine/{question.code}").get_data(as_text=True)
    assert NOTICE not in learner.get("/").get_data(as_text=True)  # opened: no longer news

    post(desk, f"/desk/inbox/{question.code}/reply", {"body": "補足です。"})
    assert f"{NOTICE} {question.code}." in learner.get("/").get_data(as_text=True)  # a new reply is news again
    # One email per reply, the desk's own: the notice adds none.
    mails = db.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_address == "asker@example.jp")
    )
    assert mails == 2


def test_an_anonymous_question_puts_no_notice_on_anyones_home_page(app, db, people):
    learner = signed_in(app, db, people["learner"])
    assert ask(learner, anonymous=True).status_code == 302
    question = db.scalar(select(DeskQuestion))
    desk = signed_in(app, db, people["desk"])
    assert post(desk, f"/desk/inbox/{question.code}/reply", {"body": "回答です。"}).status_code == 302
    assert NOTICE not in learner.get("/").get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0
