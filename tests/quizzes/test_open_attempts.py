"""One open attempt per assignment, held by the database (uq_attempts_open): concurrent starts answer with
the one attempt, and an attempt left open can never record a score once the quiz is passed."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from learning import clock
from learning.audit.models import AuditEvent
from learning.quizzes.models import Attempt, AttemptAnswer
from learning.training.models import Assignment
from tests.conftest import PG_URL, csrf_token, post
from tests.factories import make_assignment
from tests.helpers import answers_for, attempt_row, learner_with_assignment, read_all_sections, start_quiz

UNIQUE_OPEN = '"uq_attempts_open"' if PG_URL else "UNIQUE constraint failed: attempts.assignment_id"


def attempt(assignment: Assignment, number: int, **fields) -> Attempt:
    return Attempt(
        assignment_id=assignment.id,
        user_id=assignment.user_id,
        edition_id=assignment.edition_id,
        number=number,
        started_at=clock.now(),
        question_count=3,
        **fields,
    )


def test_the_database_refuses_a_second_open_attempt(db, client):
    _, _, assignment = learner_with_assignment(db, client)
    db.add(attempt(assignment, 1))
    db.flush()
    with pytest.raises(IntegrityError) as refused:
        db.add(attempt(assignment, 2))
        db.flush()
    assert UNIQUE_OPEN in str(refused.value)
    db.rollback()
    # Submitted and abandoned attempts are not open: any number of them beside the one open attempt.
    db.add_all(
        [
            attempt(assignment, 2, submitted_at=clock.now(), correct_count=0, score=0, passed=False),
            attempt(assignment, 3, abandoned_at=clock.now()),
            attempt(assignment, 4, abandoned_at=clock.now()),
        ]
    )
    db.flush()
    assert db.scalar(select(func.count()).select_from(Attempt).where(Attempt.assignment_id == assignment.id)) == 4


@pytest.mark.skipif(not PG_URL, reason="concurrent starts are a PostgreSQL concern (SQLite serialises writers)")
def test_fifty_starts_at_once_make_one_open_attempt(app, db, client):
    _, edition, assignment = learner_with_assignment(db, client)
    read_all_sections(client, assignment.id, len(edition.sections))
    token = csrf_token(client, "/")
    barrier, responses = threading.Barrier(50), []

    def start():
        browser = app.test_client()  # the same signed-in browser: its session cookie, 50 tabs at once
        browser.set_cookie("portal", client.get_cookie("portal").value)
        barrier.wait()
        responses.append(browser.post(f"/training/{assignment.id}/quiz", data={"csrf_token": token}))

    threads = [threading.Thread(target=start) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r.status_code for r in responses] == [302] * 50
    open_ids = db.scalars(
        select(Attempt.id).where(Attempt.assignment_id == assignment.id, Attempt.submitted_at.is_(None))
    ).all()
    assert len(open_ids) == 1
    assert {r.location for r in responses} == {f"/attempts/{open_ids[0]}"}
    assert db.scalar(select(func.count()).select_from(Attempt)) == 1


def test_an_attempt_left_open_cannot_be_submitted_after_the_pass(db, client):
    """The issue's "50 recorded after 100": a person holds the same edition twice (last period's overdue
    assignment and this one); an attempt is open on one while the other is passed and attested, which
    completes both. The open attempt is refused, nothing is recorded and the best score stays 100."""
    user, edition, current = learner_with_assignment(db, client)
    overdue = make_assignment(db, user, edition)
    db.commit()
    read_all_sections(client, overdue.id, len(edition.sections))
    left_open = start_quiz(client, overdue.id)
    read_all_sections(client, current.id, len(edition.sections))
    passed = start_quiz(client, current.id)
    assert post(client, f"/attempts/{passed}", answers_for(db, passed, right=True)).status_code == 302
    assert post(client, f"/training/{current.id}/attest", {"confirm": "y"}).status_code == 302
    db.expire_all()
    assert (db.get(Assignment, overdue.id).status, db.get(Assignment, overdue.id).best_score) == ("completed", 100)

    response = post(client, f"/attempts/{left_open}", answers_for(db, left_open, right=1))
    assert response.status_code == 302 and response.location == f"/training/{overdue.id}/quiz"
    page = client.get(response.location).get_data(as_text=True)
    assert "You have already passed this quiz, so this attempt can no longer be submitted." in page
    assert attempt_row(db, left_open).submitted_at is None and attempt_row(db, left_open).score is None
    db.expire_all()
    assert db.get(Assignment, overdue.id).best_score == 100
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 3  # the passed attempt's only
    assert db.scalar(select(func.count()).where(AuditEvent.action == "quiz_submitted")) == 1
    # Opening it again shows the quiz's page, not its questions.
    shown = client.get(f"/attempts/{left_open}")
    assert shown.status_code == 302 and shown.location == f"/training/{overdue.id}/quiz"


def test_an_abandoned_attempt_is_refused_and_the_open_one_is_offered(db, client):
    _, edition, assignment = learner_with_assignment(db, client)
    read_all_sections(client, assignment.id, len(edition.sections))
    older = start_quiz(client, assignment.id)
    answers = answers_for(db, older, right=True)
    db.execute(update(Attempt).where(Attempt.id == older).values(abandoned_at=clock.now()))  # as 0022 does
    newer = start_quiz(client, assignment.id)
    assert newer != older and attempt_row(db, newer).number == 2

    response = post(client, f"/attempts/{older}", answers)
    assert response.status_code == 302 and response.location == f"/training/{assignment.id}/quiz"
    page = client.get(response.location).get_data(as_text=True)
    assert "This quiz attempt was replaced by a newer one and can no longer be answered." in page
    assert f'href="/attempts/{newer}"' in page and "Continue the quiz" in page
    assert attempt_row(db, older).submitted_at is None
    db.expire_all()
    assert db.get(Assignment, assignment.id).best_score is None
    assert post(client, f"/attempts/{newer}", answers_for(db, newer, right=True)).status_code == 302
    assert attempt_row(db, newer).score == 100
