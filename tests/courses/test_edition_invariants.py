"""One edition in the works and one published edition per module, held by the database
(uq_editions_in_the_works, uq_editions_published): drafts started and editions published at the same moment
leave one of each, and every request gets a proper answer."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning import clock
from learning.authoring import review
from learning.authoring import services as authoring
from learning.courses.models import Edition
from learning.courses.services import import_modules, spec_from_edition
from tests.conftest import PG_URL, csrf_token, sign_in
from tests.factories import make_edition, make_user, module_spec
from tests.test_create_once import _form


def refused_by(index: str, column: str = "editions.module_id") -> str:
    return f'"{index}"' if PG_URL else f"UNIQUE constraint failed: {column}"


def edition_row(module_id: int, version: int, status: str) -> Edition:
    return Edition(
        module_id=module_id,
        version=version,
        label="2026",
        status=status,
        title_ja="規則",
        title_en="Rules",
        summary_ja="",
        summary_en="",
        minutes=10,
        pass_mark=60,
        draw=3,
        content_hash="",
        created_at=clock.now(),
    )


def editions_of(db, module_id: int, *statuses: str) -> list[Edition]:
    db.expire_all()
    return list(db.scalars(select(Edition).where(Edition.module_id == module_id, Edition.status.in_(statuses))))


def test_the_database_refuses_a_second_draft_and_a_second_published_edition(db):
    module_id = make_edition(db, slug="rules").module_id
    with pytest.raises(IntegrityError) as published:
        db.add(edition_row(module_id, 2, "published"))
        db.flush()
    assert refused_by("uq_editions_published") in str(published.value)
    db.rollback()
    db.add(edition_row(module_id, 2, "draft"))
    db.flush()
    for status in ("draft", "review"):
        with pytest.raises(IntegrityError) as second:
            db.add(edition_row(module_id, 3, status))
            db.flush()
        assert refused_by("uq_editions_in_the_works") in str(second.value)
        db.rollback()
    db.add_all([edition_row(module_id, 3, "retired"), edition_row(module_id, 4, "retired")])
    db.flush()
    assert [len(editions_of(db, module_id, s)) for s in ("published", "draft", "retired")] == [1, 1, 2]


def in_review(db, slug: str = "rules"):
    """A published edition and a revised draft of it waiting for review; (author, draft)."""
    published = make_edition(db, slug=slug)
    author = make_user(db, "trainer")
    draft = authoring.start_draft(db, published.module_id, author.id)
    spec = replace(spec_from_edition(db, draft), title={"ja": "改訂版", "en": "Revised"})
    draft = authoring.save_draft(db, draft.id, draft.revision, spec, author.id)
    review.submit(db, draft.id, draft.revision, author.id, "改訂 / Revised", False)
    return author, draft


def test_a_draft_older_than_the_edition_it_replaces_is_published_in_its_place(db):
    """Content imported while the draft was in review is newer (a higher id) than the draft: publishing
    the draft retires it first, so the unique index holds at each statement on PostgreSQL too."""
    _, draft = in_review(db)
    import_modules(db, [replace(module_spec(slug="rules"), minutes=25)])
    imported = editions_of(db, draft.module_id, "published")[0]
    assert imported.id > draft.id
    published, replaced = review.approve(db, draft.id, make_user(db, "trainer").id)
    assert (published.id, replaced.id) == (draft.id, imported.id)
    assert [e.id for e in editions_of(db, draft.module_id, "published")] == [draft.id]
    assert published.version == 4 and editions_of(db, draft.module_id, "draft", "review") == []


@pytest.mark.skipif(not PG_URL, reason="concurrent drafts are a PostgreSQL concern (SQLite serialises writers)")
def test_drafts_started_at_once_make_one_draft(app, db):
    module_id = make_edition(db, slug="rules").module_id
    trainer = make_user(db, "trainer")
    db.commit()
    author = app.test_client()
    assert sign_in(author, trainer.employee_no).status_code == 302
    action = f"/library/{module_id}/draft"
    forms = [_form(author, "/library", action) for _ in range(10)]  # ten tabs, each its own one-time token
    barrier, responses = threading.Barrier(10), []

    def start(form):
        tab = app.test_client()
        tab.set_cookie("portal", author.get_cookie("portal").value)
        barrier.wait()
        responses.append(tab.post(action, data=form))

    threads = [threading.Thread(target=start, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    drafts = editions_of(db, module_id, "draft", "review")
    assert len(drafts) == 1
    assert [(r.status_code, r.location) for r in responses] == [(302, f"/editions/{drafts[0].id}/edit")] * 10


@pytest.mark.skipif(not PG_URL, reason="concurrent publishing is a PostgreSQL concern (SQLite serialises writers)")
def test_editions_published_at_once_leave_one_published(app, db):
    """Three reviewers approve the draft while two content imports publish a new edition of the same
    module: every request and import ends cleanly, and the module has one published edition."""
    _, draft = in_review(db)
    reviewers = [make_user(db, "trainer") for _ in range(3)]
    db.commit()
    clients = []
    for reviewer in reviewers:
        client = app.test_client()
        assert sign_in(client, reviewer.employee_no).status_code == 302
        clients.append((client, {"csrf_token": csrf_token(client, f"/editions/{draft.id}/review")}))
    engine = app.extensions["db"].engine
    barrier, responses, errors = threading.Barrier(5), [], []

    def approve(client, form):
        barrier.wait()
        responses.append(client.post(f"/editions/{draft.id}/decision", data={**form, "decision": "approve"}))

    def content_import():
        with Session(engine) as session:
            barrier.wait()
            try:
                import_modules(session, [replace(module_spec(slug="rules"), minutes=25)])
                session.commit()
            except Exception as exc:  # the test reports whatever went wrong
                errors.append(exc)

    threads = [threading.Thread(target=approve, args=pair) for pair in clients]
    threads += [threading.Thread(target=content_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(r.status_code for r in responses) == [302, 302, 302]
    landed = sorted(r.location for r in responses)
    # One approval published the draft (to its changes); the others were told it is no longer in review.
    assert landed == [f"/editions/{draft.id}/changes", *[f"/editions/{draft.id}/review"] * 2]
    assert len(editions_of(db, draft.module_id, "published")) == 1
    assert editions_of(db, draft.module_id, "draft", "review") == []
