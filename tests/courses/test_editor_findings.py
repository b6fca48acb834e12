"""The editor shows a draft the findings `content check` reports for files: the assessment rules as warnings,
which do not keep it from review, and unknown terms as errors, which do; in English and Japanese."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from learning.authoring.services import save_draft, start_draft
from learning.courses.models import Edition
from learning.courses.services import import_modules, spec_from_edition
from tests.conftest import post, sign_in
from tests.courses.banks import good_spec
from tests.factories import make_user


@pytest.fixture
def author(app, db):
    def signed_in(locale: str = "en"):
        user = make_user(db, "trainer", login_id=f"author-{locale}", locale=locale)
        db.commit()
        client = app.test_client()
        sign_in(client, user.login_id)
        return user, client

    return signed_in


def draft_of(db, user, change) -> Edition:
    """A published good bank, another module's published good bank, and a draft of the first with `change`."""
    import_modules(db, [good_spec(), good_spec("other-bank")])
    published = db.query(Edition).join(Edition.module).filter_by(slug="good-bank").one()
    draft = start_draft(db, published.module_id, user.id)
    save_draft(db, draft.id, draft.revision, change(spec_from_edition(db, draft)), user.id)
    db.commit()
    return draft


def page_text(client, draft: Edition) -> str:
    return html.unescape(client.get(f"/editions/{draft.id}/edit").get_data(as_text=True))


def submit(client, draft: Edition, page: str):
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)
    return post(client, f"/editions/{draft.id}/submit", {"revision": revision, "change_note": "Reworded"})


def untagged(spec):
    return replace(
        spec, questions=[*spec.questions[:2], replace(spec.questions[2], tags=["judgement"]), *spec.questions[3:]]
    )


def with_unknown_term(spec):
    first = spec.questions[0]
    misspelt = replace(first, prompt={"ja": "{{gird_company}}の場面です。", "en": first.prompt["en"]})
    return replace(spec, questions=[misspelt, *spec.questions[1:]])


def test_an_untagged_question_is_a_warning_that_does_not_keep_the_draft_from_review(db, author):
    user, client = author()
    draft = draft_of(db, user, untagged)
    page = page_text(client, draft)
    assert "Assessment warnings" in page
    assert "<li>Question 3: Question 'q3' has no section-N tag</li>" in page
    assert "<li>No question tests section 4</li>" not in page  # q7 and q13 still test it
    assert "Still missing before review" not in page
    response = submit(client, draft, page)
    assert response.status_code == 302 and response.location.endswith(f"/editions/{draft.id}/review")
    db.expire_all()
    assert db.get(Edition, draft.id).status == "review"


def test_a_good_draft_has_no_warning(db, author):
    user, client = author()
    page = page_text(client, draft_of(db, user, lambda spec: spec))
    assert "Assessment warnings" not in page


def test_an_unknown_term_keeps_the_draft_from_review(db, author):
    user, client = author()
    draft = draft_of(db, user, with_unknown_term)
    page = page_text(client, draft)
    assert "Still missing before review" in page
    assert "Question 1 (Japanese) uses {{gird_company}}, which is not a known term. The terms are" in page
    response = submit(client, draft, page)
    assert response.status_code == 302 and response.location.endswith(f"/editions/{draft.id}/edit#submit")
    assert "The draft is not complete yet" in html.unescape(client.get(response.location).get_data(as_text=True))
    db.expire_all()
    assert db.get(Edition, draft.id).status == "draft"


def test_a_scenario_repeated_from_another_published_module_is_named(db, author):
    user, client = author()

    def copied(spec):
        other = good_spec("other-bank").questions[8]  # q9 of the other module
        return replace(
            spec, questions=[*spec.questions[:3], replace(spec.questions[3], prompt=other.prompt), *spec.questions[4:]]
        )

    page = page_text(client, draft_of(db, user, copied))
    assert re.search(
        r"Question 4: Question 'q4' repeats the scenario of question 'q9' of module other-bank \(similarity 1\.00, "
        r"threshold 0\.40\)",
        page,
    )


def test_the_findings_in_japanese(db, author):
    user, client = author("ja")
    page = page_text(client, draft_of(db, user, lambda spec: with_unknown_term(untagged(spec))))
    assert "出題上の注意" in page
    assert "<li>問題3：問題「q3」に section-N のタグがありません</li>" in page
    assert "問題1（日本語）で使われている {{gird_company}} は、登録された用語ではありません。" in page


def test_the_reviewer_sees_the_assessment_warnings_the_author_saw(app, db, author):
    user, client = author()
    draft = draft_of(db, user, untagged)
    page = page_text(client, draft)
    assert submit(client, draft, page).status_code == 302
    reviewer = make_user(db, "trainer", login_id="reviewer-en")
    db.commit()
    other = app.test_client()
    sign_in(other, reviewer.login_id)
    review = html.unescape(other.get(f"/editions/{draft.id}/review").get_data(as_text=True))
    assert "Assessment warnings" in review
    assert "Question 3: Question 'q3' has no section-N tag" in review
