"""Drafts, optimistic locking, four-eyes review and publishing (the services under the trainer's editor)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from learning import clock
from learning.audit.models import AuditEvent
from learning.authoring import completeness, imports, review
from learning.authoring import services as authoring
from learning.authoring.services import AuthoringError
from learning.courses.formats.spec import ChoiceSpec, QuestionSpec, SectionSpec
from learning.courses.models import Edition
from learning.courses.services import published_editions, spec_from_edition
from tests.factories import make_edition, make_user


def both(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


def question(key: str, kind: str = "single") -> QuestionSpec:
    return QuestionSpec(
        key,
        kind,
        both(f"{key} の問い", f"Question {key}"),
        both("解説", "Explanation"),
        [
            ChoiceSpec(both("正しい選択肢", "Right"), True, None),
            ChoiceSpec(both("誤った選択肢", "Wrong"), False, both("なぜ誤りか", "Why wrong")),
        ],
        ["section-1"],
    )


@pytest.fixture
def trainers(db):
    return make_user(db, "trainer", login_id="t1"), make_user(db, "trainer", login_id="t2")


def complete(spec):
    return replace(
        spec,
        summary=both("概要", "Summary"),
        sections=[SectionSpec(1, both("はじめに", "Introduction"), both("本文", "Body"))],
        questions=[question(f"q{i}") for i in range(1, 6)],
        draw=5,
    )


def test_a_new_module_goes_from_draft_through_review_to_published(db, trainers):
    author, reviewer = trainers
    draft = authoring.new_module(db, "new-rules", both("新しい規則", "New rules"), author.id)
    assert draft.status == "draft" and draft.version == 1 and draft.revision == 1
    assert draft.label == str(clock.tokyo_date(clock.fiscal_year_start(clock.now())).year)
    problems = completeness.findings(spec_from_edition(db, draft))
    assert {"missing_summary", "no_sections", "too_few_questions"} <= {p.code for p in problems}
    with pytest.raises(AuthoringError) as refused:
        review.submit(db, draft.id, draft.revision, author.id, "first", False)
    assert refused.value.code == "incomplete"

    draft = authoring.save_draft(db, draft.id, 1, complete(spec_from_edition(db, draft)), author.id)
    assert draft.revision == 2 and completeness.findings(spec_from_edition(db, draft)) == []
    review.submit(db, draft.id, 2, author.id, "First edition", False)
    assert draft.status == "review"
    with pytest.raises(AuthoringError) as own:
        review.approve(db, draft.id, author.id)
    assert own.value.code == "own_draft"
    # The refusal carries its audit event; the view writes it in a transaction of its own.
    assert (own.value.audit.action, own.value.audit.outcome) == ("draft_approved", "denied")
    published, replaced = review.approve(db, draft.id, reviewer.id)
    assert published.status == "published" and replaced is None and published.content_hash
    assert published.content_hash == spec_from_edition(db, published).content_hash()
    assert published in published_editions(db)
    steps = [(e.action, e.outcome) for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert steps == [
        ("module_created", "success"),
        ("draft_saved", "success"),
        ("draft_submitted", "success"),
        ("edition_published", "success"),
    ]
    assert own.value.audit.actor_id == author.id


def test_a_second_save_from_an_older_revision_is_refused(db, trainers):
    first, second = trainers
    edition = make_edition(db)
    draft = authoring.start_draft(db, edition.module_id, first.id)
    assert draft.version == edition.version + 1 and draft.status == "draft"
    assert authoring.start_draft(db, edition.module_id, second.id).id == draft.id  # one draft per module
    loaded = spec_from_edition(db, draft)
    authoring.save_draft(db, draft.id, 1, replace(loaded, title=both("一人目", "First")), first.id)
    with pytest.raises(AuthoringError) as conflict:
        authoring.save_draft(db, draft.id, 1, replace(loaded, title=both("二人目", "Second")), second.id)
    assert conflict.value.code == "conflict" and conflict.value.params["editor_id"] == first.id
    assert db.get(Edition, draft.id).title_en == "First"
    assert edition.status == "published" and edition.title_en != "First"  # the published one is untouched


def test_findings_name_the_question_and_language(db, trainers):
    author, _ = trainers
    draft = authoring.new_module(db, "checks", both("確認", "Checks"), author.id)
    spec = complete(spec_from_edition(db, draft))
    broken = [
        replace(spec.questions[0], prompt=both("問い", "")),
        replace(spec.questions[1], choices=[replace(c, correct=True) for c in spec.questions[1].choices]),
        replace(
            spec.questions[2], kind="multiple", choices=[replace(c, correct=False) for c in spec.questions[2].choices]
        ),
        replace(spec.questions[3], choices=spec.questions[3].choices[:1]),
    ]
    found = completeness.findings(replace(spec, questions=broken, draw=5))
    assert ("missing_question_text", 1, "en") in {(f.code, f.question, f.language) for f in found}
    assert ("single_needs_one", 2) in {(f.code, f.question) for f in found}
    assert ("multiple_needs_one", 3) in {(f.code, f.question) for f in found}
    assert ("choice_count", 4) in {(f.code, f.question) for f in found}
    assert "too_few_questions" in {f.code for f in found}


def test_sending_back_needs_comments_and_reopens_the_draft(db, trainers):
    author, reviewer = trainers
    draft = authoring.new_module(db, "back", both("差戻し", "Back"), author.id)
    draft = authoring.save_draft(db, draft.id, 1, complete(spec_from_edition(db, draft)), author.id)
    review.submit(db, draft.id, draft.revision, author.id, "", True)
    with pytest.raises(AuthoringError):
        review.send_back(db, draft.id, reviewer.id, "  ")
    review.send_back(db, draft.id, reviewer.id, "第2節の例を増やしてください")
    assert draft.status == "draft" and draft.review_note.startswith("第2節")
    with pytest.raises(AuthoringError) as not_in_review:
        review.approve(db, draft.id, reviewer.id)
    assert not_in_review.value.code == "not_in_review"


def test_tags_survive_and_editions_without_tags_keep_their_hash(db, trainers):
    edition = make_edition(db)
    spec = spec_from_edition(db, edition)
    assert spec.content_hash() == edition.content_hash  # no tags: the hash from before tags existed
    author, _ = trainers
    draft = authoring.start_draft(db, edition.module_id, author.id)
    tagged = replace(spec, questions=[question("tagged"), *spec.questions[1:]])
    saved = spec_from_edition(db, authoring.save_draft(db, draft.id, 1, tagged, author.id))
    assert saved.questions[0].tags == ["section-1"]


def test_uploaded_images_are_checked_by_their_bytes():
    assert imports.image_type("a.png", b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert imports.image_type("a.jpg", b"\xff\xd8\xff\xe0....") == "image/jpeg"
    for name, data in [("x.svg", b"<svg onload=alert(1)>"), ("x.png", b"<script>"), ("x.gif", b"GIF89a")]:
        with pytest.raises(AuthoringError) as refused:
            imports.image_type(name, data)
        assert refused.value.code == "image_type"
    with pytest.raises(AuthoringError) as big:
        imports.image_type("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024))
    assert big.value.code == "image_too_large"


def test_a_section_showing_an_image_that_was_not_uploaded_keeps_the_draft_from_review(db, trainers):
    author, _ = trainers
    draft = authoring.new_module(db, "pictured", both("図解", "Pictured"), author.id)
    spec = complete(spec_from_edition(db, draft))
    body = both("![図](images/flow.png)", "Text")
    spec = replace(spec, sections=[SectionSpec(1, both("図", "Figure"), body)])
    draft = authoring.save_draft(db, draft.id, draft.revision, spec, author.id)
    found = completeness.findings(spec_from_edition(db, draft))
    assert [(f.code, f.section, f.language, f.name) for f in found] == [("missing_image", 1, "ja", "flow.png")]
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 8
    spec = replace(spec_from_edition(db, draft), images={"flow.png": png})
    draft = authoring.save_draft(db, draft.id, draft.revision, spec, author.id)
    assert completeness.findings(spec_from_edition(db, draft)) == []
