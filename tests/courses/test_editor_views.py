"""The trainer's editor through the browser's eyes (Flask test client): a module written in both languages,
reviewed by a second trainer and published; optimistic locking; validation messages; sanitising notices."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from learning.audit.models import AuditEvent
from learning.courses.models import Edition, Module, Question
from learning.courses.services import published_editions
from learning.quizzes.models import Attempt
from learning.training.models import Assignment
from tests.conftest import csrf_token, post, sign_in
from tests.factories import make_department, make_edition, make_launched_campaign, make_user


@pytest.fixture
def trainers(app, db):
    author, reviewer = make_user(db, "trainer", login_id="author"), make_user(db, "trainer", login_id="reviewer")
    clients = []
    for login in ("author", "reviewer"):
        client = app.test_client()
        sign_in(client, login)
        clients.append(client)
    return (author, clients[0]), (reviewer, clients[1])


def revision_of(html: str) -> str:
    return re.search(r'name="revision" type="hidden" value="(\d+)"', html).group(1)


def draft_fields(html: str, **changes) -> dict:
    """The editor's form as the page shows it (every input and textarea), with `changes` applied."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*? name="([^"]+)"[^>]*? value="([^"]*)"', html):
        fields[name] = value
    for name, value in re.findall(r'<textarea[^>]*? name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        fields[name] = value
    fields.pop("csrf_token", None)
    fields.pop("next", None)
    return {**fields, **changes}


def question_form(key: str, revision: str, kind: str = "single", right=(1,), **changes) -> dict:
    data = {
        "revision": revision,
        "key": key,
        "kind": kind,
        "prompt_ja": f"{key} の問い",
        "prompt_en": f"Question {key}",
        "explanation_ja": "解説",
        "explanation_en": "Explanation",
        "tags": "section-1",
    }
    for row in range(3):
        data[f"choices-{row}-text_ja"] = f"選択肢{row + 1}"
        data[f"choices-{row}-text_en"] = f"Choice {row + 1}"
        if row + 1 in right:
            data[f"choices-{row}-correct"] = "y"
        else:
            data[f"choices-{row}-feedback_ja"] = "誤りです"
            data[f"choices-{row}-feedback_en"] = "Wrong because"
    return {**data, **changes}


def write_new_module(client) -> int:
    """Creates `new-rules` and writes it completely in both languages; returns the draft's id."""
    response = post(client, "/library/new", {"slug": "new-rules", "title_ja": "新しい規則", "title_en": "New rules"})
    assert response.status_code == 302
    edition_id = int(re.search(r"/editions/(\d+)/edit", response.location).group(1))
    page = client.get(f"/editions/{edition_id}/edit").get_data(as_text=True)
    response = post(client, f"/editions/{edition_id}/edit", draft_fields(page, action="add"))
    assert response.status_code == 302
    page = client.get(f"/editions/{edition_id}/edit").get_data(as_text=True)
    fields = draft_fields(
        page,
        summary_ja="規則の概要",
        summary_en="What the rules are",
        draw="3",
        **{
            "sections-0-title_ja": "はじめに",
            "sections-0-title_en": "Introduction",
            "sections-0-body_ja": "## 目的\r\n\r\n中立性を守る。",
            "sections-0-body_en": "## Purpose\r\n\r\nKeep the grid neutral.",
        },
    )
    assert post(client, f"/editions/{edition_id}/edit", fields).status_code == 302
    for n in range(1, 4):
        page = client.get(f"/editions/{edition_id}/questions/new").get_data(as_text=True)
        response = post(client, f"/editions/{edition_id}/questions/new", question_form(f"q{n}", revision_of(page)))
        assert response.status_code == 302, response.get_data(as_text=True)
    return edition_id


def test_a_module_written_in_the_browser_is_reviewed_by_a_second_trainer_and_reaches_learners(app, db, trainers):
    (author, author_client), (reviewer, reviewer_client) = trainers
    edition_id = write_new_module(author_client)
    page = author_client.get(f"/editions/{edition_id}/edit").get_data(as_text=True)
    assert "Still missing before review" not in page
    assert "<h2>Purpose</h2>" in page  # the server's preview of the English body

    response = post(
        author_client, f"/editions/{edition_id}/submit", {"revision": revision_of(page), "change_note": "First"}
    )
    assert response.status_code == 302 and response.location.endswith(f"/editions/{edition_id}/review")

    # The author may not approve: refused, and the attempt is on the audit trail.
    response = post(author_client, f"/editions/{edition_id}/decision", {"decision": "approve"}, follow_redirects=True)
    assert "another trainer must approve it" in response.get_data(as_text=True)
    assert db.get(Edition, edition_id).status == "review"
    denied = db.scalar(select(AuditEvent).where(AuditEvent.action == "draft_approved"))
    assert (denied.outcome, denied.actor_id) == ("denied", author.id)

    review = reviewer_client.get(f"/editions/{edition_id}/review").get_data(as_text=True)
    assert "A new module: everything is new" in review and "Added" in review and "q3" in review
    response = post(reviewer_client, f"/editions/{edition_id}/decision", {"decision": "approve"})
    assert response.status_code == 302
    edition = db.get(Edition, edition_id)
    assert (edition.status, edition.reviewed_by_id) == ("published", reviewer.id)
    assert edition.content_hash and edition in published_editions(db)
    assert db.scalar(select(func.count()).select_from(Question).where(Question.edition_id == edition_id)) == 3

    learner = make_user(db, department=make_department(db))
    make_launched_campaign(db, [edition], reviewer.id)
    assigned = db.scalar(select(Assignment).where(Assignment.user_id == learner.id))
    assert assigned.edition_id == edition_id
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(edition_id))))
    assert {"draft_saved", "draft_submitted", "draft_approved", "edition_published"} <= actions


def test_a_draft_with_gaps_lists_them_and_cannot_go_to_review(app, db, trainers):
    (_author, client), _ = trainers
    response = post(client, "/library/new", {"slug": "half-done", "title_ja": "半分", "title_en": ""})
    edition_id = int(re.search(r"/editions/(\d+)/edit", response.location).group(1))
    page = client.get(f"/editions/{edition_id}/edit").get_data(as_text=True)
    assert "The title in English is missing." in page and "The module has no sections." in page
    response = post(
        client,
        f"/editions/{edition_id}/submit",
        {"revision": revision_of(page), "change_note": "x"},
        follow_redirects=True,
    )
    assert "The draft is not complete yet" in response.get_data(as_text=True)
    assert db.get(Edition, edition_id).status == "draft"


def test_a_second_save_from_an_older_page_is_refused_and_keeps_the_text(app, db, trainers):
    (author, first), (_reviewer, second) = trainers
    edition = make_edition(db, slug="shared")
    response = post(first, f"/library/{edition.module_id}/draft")
    draft_id = int(re.search(r"/editions/(\d+)/edit", response.location).group(1))
    page_one = first.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    page_two = second.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    assert post(first, f"/editions/{draft_id}/edit", draft_fields(page_one, title_en="First wins")).status_code == 302

    mine = "My careful rewrite that must not be lost"
    response = post(second, f"/editions/{draft_id}/edit", draft_fields(page_two, **{"sections-0-body_en": mine}))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"{author.name} saved this draft after you opened it" in html
    assert mine in html  # the refused text is shown again, not dropped
    assert db.get(Edition, draft_id).title_en == "First wins"


def test_question_validation_names_the_problem_and_saves_nothing(app, db, trainers):
    (_author, client), _ = trainers
    edition = make_edition(db, slug="checked")
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(client, f"/library/{edition.module_id}/draft").location)[1])
    before = db.scalar(select(func.count()).select_from(Question).where(Question.edition_id == draft_id))
    page = client.get(f"/editions/{draft_id}/questions/new").get_data(as_text=True)
    cases = [
        (question_form("two-right", revision_of(page), right=(1, 2)), "needs exactly one correct choice"),
        (question_form("none-right", revision_of(page), kind="multiple", right=()), "needs at least one correct"),
        (question_form("q1", revision_of(page)), "Another question of this module has this ID."),
        (question_form("Bad Key", revision_of(page)), "Lower-case letters, digits and single hyphens"),
    ]
    for data, message in cases:
        response = post(client, f"/editions/{draft_id}/questions/new", data)
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    assert db.scalar(select(func.count()).select_from(Question).where(Question.edition_id == draft_id)) == before


def test_true_false_takes_the_fixed_texts_and_questions_move_and_retire(app, db, trainers):
    (_author, client), _ = trainers
    edition = make_edition(db, slug="bank", questions=3)
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(client, f"/library/{edition.module_id}/draft").location)[1])
    page = client.get(f"/editions/{draft_id}/questions/new").get_data(as_text=True)
    data = {
        "revision": revision_of(page),
        "key": "tf",
        "kind": "truefalse",
        "prompt_ja": "共用IDは許される。",
        "prompt_en": "Shared IDs are allowed.",
        "explanation_ja": "一人一ID。",
        "explanation_en": "One person, one ID.",
        "choices-0-feedback_ja": "誤りです",
        "choices-0-feedback_en": "No",
        "choices-1-correct": "y",
    }
    assert post(client, f"/editions/{draft_id}/questions/new", data).status_code == 302
    tf = db.scalar(select(Question).where(Question.edition_id == draft_id, Question.key == "tf"))
    assert [(c.text_ja, c.text_en, c.correct) for c in tf.choices] == [
        ("正しい", "True", False),
        ("誤り", "False", True),
    ]

    def keys():
        db.expire_all()
        return list(db.scalars(select(Question.key).where(Question.edition_id == draft_id).order_by(Question.position)))

    assert keys() == ["q1", "q2", "q3", "tf"]
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    post(client, f"/editions/{draft_id}/questions/4/up", {"revision": revision_of(page)})
    assert keys() == ["q1", "q2", "tf", "q3"]
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    post(client, f"/editions/{draft_id}/questions/1/retire", {"revision": revision_of(page)})
    assert keys() == ["q2", "tf", "q3"]
    assert db.scalar(select(func.count()).select_from(Question).where(Question.edition_id == edition.id)) == 3


def test_sections_move_and_go_and_unsafe_markup_is_removed_with_a_notice(app, db, trainers):
    (_author, client), _ = trainers
    edition = make_edition(db, slug="sections", sections=3)
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(client, f"/library/{edition.module_id}/draft").location)[1])
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    titles = [draft_fields(page)[f"sections-{i}-title_en"] for i in range(3)]
    post(client, f"/editions/{draft_id}/edit", draft_fields(page, action="down-1"))
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    assert [draft_fields(page)[f"sections-{i}-title_en"] for i in range(3)] == [titles[1], titles[0], titles[2]]
    post(client, f"/editions/{draft_id}/edit", draft_fields(page, action="remove-3"))
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    assert "sections-2-title_en" not in page

    evil = "Hello <script>alert(1)</script><img src=x onerror=alert(2)> [a](javascript:alert(3))"
    post(client, f"/editions/{draft_id}/edit", draft_fields(page, **{"sections-0-body_en": evil}))
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    preview = re.search(r'id="preview-1-en"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "<script" not in preview and "onerror" not in preview and 'href="javascript:' not in preview
    assert "Hello" in preview
    notice = re.search(r'<p class="notice" id="preview-1-en-removed"([^>]*)>', page).group(1)
    assert "hidden" not in notice
    clean_notice = re.search(r'<p class="notice" id="preview-1-ja-removed"([^>]*)>', page).group(1)
    assert "hidden" in clean_notice


def test_the_preview_button_renders_without_saving(app, db, trainers):
    (_author, client), _ = trainers
    edition = make_edition(db, slug="previewed")
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(client, f"/library/{edition.module_id}/draft").location)[1])
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    revision = db.get(Edition, draft_id).revision
    response = post(
        client, f"/editions/{draft_id}/edit", draft_fields(page, action="preview", **{"sections-0-body_en": "**bold**"})
    )
    assert response.status_code == 200 and "<strong>bold</strong>" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Edition, draft_id).revision == revision


def test_images_are_checked_by_their_bytes_and_a_drafts_images_stay_with_its_authors(app, db, trainers):
    (_author, client), _ = trainers
    edition = make_edition(db, slug="pictures")
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(client, f"/library/{edition.module_id}/draft").location)[1])
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    from io import BytesIO

    response = post(
        client,
        f"/editions/{draft_id}/images",
        {"revision": revision_of(page), "image": (BytesIO(svg), "diagram.svg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Only PNG and JPEG images can be uploaded" in response.get_data(as_text=True)
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    response = post(
        client,
        f"/editions/{draft_id}/images",
        {"revision": revision_of(page), "image": (BytesIO(png), "Flow Chart.PNG")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "images/flow-chart.png" in response.get_data(as_text=True)
    image = client.get(f"/editions/{draft_id}/images/flow-chart.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == png

    learner = app.test_client()
    make_user(db, login_id="reader")
    sign_in(learner, "reader")
    assert learner.get(f"/editions/{draft_id}/images/flow-chart.png").status_code == 404


def test_the_learner_preview_draws_questions_and_records_nothing(app, db, trainers):
    (_author, client), _ = trainers
    edition = make_edition(db, slug="looked-at", questions=5, draw=3)
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(client, f"/library/{edition.module_id}/draft").location)[1])
    counts = [db.scalar(select(func.count()).select_from(t)) for t in (Assignment, Attempt)]
    html = client.get(f"/editions/{draft_id}/preview").get_data(as_text=True)
    assert "nothing here is recorded" in html
    assert html.count('<fieldset class="question">') == 3
    assert [db.scalar(select(func.count()).select_from(t)) for t in (Assignment, Attempt)] == counts


def test_send_back_needs_comments_and_returns_the_draft_with_them(app, db, trainers):
    (_author, author_client), (_reviewer, reviewer_client) = trainers
    edition_id = write_new_module(author_client)
    page = author_client.get(f"/editions/{edition_id}/edit").get_data(as_text=True)
    post(author_client, f"/editions/{edition_id}/submit", {"revision": revision_of(page), "change_note": "v1"})
    response = post(reviewer_client, f"/editions/{edition_id}/decision", {"decision": "send_back", "comments": " "})
    assert "Write what the authors should change" in reviewer_client.get(response.location).get_data(as_text=True)
    assert db.get(Edition, edition_id).status == "review"
    post(reviewer_client, f"/editions/{edition_id}/decision", {"decision": "send_back", "comments": "Cite the law."})
    db.expire_all()
    assert db.get(Edition, edition_id).status == "draft"
    page = author_client.get(f"/editions/{edition_id}/edit").get_data(as_text=True)
    assert "Cite the law." in page


def test_the_library_and_changes_are_readable_by_oversight_but_not_editable(app, db):
    edition = make_edition(db, slug="overseen")
    make_edition(db, slug="overseen", body="改訂された本文。")
    auditor = make_user(db, "auditor", login_id="aud")
    client = app.test_client()
    sign_in(client, "aud")
    library = client.get("/library").get_data(as_text=True)
    assert "overseen" in library and "Start a new draft" not in library and "New module" not in library
    newest = db.scalar(select(Edition).join(Module).where(Module.slug == "overseen", Edition.status == "published"))
    changes = client.get(f"/editions/{newest.id}/changes").get_data(as_text=True)
    assert "改訂された本文。" in changes and "本文です。" in changes
    assert (
        client.post(f"/library/{edition.module_id}/draft", data={"csrf_token": csrf_token(client, "/")}).status_code
        == 403
    )
    refused = db.scalar(select(AuditEvent).where(AuditEvent.action == "authz_fail", AuditEvent.actor_id == auditor.id))
    assert refused is not None and "library.draft_start" in refused.details


def test_module_topics_are_lower_case_words_and_are_saved(app, db, trainers):
    (_author, client), _ = trainers
    edition = make_edition(db, slug="topics")
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(client, f"/library/{edition.module_id}/draft").location)[1])
    page = client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    response = post(client, f"/editions/{draft_id}/edit", draft_fields(page, tags="共用ID, Transfers"))
    assert response.status_code == 400
    assert "Topics (tags): Lower-case words with hyphens" in response.get_data(as_text=True)
    assert post(client, f"/editions/{draft_id}/edit", draft_fields(page, tags="ids, transfers")).status_code == 302
    db.expire_all()
    assert db.get(Edition, draft_id).tags == "ids,transfers"
    assert 'value="ids, transfers"' in client.get(f"/editions/{draft_id}/edit").get_data(as_text=True)


def test_someone_who_is_not_a_trainer_opening_the_editor_is_refused_and_recorded(app, db, trainers):
    (_author, client), _ = trainers
    edition = make_edition(db, slug="guarded")
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(client, f"/library/{edition.module_id}/draft").location)[1])
    for role in ("learner", "manager", "desk", "compliance", "auditor", "admin"):
        person = make_user(db, *([] if role == "learner" else [role]), login_id=f"not-{role}")
        other = app.test_client()
        sign_in(other, f"not-{role}")
        assert other.get(f"/editions/{draft_id}/edit").status_code == 403, role
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "authz_fail", AuditEvent.actor_id == person.id))
        assert event is not None and "editor.edit" in event.details, role
