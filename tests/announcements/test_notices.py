"""Notices: who sees which (everyone, company and department subtrees, the window, the status), four eyes for
one asking for acknowledgement (in the service and in the database), acknowledging once, the home page."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from learning import clock
from learning.announcements import services
from learning.announcements.models import Notice, NoticeReceipt
from learning.audit.models import AuditEvent
from tests.conftest import PG_URL, csrf_token, post, sign_in
from tests.factories import make_department, make_user

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 10:00 on 1 June in Tokyo
TODAY = date(2026, 6, 1)


def draft(**overrides) -> services.NoticeDraft:
    fields = {
        "kind": "notice",
        "sender_ja": "",
        "sender_en": "",
        "title_ja": "お知らせ",
        "title_en": "A notice",
        "body_ja": "本文です。",
        "body_en": "The text.",
        "everyone": True,
        "departments": (),
        "first_day": TODAY,
        "last_day": None,
        "pinned": False,
        "requires_ack": False,
    }
    fields.update(overrides)
    return services.NoticeDraft(**fields)


@pytest.fixture
def org(db):
    """Two companies (retail R with sales S under it, grid G with a centre C under it) and their people."""
    clock.freeze(NOW)
    retail, grid = make_department(db, code="R"), make_department(db, code="G")
    sales, centre = make_department(db, code="S", parent=retail), make_department(db, code="C", parent=grid)
    people = {
        "author": make_user(db, "compliance", department=retail, name="Author"),
        "approver": make_user(db, "compliance", department=retail, name="Approver"),
        "seller": make_user(db, department=sales, name="Seller"),
        "operator": make_user(db, department=centre, name="Operator"),
        "nobody": make_user(db, name="No department"),
    }
    db.commit()
    return {"retail": retail, "grid": grid, "sales": sales, "centre": centre, **people}


def published(db, author, approver=None, **overrides) -> Notice:
    notice = services.create(db, draft(**overrides), author.id)
    if notice.requires_ack:
        services.submit(db, notice.id, notice.revision, author.id)
        notice = services.approve(db, notice.id, notice.revision, approver.id)
    else:
        notice = services.publish(db, notice.id, notice.revision, author.id)
    db.commit()
    return notice


def titles_for(db, user) -> list[str]:
    return [c.notice.title_en for c in services.current_for(db, user, clock.now())]


def test_the_audience_is_everyone_or_company_and_department_subtrees(db, org):
    published(db, org["author"], title_en="Everyone")
    published(db, org["author"], title_en="Retail company", everyone=False, departments=(org["retail"].id,))
    published(db, org["author"], title_en="Grid centre", everyone=False, departments=(org["centre"].id,))
    published(db, org["author"], title_en="Both", everyone=False, departments=(org["sales"].id, org["grid"].id))

    assert titles_for(db, org["seller"]) == ["Both", "Retail company", "Everyone"]  # newest first (same day: id)
    assert titles_for(db, org["operator"]) == ["Both", "Grid centre", "Everyone"]
    assert titles_for(db, org["author"]) == ["Retail company", "Everyone"]  # R itself, not S's
    assert titles_for(db, org["nobody"]) == ["Everyone"]


def test_the_window_status_and_pinning_decide_what_shows_now(db, org):
    published(db, org["author"], title_en="Old", first_day=TODAY - timedelta(days=10), last_day=TODAY - timedelta(1))
    published(db, org["author"], title_en="Last day", first_day=TODAY - timedelta(days=3), last_day=TODAY)
    published(db, org["author"], title_en="Tomorrow", first_day=TODAY + timedelta(days=1))
    published(db, org["author"], title_en="Pinned", pinned=True, first_day=TODAY - timedelta(days=5))
    services.create(db, draft(title_en="Draft"), org["author"].id)
    gone = published(db, org["author"], title_en="Withdrawn")
    services.withdraw(db, gone.id, gone.revision, org["author"].id)
    db.commit()

    assert titles_for(db, org["seller"]) == ["Pinned", "Last day"]
    # The last day ends at midnight in Tokyo.
    clock.freeze(datetime(2026, 6, 1, 14, 59, tzinfo=UTC))
    assert "Last day" in titles_for(db, org["seller"])
    clock.freeze(datetime(2026, 6, 1, 15, 0, tzinfo=UTC))  # 00:00 on 2 June in Tokyo
    assert titles_for(db, org["seller"]) == ["Pinned", "Tomorrow"]


def test_a_notice_asking_for_acknowledgement_needs_a_second_person(db, org):
    author, approver = org["author"], org["approver"]
    notice = services.create(db, draft(requires_ack=True), author.id)
    with pytest.raises(services.AnnouncementError) as refused:
        services.publish(db, notice.id, notice.revision, author.id)
    assert refused.value.code == "needs_review"
    notice = services.submit(db, notice.id, notice.revision, author.id)
    with pytest.raises(services.AnnouncementError) as own:
        services.approve(db, notice.id, notice.revision, author.id)
    assert own.value.code == "own_notice" and own.value.audit.outcome == "denied"
    notice = services.approve(db, notice.id, notice.revision, approver.id)
    db.commit()
    assert (notice.status, notice.approved_by_id, notice.published_by_id) == ("published", approver.id, approver.id)
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "notice")).all()
    assert actions == ["notice_created", "notice_submitted", "notice_approved", "notice_published"]


def test_the_database_refuses_an_approval_by_the_author_or_a_publication_without_one(db, org):
    author = org["author"]
    notice = services.create(db, draft(requires_ack=True), author.id)
    db.commit()
    with pytest.raises(IntegrityError):
        db.execute(update(Notice).where(Notice.id == notice.id).values(status="published", approved_by_id=author.id))
    db.rollback()
    with pytest.raises(IntegrityError):
        db.execute(update(Notice).where(Notice.id == notice.id).values(status="published", published_at=NOW))
    db.rollback()
    assert db.scalar(select(Notice.status).where(Notice.id == notice.id)) == "draft"


def test_an_edit_from_an_older_page_is_refused(db, org):
    notice = services.create(db, draft(), org["author"].id)
    services.edit(db, notice.id, 1, draft(title_en="Second"), org["approver"].id)
    with pytest.raises(services.AnnouncementError) as stale:
        services.edit(db, notice.id, 1, draft(title_en="From an old page"), org["author"].id)
    assert stale.value.code == "stale"
    db.commit()
    assert db.scalar(select(Notice.title_en).where(Notice.id == notice.id)) == "Second"


def test_bad_input_names_the_field(db, org):
    cases = [
        (draft(title_en=" "), "title_missing", "title_en"),
        (draft(kind="management"), "sender_missing", "sender_ja"),
        (draft(everyone=False), "audience_missing", "departments"),
        (draft(everyone=False, departments=(987654,)), "audience_unknown", "departments"),
        (draft(last_day=TODAY - timedelta(days=1)), "window", "last_day"),
    ]
    for bad, code, field in cases:
        with pytest.raises(services.AnnouncementError) as refused:
            services.create(db, bad, org["author"].id)
        assert (refused.value.code, refused.value.field) == (code, field)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Notice)) == 0


def test_acknowledging_twice_records_once_with_the_department_then(app, db, org):
    notice = published(db, org["author"], org["approver"], requires_ack=True, title_en="President's message")
    client = app.test_client()
    sign_in(client, org["seller"].employee_no)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "I have read this" in page and "President&#39;s message" in page
    for _ in range(2):
        response = post(client, f"/notices/{notice.id}/acknowledge", follow_redirects=True)
        assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You confirmed that you have read this" in page and "I have read this</button>" not in page
    receipts = db.scalars(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice.id)).all()
    assert [(r.user_id, r.department_id) for r in receipts] == [(org["seller"].id, org["sales"].id)]
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "notice_acknowledged")).all()
    assert len(events) == 1 and json.loads(events[0].details) == {"department_id": org["sales"].id}


def test_a_notice_not_addressed_to_a_person_is_not_found_for_them(app, db, org):
    notice = published(db, org["author"], title_en="Grid only", everyone=False, departments=(org["grid"].id,))
    client = app.test_client()
    sign_in(client, org["seller"].employee_no)
    assert client.get(f"/notices/{notice.id}").status_code == 404
    assert post(client, f"/notices/{notice.id}/acknowledge").status_code == 404
    assert db.scalar(select(func.count()).select_from(NoticeReceipt)) == 0


def test_the_home_page_shows_current_notices_first_pinned_and_marked(app, db, org):
    published(db, org["author"], title_en="Ordinary notice")
    published(db, org["author"], title_en="Pinned notice", pinned=True)
    ack = published(db, org["author"], org["approver"], title_en="Please confirm", requires_ack=True)
    client = app.test_client()
    sign_in(client, org["operator"].employee_no)
    page = client.get("/").get_data(as_text=True)
    panel = page[page.index("Notices and messages") : page.index("Your training at a glance")]
    assert panel.index("Pinned notice") < panel.index("Please confirm") < panel.index("Ordinary notice")
    assert "Please confirm you have read it" in panel and panel.count("Unread") == 2
    post(client, f"/notices/{ack.id}/acknowledge")
    panel = client.get("/").get_data(as_text=True)
    assert "Read and confirmed" in panel and "Please confirm you have read it" not in panel


def test_a_script_is_sanitised_and_the_author_told(app, db, org):
    client = app.test_client()
    sign_in(client, org["author"].employee_no)
    page = client.get("/admin/notices/new").get_data(as_text=True)
    once = page.split('name="once" value="')[1].split('"')[0] if 'name="once"' in page else ""
    form = {
        "kind": "notice",
        "title_ja": "件名",
        "title_en": "Subject",
        "body_ja": "大切なお知らせ<script>alert(1)</script>",
        "body_en": "Important [link](javascript:alert(1))",
        "audience": "all",
        "first_day": TODAY.isoformat(),
        "once": once,
        "csrf_token": csrf_token(client, "/admin/notices/new"),
    }
    response = client.post("/admin/notices/new", data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Text (Japanese, Markdown) contained markup that is not allowed" in page
    assert "Text (English, Markdown) contained markup that is not allowed" in page
    notice = db.scalar(select(Notice))
    assert "<script>" in notice.body_ja  # kept as written, for the author to correct
    preview = page[page.index("Preview") : page.index("</section>", page.index("Preview"))]
    assert "大切なお知らせ" in preview and "Important" in preview
    assert "<script" not in preview and "alert(1)</script>" not in preview and 'href="javascript' not in preview


def test_compliance_writes_submits_and_a_second_officer_approves_on_the_pages(app, db, org):
    author, approver = app.test_client(), app.test_client()
    sign_in(author, org["author"].employee_no)
    sign_in(approver, org["approver"].employee_no)
    notice = services.create(db, draft(requires_ack=True, title_en="To approve"), org["author"].id)
    db.commit()
    edit = f"/admin/notices/{notice.id}/edit"
    page = post(author, f"/admin/notices/{notice.id}/submit", {"revision": "1"}, follow_redirects=True)
    assert "sent to a second compliance officer" in page.get_data(as_text=True)
    page = post(author, f"/admin/notices/{notice.id}/approve", {"revision": "2"}, follow_redirects=True)
    assert "a second person must approve it" in page.get_data(as_text=True)
    assert "Approve and publish" in approver.get(edit).get_data(as_text=True)
    page = post(approver, f"/admin/notices/{notice.id}/approve", {"revision": "2"}, follow_redirects=True)
    assert "Approved: the notice is published." in page.get_data(as_text=True)
    refused = db.scalar(
        select(AuditEvent).where(AuditEvent.action == "notice_approved", AuditEvent.outcome == "denied")
    )
    assert refused.actor_id == org["author"].id
    assert db.scalar(select(Notice.status).where(Notice.id == notice.id)) == "published"
    assert db.scalar(text("select count(*) from notice_departments")) == 0


@pytest.mark.skipif(not PG_URL, reason="two transactions really overlapping on the notice's row are PostgreSQL's")
def test_two_officers_approving_at_once_publish_once(app, db, org):
    """The second UPDATE waits for the first's row lock, then finds the notice no longer in review."""
    third = make_user(db, "compliance")
    db.commit()
    notice = services.create(db, draft(requires_ack=True), org["author"].id)
    notice = services.submit(db, notice.id, notice.revision, org["author"].id)
    db.commit()
    barrier, outcomes = threading.Barrier(2), []
    factory = app.extensions["db"].factory

    def approve(officer_id: int):
        session = factory()
        try:
            barrier.wait()
            services.approve(session, notice.id, notice.revision, officer_id)
            session.commit()
            outcomes.append("published")
        except services.AnnouncementError as error:
            session.rollback()
            outcomes.append(error.code)
        finally:
            session.close()

    threads = [threading.Thread(target=approve, args=(who,)) for who in (org["approver"].id, third.id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["not_in_review", "published"]
    published_events = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "notice_published")
    )
    assert published_events == 1
