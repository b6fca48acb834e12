"""The fair draw over HTTP: every section in each attempt, a retry of new questions that says so, the sections
behind the missed questions after a failure, and the quiz offered only when it can be taken."""

import re

from sqlalchemy import select

from learning.accounts.models import User
from learning.courses.formats.spec import SourceSpec
from learning.courses.models import Edition, Module, Question
from learning.courses.services import import_modules
from learning.quizzes.models import AttemptQuestion
from tests.conftest import post, sign_in
from tests.factories import make_assignment, make_user, module_spec
from tests.helpers import answers_for, read_all_sections, start_quiz


def tagged_module(db, slug="fair", sections=4, per_section=3, draw=4, **spec):
    """A module whose question i tests section (i mod sections) + 1, with extra spec fields set."""
    module = module_spec(slug=slug, sections=sections, questions=sections * per_section, draw=draw, pass_mark=100)
    for i, question in enumerate(module.questions):
        question.tags = [f"section-{i % sections + 1}"]
    for name, value in spec.items():
        setattr(module, name, value)
    import_modules(db, [module])
    return db.scalar(select(Edition).join(Module).where(Module.slug == slug))


def learner(db, client, edition, **user_fields):
    user = make_user(db, **user_fields)
    assignment = make_assignment(db, user, edition)
    db.commit()
    assert sign_in(client, user.employee_no).status_code == 302
    return assignment


def drawn(db, attempt_id) -> list[Question]:
    db.expire_all()
    return db.scalars(
        select(Question)
        .join(AttemptQuestion, AttemptQuestion.question_id == Question.id)
        .where(AttemptQuestion.attempt_id == attempt_id)
        .order_by(AttemptQuestion.position)
    ).all()


def test_each_attempt_covers_every_section_and_a_retry_draws_new_questions_and_says_so(db, client):
    edition = tagged_module(db)  # 4 sections of 3 questions, 4 drawn
    assignment = learner(db, client, edition)
    read_all_sections(client, assignment.id, 4)
    first_id = start_quiz(client, assignment.id)
    first = drawn(db, first_id)
    assert sorted(q.tags for q in first) == ["section-1", "section-2", "section-3", "section-4"]
    page = client.get(f"/attempts/{first_id}").get_data(as_text=True)
    assert "draws new questions" not in page  # a first attempt is not a retry
    # A reload shows the same draw: the same questions and choices in the same order (the page's form token, signed
    # with the time, may differ).
    shown = re.compile(r'name="(q\d+)" value="(\d+)"')
    assert shown.findall(client.get(f"/attempts/{first_id}").get_data(as_text=True)) == shown.findall(page)
    assert shown.findall(page)

    post(client, f"/attempts/{first_id}", answers_for(db, first_id, right=False))
    second_id = start_quiz(client, assignment.id)
    second = drawn(db, second_id)
    assert {q.id for q in second}.isdisjoint({q.id for q in first})
    assert sorted(q.tags for q in second) == ["section-1", "section-2", "section-3", "section-4"]
    page = client.get(f"/attempts/{second_id}").get_data(as_text=True)
    assert "This attempt draws new questions where the bank has them: 4 of 4 are new." in page

    post(client, f"/attempts/{second_id}", answers_for(db, second_id, right=False))
    third_id = start_quiz(client, assignment.id)
    third = drawn(db, third_id)
    assert {q.id for q in third}.isdisjoint({q.id for q in second})  # unseen in the attempt before it
    assert "4 of 4 are new" in client.get(f"/attempts/{third_id}").get_data(as_text=True)


def test_a_retry_says_how_many_are_new_when_the_bank_runs_short(db, client):
    edition = tagged_module(db, slug="short", sections=2, per_section=2, draw=3)  # 4 questions, 3 drawn
    assignment = learner(db, client, edition)
    read_all_sections(client, assignment.id, 2)
    first_id = start_quiz(client, assignment.id)
    post(client, f"/attempts/{first_id}", answers_for(db, first_id, right=False))
    second_id = start_quiz(client, assignment.id)
    assert len({q.id for q in drawn(db, second_id)} - {q.id for q in drawn(db, first_id)}) == 1
    assert "1 of 3 are new" in client.get(f"/attempts/{second_id}").get_data(as_text=True)


def test_after_a_failure_the_sections_behind_the_missed_questions_are_shown(db, client):
    edition = tagged_module(db)
    assignment = learner(db, client, edition)
    read_all_sections(client, assignment.id, 4)
    attempt_id = start_quiz(client, assignment.id)
    questions = drawn(db, attempt_id)
    form = answers_for(db, attempt_id, right=2)  # the first two right, the last two wrong
    post(client, f"/attempts/{attempt_id}", form)
    missed = sorted(int(q.tags.split("-")[1]) for q in questions[2:])
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    before_retry = result.split("Try again</button>")[0]
    assert "reread the sections behind the questions you missed" in before_retry
    listed = [int(n) for n in re.findall(rf"/training/{assignment.id}/sections/(\d+)\">Section", before_retry)]
    assert listed == missed
    overview = client.get(f"/training/{assignment.id}").get_data(as_text=True)
    quiz_panel = overview.split("Comprehension quiz")[1]
    assert "reread the sections behind the questions you missed" in quiz_panel.split("Go to the quiz")[0]
    for position in missed:
        assert f"Section {position}: Section {position}</a>" in quiz_panel
    db.get(User, assignment.user_id).locale = "ja"  # the reader's word for a section: 第N節
    db.commit()
    japanese = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert all(f"第{position}節: " in japanese for position in missed) and "セクション" not in japanese

    # Passing clears it: nothing to reread.
    retry_id = start_quiz(client, assignment.id)
    post(client, f"/attempts/{retry_id}", answers_for(db, retry_id, right=True))
    assert "questions you missed" not in client.get(f"/training/{assignment.id}").get_data(as_text=True)


def test_the_quiz_is_not_offered_while_a_section_is_unread_and_a_forced_start_says_which(db, client):
    edition = tagged_module(db)
    assignment = learner(db, client, edition)
    read_all_sections(client, assignment.id, 2)
    overview = client.get(f"/training/{assignment.id}").get_data(as_text=True)
    assert f'href="/training/{assignment.id}/quiz"' not in overview
    assert "Not read yet:" in overview and "Section 3: Section 3" in overview and "Section 4: Section 4" in overview
    home = client.get("/").get_data(as_text=True)
    assert f'href="/training/{assignment.id}/quiz"' not in home
    assert "Quiz after reading sections 3, 4" in home
    start_page = client.get(f"/training/{assignment.id}/quiz").get_data(as_text=True)
    assert "Start the quiz</button>" not in start_page and "Sections not read yet: 3, 4." in start_page
    forced = post(client, f"/training/{assignment.id}/quiz")
    assert forced.status_code == 302
    assert "Sections not read yet: 3, 4." in client.get(forced.location).get_data(as_text=True)

    read_all_sections(client, assignment.id, 4)
    assert f'href="/training/{assignment.id}/quiz"' in client.get(f"/training/{assignment.id}").get_data(as_text=True)
    assert f'href="/training/{assignment.id}/quiz"' in client.get("/").get_data(as_text=True)


def test_the_sources_are_listed_at_the_modules_end(db, client):
    sources = [
        SourceSpec({"ja": "資料一（公開）", "en": "Document one (public)"}, "https://example.org/one"),
        SourceSpec({"ja": "社内資料", "en": "Internal note"}, None),
    ]
    edition = tagged_module(db, slug="sourced", sources=sources)
    assignment = learner(db, client, edition)
    read_all_sections(client, assignment.id, 3)
    last = client.get(f"/training/{assignment.id}/sections/4").get_data(as_text=True)
    assert "<h2>Sources</h2>" in last
    assert '<a href="https://example.org/one" rel="noreferrer">Document one (public)</a>' in last
    assert "<li>Internal note</li>" in last and 'target="_blank"' not in last
    assert "<h2>Sources</h2>" not in client.get(f"/training/{assignment.id}/sections/3").get_data(as_text=True)
    assert "Document one (public)" in client.get(f"/training/{assignment.id}").get_data(as_text=True)


def test_the_sources_are_in_the_readers_language(db, client):
    sources = [SourceSpec({"ja": "資料一（公開）", "en": "Document one (public)"}, "https://example.org/one")]
    edition = tagged_module(db, slug="sourced-ja", sources=sources)
    assignment = learner(db, client, edition, locale="ja")
    japanese = client.get(f"/training/{assignment.id}").get_data(as_text=True)
    assert "<h2>出典</h2>" in japanese and "資料一（公開）</a>" in japanese and "Document one" not in japanese
