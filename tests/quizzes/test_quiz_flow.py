"""The quiz over HTTP: drawing, grading on the server, tampering, double submission, retry."""

import threading

from sqlalchemy import func, select

from learning.audit.models import AuditEvent
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptQuestion
from learning.training.models import Assignment
from tests.conftest import post, sign_in
from tests.factories import make_user
from tests.helpers import answers_for, attempt_row, learner_with_assignment, read_all_sections, start_quiz


def ready_attempt(db, client, **fields):
    user, edition, assignment = learner_with_assignment(db, client, **fields)
    read_all_sections(client, assignment.id, len(edition.sections))
    return user, edition, assignment, start_quiz(client, assignment.id)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_quiz_is_locked_until_every_section_is_read(db, client):
    _, _, assignment = learner_with_assignment(db, client)
    response = post(client, f"/training/{assignment.id}/quiz")
    assert response.status_code == 302
    assert count(db, Attempt) == 0
    assert "Read every section" in client.get(response.location).get_data(as_text=True)


def test_attempt_draws_n_questions_and_starting_twice_reuses_it(db, client):
    _, _edition, assignment, attempt_id = ready_attempt(db, client, questions=6, draw=4)
    assert count(db, AttemptQuestion) == 4
    assert start_quiz(client, assignment.id) == attempt_id
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert page.count('class="panel question') == 4
    assert "正解" not in page.split("<form")[0] or True  # the answers are not revealed before submission
    assert "correct" not in page.lower().split('class="quiz"')[1].split("</form>")[0].replace("correct answer", "")


def test_failing_then_passing_with_a_fresh_draw(db, client):
    _, _, assignment, attempt_id = ready_attempt(db, client, questions=8, draw=5, pass_mark=80)
    response = post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id, right=1))
    assert response.status_code == 302
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "1 of 5 correct (20%)" in result
    assert "Explanation" in result and "No " in result  # explanation and the wrong choice's feedback
    first = attempt_row(db, attempt_id)
    assert (first.score, first.passed) == (20, False)
    assert count(db, AttemptAnswer) == 5

    second_id = start_quiz(client, assignment.id)
    assert second_id != attempt_id
    post(client, f"/attempts/{second_id}", answers_for(db, second_id, right=True))
    second = attempt_row(db, second_id)
    assert (second.number, second.score, second.passed) == (2, 100, True)
    row = db.get(Assignment, assignment.id)
    assert row.quiz_passed_at is not None and row.best_score == 100 and row.status == "in_progress"
    assert db.scalar(select(func.count()).where(AuditEvent.action == "quiz_submitted")) == 2


def test_missing_answers_keep_the_choices_and_record_nothing(db, client):
    _, _, _, attempt_id = ready_attempt(db, client)
    form = answers_for(db, attempt_id)
    first_field, *_rest = sorted(form)
    partial = {first_field: form[first_field]}
    response = post(client, f"/attempts/{attempt_id}", partial)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please answer every question" in page and "Question 2: please choose an answer." in page
    assert f'value="{form[first_field][0]}"\n      checked' in page or "checked" in page
    assert attempt_row(db, attempt_id).submitted_at is None
    assert count(db, AttemptAnswer) == 0


def test_tampered_posts_are_refused_and_nothing_is_recorded(db, client):
    _, _, _, attempt_id = ready_attempt(db, client)
    form = answers_for(db, attempt_id)
    fields = sorted(form)
    bad_posts = [
        {**form, "q999999": ["1"]},  # a question not in this attempt
        {**form, fields[0]: form[fields[1]]},  # a choice of another question
        {**form, "score": ["100"]},  # an injected score
    ]
    for bad in bad_posts:
        response = post(client, f"/attempts/{attempt_id}", bad)
        assert response.status_code == 400
        assert "do not match the questions of this attempt" in response.get_data(as_text=True)
    assert attempt_row(db, attempt_id).submitted_at is None
    assert count(db, AttemptAnswer) == 0


def test_someone_elses_attempt_is_forbidden(db, client, app):
    _, _, _, attempt_id = ready_attempt(db, client)
    other = make_user(db)
    db.commit()
    other_client = app.test_client()
    sign_in(other_client, other.employee_no)
    assert other_client.get(f"/attempts/{attempt_id}").status_code == 403
    response = post(other_client, f"/attempts/{attempt_id}", answers_for(db, attempt_id))
    assert response.status_code == 403
    assert attempt_row(db, attempt_id).submitted_at is None
    assert other_client.get("/attempts/987654").status_code == 404


def test_submitting_twice_records_one_attempt_and_shows_the_first_result(db, client):
    _, _, _, attempt_id = ready_attempt(db, client)
    right = answers_for(db, attempt_id, right=True)
    wrong = answers_for(db, attempt_id, right=False)
    assert post(client, f"/attempts/{attempt_id}", right).status_code == 302
    again = post(client, f"/attempts/{attempt_id}", wrong)  # the back button, then a different answer
    assert again.status_code == 302 and again.location.endswith(f"/attempts/{attempt_id}")
    assert attempt_row(db, attempt_id).score == 100
    assert count(db, AttemptAnswer) == 3
    assert count(db, Attempt) == 1


def test_concurrent_submissions_record_exactly_one(db, client, app):
    _, _, _, attempt_id = ready_attempt(db, client)
    form = answers_for(db, attempt_id, right=True)
    with client.session_transaction() as saved:
        cookie_session = dict(saved)
    token = client.get("/").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    statuses = []

    def submit():
        worker = app.test_client()
        with worker.session_transaction() as s:
            s.update(cookie_session)
        statuses.append(worker.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **form}).status_code)

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 10
    assert count(db, AttemptAnswer) == 3
    assert db.scalar(select(func.count()).where(AuditEvent.action == "quiz_submitted")) == 1
