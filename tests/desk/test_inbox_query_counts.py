"""The desk's inbox issues as many SQL statements for 50 questions as for 5 (no query per question, asker,
module or thread), for desk staff who see the askers' names; so does what questions reveal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.desk.models import DeskMessage, DeskQuestion
from tests.conftest import sign_in
from tests.factories import make_department, make_edition, make_user
from tests.helpers import statements_on

NOW = datetime(2026, 7, 10, 1, tzinfo=UTC)
PAGES = ("/desk/inbox", "/desk/inbox?status=answered", "/desk/stats", "/desk/stats?year=2026")


def ask(db, count: int, editions, desk) -> None:
    """`count` more questions: named and anonymous, from sections and quiz questions of several modules, some
    answered with a thread, some assigned."""
    branch = make_department(db)
    start = db.scalar(select(func.count()).select_from(DeskQuestion))
    for n in range(start, start + count):
        edition = editions[n % len(editions)]
        asker = make_user(db, department=branch) if n % 3 else None
        question = DeskQuestion(
            asker_id=asker.id if asker else None,
            claim_hash=None if asker else f"{n:064d}",
            category=("information", "ids_systems", "other")[n % 3],
            module_id=edition.module_id,
            edition_id=edition.id,
            section_position=1 + n % 2 if n % 2 else None,
            bank_question_id=edition.questions[n % len(edition.questions)].id if n % 2 == 0 else None,
            body=f"質問 {n}",
            status="answered" if n % 4 == 0 else "new",
            assignee_id=desk.id if n % 2 else None,
            asked_at=NOW - timedelta(days=1 + n),
            answered_at=NOW - timedelta(days=n) if n % 4 == 0 else None,
        )
        db.add(question)
        db.flush()
        if n % 4 == 0:
            db.add(DeskMessage(question_id=question.id, author_kind="desk", author_id=desk.id, body="回答",
                               created_at=NOW - timedelta(days=n)))  # fmt: skip
    db.commit()


@pytest.mark.parametrize("path", PAGES)
def test_desk_page_does_not_grow_with_questions(app, db, path):
    clock.freeze(NOW)
    editions = [make_edition(db, slug=f"desk-{m}", sections=3, questions=4, draw=2) for m in range(3)]
    desk = make_user(db, "desk")
    db.commit()
    client = app.test_client()
    sign_in(client, desk.employee_no)
    counts = []
    for count in (5, 45):
        ask(db, count, editions, desk)
        counts.append(statements_on(app, client, path))
    assert counts[0] == counts[1], f"{path}: {counts[0]} statements for 5 questions, {counts[1]} for 50"
    assert counts[0] <= 12, counts  # 7 to 11 when written
