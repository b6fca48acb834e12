"""Quiz answers saved as they are picked: a session that ends mid-quiz resumes the same attempt after signing in,
with the answers ticked; the endpoint takes only the person's own open attempt; a second submit says so."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from learning import clock
from learning.audit.models import AuditEvent
from learning.courses.models import Question
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptQuestion, SavedAnswer
from tests.conftest import PG_URL, csrf_token, post, sign_in
from tests.factories import make_assignment, make_user
from tests.helpers import answers_for, attempt_row, learner_with_assignment, read_all_sections, start_quiz


def open_quiz(db, client):
    user, edition, assignment = learner_with_assignment(db, client)
    read_all_sections(client, assignment.id, len(edition.sections))
    return user, assignment, start_quiz(client, assignment.id)


def save(client, attempt_id: int, question, choices, token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(
        f"/api/v1/attempts/{attempt_id}/answers", json={"question": question, "choices": choices}, headers=headers
    )


def as_json(form: dict[str, list[str]]) -> list[tuple[int, list[int]]]:
    return [(int(name[1:]), [int(c) for c in choices]) for name, choices in form.items()]


def saved_rows(db, attempt_id: int) -> dict[int, str]:
    db.expire_all()
    rows = db.execute(
        select(SavedAnswer.attempt_question_id, SavedAnswer.choice_ids).where(SavedAnswer.attempt_id == attempt_id)
    )
    return dict(rows.all())


def ticked(page: str, choice_id: int) -> bool:
    return re.search(rf'value="{choice_id}"\s+checked>', page) is not None


def test_a_session_expiring_mid_quiz_resumes_with_the_answers(db, client):
    user, _assignment, attempt_id = open_quiz(db, client)
    form = answers_for(db, attempt_id, right=True)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    for question, choices in as_json(form):  # the page's script, one pick at a time
        response = save(client, attempt_id, question, choices, token)
        assert response.status_code == 200 and response.get_json()["saved"] is True
    first_question, first_choices = as_json(form)[0]
    assert save(client, attempt_id, first_question, first_choices, token).status_code == 200  # a pick again: upsert
    assert saved_rows(db, attempt_id) == {q: ",".join(map(str, sorted(c))) for q, c in as_json(form)}

    clock.freeze(clock.now() + timedelta(minutes=31))  # past the 30-minute idle timeout
    # The next pick finds the session ended: 401, nothing saved, and the session is gone with its token.
    assert save(client, attempt_id, first_question, first_choices, token).status_code == 401
    submitted = client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **form})
    assert submitted.status_code == 400
    page = submitted.get_data(as_text=True)
    assert "Your session has ended before this quiz was submitted, so nothing has been graded yet." in page
    assert "expired or came from another site" not in page
    assert f'href="/login?next=/attempts/{attempt_id}"' in page
    assert attempt_row(db, attempt_id).submitted_at is None

    # Signing in again leads back to the same attempt, still open, with the saved answers ticked.
    signed_in = client.post(
        f"/login?next=/attempts/{attempt_id}",
        data={
            "username": user.employee_no,
            "password": "correct-horse-battery",
            "csrf_token": csrf_token(client, "/login"),
            "next": f"/attempts/{attempt_id}",
        },
    )
    assert signed_in.status_code == 302 and signed_in.location == f"/attempts/{attempt_id}"
    page = client.get(signed_in.location).get_data(as_text=True)
    assert "Submit answers" in page
    assert all(ticked(page, c) for _, choices in as_json(form) for c in choices)
    assert sum(ticked(page, int(c)) for c in re.findall(r'name="q\d+" value="(\d+)"', page)) == sum(
        len(c) for c in form.values()
    )

    # Submitting grades them, once; the draft has done its work.
    assert post(client, f"/attempts/{attempt_id}", form).status_code == 302
    assert attempt_row(db, attempt_id).score == 100
    assert saved_rows(db, attempt_id) == {}
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == len(form)


def test_an_expired_submit_leads_to_sign_in_and_back_to_the_attempt(db, client):
    """The session ended but the cookie still carries its token: the submit is sent to sign in (nothing graded),
    and the sign-in page says the answers were kept."""
    _, _, attempt_id = open_quiz(db, client)
    form = answers_for(db, attempt_id, right=True)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    clock.freeze(clock.now() + timedelta(minutes=31))
    response = client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **form})
    assert response.status_code == 302 and response.location == f"/login?next=/attempts/{attempt_id}"
    page = client.get(response.location).get_data(as_text=True)
    assert "The answers you picked have been kept" in page
    assert "Your session has ended. Please sign in again." in page
    assert attempt_row(db, attempt_id).submitted_at is None


def sign_in_again(client, user, attempt_id: int):
    return client.post(
        f"/login?next=/attempts/{attempt_id}",
        data={
            "username": user.employee_no,
            "password": "correct-horse-battery",
            "csrf_token": csrf_token(client, "/login"),
            "next": f"/attempts/{attempt_id}",
        },
    )


@pytest.mark.parametrize("token_gone", [False, True], ids=["idle-timeout", "token-gone"])
def test_without_javascript_the_answers_sent_after_the_session_ended_come_back(db, client, token_gone):
    """No script saved the picks: the only copy is the form sent after the session ended. It is kept in the
    cookie across the sign-in, saved to the same attempt and ticked again; a field that does not fit the attempt
    is left out. Both refusals: the idle timeout (cookie and token still there) and a token that went with the
    session (another tab signed out)."""
    user, _, attempt_id = open_quiz(db, client)
    form = answers_for(db, attempt_id, right=True)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    clock.freeze(clock.now() + timedelta(minutes=31 if not token_gone else 1))
    if token_gone:
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    tampered = {**form, "q999999": ["1"], "unrelated": ["x"]}
    response = client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **tampered})
    assert response.status_code == (400 if token_gone else 302)
    assert saved_rows(db, attempt_id) == {} and attempt_row(db, attempt_id).submitted_at is None

    signed_in = sign_in_again(client, user, attempt_id)
    assert signed_in.status_code == 302 and signed_in.location == f"/attempts/{attempt_id}"
    page = client.get(signed_in.location).get_data(as_text=True)
    assert "ticked again. Check them and submit." in page
    assert all(ticked(page, c) for _, choices in as_json(form) for c in choices)
    assert saved_rows(db, attempt_id) == {q: ",".join(map(str, sorted(c))) for q, c in as_json(form)}
    assert "ticked again" not in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)  # taken once
    assert post(client, f"/attempts/{attempt_id}", form).status_code == 302
    assert attempt_row(db, attempt_id).score == 100


def test_answers_kept_from_an_ended_session_go_to_nobody_else(db, client):
    """Someone else signing in at the same browser does not get the kept answers, nor does the owner later."""
    _, _, attempt_id = open_quiz(db, client)
    form = answers_for(db, attempt_id, right=True)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    clock.freeze(clock.now() + timedelta(minutes=31))
    assert client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **form}).status_code == 302
    other = make_user(db, "learner", employee_no="E77001")
    db.commit()
    assert sign_in_again(client, other, attempt_id).status_code == 302
    with client.session_transaction() as cookie:
        assert "resume_form" not in cookie
    assert saved_rows(db, attempt_id) == {}


def test_the_endpoint_refuses_what_is_not_the_persons_open_attempt(app, db, client):
    _user, assignment, attempt_id = open_quiz(db, client)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    # A single-answer question, so that two choices are bad input (an unordered first row may be a multiple one).
    aq = db.scalars(
        select(AttemptQuestion)
        .join(AttemptQuestion.question)
        .where(AttemptQuestion.attempt_id == attempt_id, Question.kind == "single")
        .order_by(AttemptQuestion.position)
    ).first()
    assert aq is not None
    choice = aq.choice_ids[0]

    # Another person's attempt looks like a missing one.
    other = make_user(db)
    make_assignment(db, other, assignment.edition)
    db.commit()
    stranger = app.test_client()
    sign_in(stranger, other.employee_no)
    stranger_token = csrf_token(stranger, "/")
    assert save(stranger, attempt_id, aq.id, [choice], stranger_token).status_code == 404
    assert save(client, 987654, aq.id, [choice], token).status_code == 404

    # Bad input: a clear message, 400, nothing saved.
    cases = [
        (987654, [choice], "The question sent is not one of this attempt's questions."),
        (aq.id, [987654], "The choices sent are not choices of this question"),
        (aq.id, aq.choice_ids[:2], "The choices sent are not choices of this question"),  # single answer
        (aq.id, "1", "The choices sent are not choices of this question"),
        ("x", [choice], "The question sent is not one of this attempt's questions."),
    ]
    for question, choices, message in cases:
        response = save(client, attempt_id, question, choices, token)
        assert response.status_code == 400, (question, choices)
        assert message in response.get_json()["message"]
    not_json = client.post(f"/api/v1/attempts/{attempt_id}/answers", data="x", headers={"X-CSRFToken": token})
    assert not_json.status_code == 400
    assert save(client, attempt_id, aq.id, [choice], None).status_code == 400  # no CSRF token
    assert saved_rows(db, attempt_id) == {}

    # Submitted: refused, and nothing is written after the grade.
    assert post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id)).status_code == 302
    refused = save(client, attempt_id, aq.id, [choice], token)
    assert refused.status_code == 409
    assert "already been submitted" in refused.get_json()["message"]
    assert saved_rows(db, attempt_id) == {}

    # Signed out: 401 as JSON, never the sign-in page.
    anonymous = app.test_client()
    response = save(anonymous, attempt_id, aq.id, [choice], csrf_token(anonymous, "/login"))
    assert response.status_code == 401 and response.is_json


def test_an_abandoned_attempt_takes_no_answers(db, client):
    _, _, attempt_id = open_quiz(db, client)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    aq = db.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id)).first()
    db.execute(update(Attempt).where(Attempt.id == attempt_id).values(abandoned_at=clock.now()))
    db.commit()
    response = save(client, attempt_id, aq.id, [aq.choice_ids[0]], token)
    assert response.status_code == 409
    assert saved_rows(db, attempt_id) == {}


def test_a_second_submit_says_the_attempt_was_already_submitted(db, client):
    _, _, attempt_id = open_quiz(db, client)
    assert post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id, right=True)).status_code == 302
    first = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "already submitted" not in first
    again = post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id, right=False))  # a second tab
    assert again.status_code == 302 and again.location == f"/attempts/{attempt_id}"
    page = client.get(again.location).get_data(as_text=True)
    assert "This attempt was already submitted on" in page and "here is its result." in page
    assert attempt_row(db, attempt_id).score == 100
    assert db.scalar(select(func.count()).where(AuditEvent.action == "quiz_submitted")) == 1


@pytest.mark.skipif(not PG_URL, reason="two submits at once are a PostgreSQL concern (SQLite serialises writers)")
def test_two_submits_at_once_grade_once_and_one_says_so(app, db, client):
    _, _, attempt_id = open_quiz(db, client)
    form = answers_for(db, attempt_id, right=True)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    barrier, browsers, statuses = threading.Barrier(2), [], []

    def submit():
        browser = app.test_client()  # the same signed-in browser, two tabs
        browser.set_cookie("portal", client.get_cookie("portal").value)
        browsers.append(browser)
        barrier.wait()
        statuses.append(browser.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **form}).status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    assert db.scalar(select(func.count()).where(AuditEvent.action == "quiz_submitted")) == 1
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == len(form)
    said = ["This attempt was already submitted on" in b.get(f"/attempts/{attempt_id}").get_data(as_text=True)
            for b in browsers]  # fmt: skip
    assert sorted(said) == [False, True]
