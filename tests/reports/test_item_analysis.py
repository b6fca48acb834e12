"""Item analysis: facility, discrimination, distractors, desk questions, flags; trainers see it, managers do not."""

from sqlalchemy import select

from learning.courses.models import Choice
from learning.reports.items import analyse
from tests.conftest import csrf_token, post, sign_in
from tests.exported import read_csv
from tests.factories import make_user
from tests.helpers import answers_for, learner_with_assignment, read_all_sections, start_quiz


def test_facility_and_discrimination_by_hand():
    # Ten attempts scoring 10..100; question 1 is right only in the top half, question 2 only in the bottom half.
    scores = {n: n * 10 for n in range(1, 11)}
    marks = [(n, 1, n > 5) for n in scores] + [(n, 2, n <= 5) for n in scores]
    figures = analyse(scores, marks)
    assert (figures[1].drawn, figures[1].facility) == (10, 0.5)
    assert figures[1].discrimination == 1.0 and figures[2].discrimination == -1.0  # groups of int(10 × 0.27) = 2
    assert figures[1].flags == [] and figures[2].flags == ["negative"]
    easy = analyse(scores, [(n, 3, True) for n in scores])[3]
    assert easy.flags == ["too_easy"] and analyse({1: 50}, [(1, 4, False)])[4].flags == []  # too few to flag


def test_trainer_sees_distractors_and_desk_questions(app, db):
    client = app.test_client()
    learner, edition, assignment = learner_with_assignment(db, client, questions=3, draw=3)
    read_all_sections(client, assignment.id, len(edition.sections))
    attempt_id = start_quiz(client, assignment.id)
    post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id, right=False))
    first = edition.questions[0]
    token_page = client.get(f"/desk?edition={edition.id}&question={first.id}")
    assert token_page.status_code == 200
    client.post(
        "/desk",
        data={
            "body": "この問題が分かりません",
            "category": "other",
            "edition": str(edition.id),
            "question": str(first.id),
            "csrf_token": csrf_token(client, "/desk"),
        },
    )
    trainer = make_user(db, "trainer")
    manager = make_user(db, "manager")
    db.commit()
    trainer_client = app.test_client()
    sign_in(trainer_client, trainer.employee_no)
    page = trainer_client.get(f"/reports/items/{edition.id}").get_data(as_text=True)
    assert "Drawn 1 times" in page and "Facility 0%" in page and "Desk questions: 1" in page
    wrong = db.scalars(select(Choice).where(Choice.question_id == first.id, Choice.correct.is_(False))).all()
    assert "picked 1 times" in page and len(wrong) == 2
    assert learner.name not in page
    manager_client = app.test_client()
    sign_in(manager_client, manager.employee_no)
    assert manager_client.get(f"/reports/items/{edition.id}").status_code == 403
    assert trainer_client.get("/reports/items/999999").status_code == 404
    exported = read_csv(trainer_client.get(f"/reports/items/{edition.id}.csv"))
    assert exported.header[:3] == ["Question", "Times drawn", "Facility"]
    assert sum(int(record["Times picked"]) for record in exported.records()) == 3  # the three wrong choices picked


def test_discrimination_does_not_depend_on_the_order_of_the_rows():
    """Ties on the score are broken by attempt, not by the order the database returned the answers in."""
    scores = {n: (50 if n <= 6 else 90) for n in range(1, 11)}  # six attempts tied at the bottom
    marks = [(n, 7, n <= 2 or n > 6) for n in scores]  # of the tied six, only the first two answered right
    forwards, backwards = analyse(scores, marks)[7], analyse(scores, list(reversed(marks)))[7]
    assert forwards.discrimination == backwards.discrimination
