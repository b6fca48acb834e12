"""Trainer pages issue as many SQL statements for 25 questions as for 5 (no query per question or choice):
the editor, a question, the preview, what changed, the review with its diff, GIFT and zip exports, and item
analysis (page and export); the library and the list of editions to analyse, for two modules as for one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from learning.authoring import review
from learning.authoring.services import save_draft, start_draft
from learning.courses.services import spec_from_edition
from tests.conftest import post, sign_in
from tests.factories import make_assignment, make_edition, make_user
from tests.helpers import answers_for, read_all_sections, start_quiz, statements_on

SMALL, LARGE = 5, 25

PAGES = {
    "library": "/library",
    "edit": "/editions/{draft}/edit",
    "question": "/editions/{draft}/questions/2",
    "preview": "/editions/{draft}/preview",
    "changes": "/editions/{draft}/changes",
    "review": "/editions/{draft}/review",
    "gift_export": "/editions/{published}/export.gift?language=en",
    "zip_export": "/editions/{published}/export.zip",
    "item_analysis_index": "/reports/items",
    "item_analysis": "/reports/items/{published}",
    "item_analysis_csv": "/reports/items/{published}.csv",
}
IN_REVIEW = {"review"}  # measured once the draft has been sent to review; the others while it is a draft
ANSWERED = {"item_analysis", "item_analysis_csv"}  # a learner's attempt first, so that every figure is there


def module_of(app, db, author, questions: int, slug: str, answered: bool, in_review: bool) -> dict[str, int]:
    """A published edition of `questions` questions (answered in one attempt, when asked) and a draft of the
    next edition in which every question and a section changed, sent to review when asked."""
    published = make_edition(db, slug=slug, sections=3, questions=questions, draw=questions)
    if answered:
        learner = make_user(db)
        assignment = make_assignment(db, learner, published)
        db.commit()
        client = app.test_client()
        sign_in(client, learner.employee_no)
        read_all_sections(client, assignment.id, 3)
        attempt_id = start_quiz(client, assignment.id)
        assert post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id, right=2)).status_code == 302
    draft = start_draft(db, published.module_id, author.id)
    spec = spec_from_edition(db, draft)
    changed = replace(
        spec,
        sections=[replace(spec.sections[0], body={"ja": "新しい本文", "en": "New body"}), *spec.sections[1:]],
        questions=[replace(q, prompt={"ja": q.prompt["ja"] + "?", "en": q.prompt["en"] + "?"}) for q in spec.questions],
    )
    save_draft(db, draft.id, draft.revision, changed, author.id)
    if in_review:
        db.refresh(draft)
        review.submit(db, draft.id, draft.revision, author.id, "Every question reworded", False)
    db.commit()
    return {"published": published.id, "draft": draft.id}


@pytest.mark.parametrize("page", PAGES)
def test_trainer_page_does_not_grow_with_questions(app, db, page):
    author, reader = make_user(db, "trainer"), make_user(db, "trainer")
    db.commit()
    client = app.test_client()
    sign_in(client, reader.employee_no)
    counts = []
    for questions in (SMALL, LARGE):
        ids = module_of(app, db, author, questions, f"m{questions}", page in ANSWERED, page in IN_REVIEW)
        counts.append(statements_on(app, client, PAGES[page].format(**ids)))
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements for {SMALL} questions, {counts[1]} for {LARGE}"
    assert counts[0] <= 20, counts  # 4 to 18 when written (PostgreSQL issues no BEGIN, SQLite one)
