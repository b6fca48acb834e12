"""Compliance's checklist pages in a browser's steps: a new checklist, items added and moved, sent for
review, the author's approval refused, a second officer's approval; the preview; concurrent approvals."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from learning.audit.models import AuditEvent
from learning.inspections import services
from learning.inspections.models import InspectionVersion
from learning.inspections.services import ItemInput
from tests.conftest import PG_URL, csrf_token, post, sign_in
from tests.factories import make_user
from tests.test_create_once import _form


def signed_in(app, db, *roles):
    user = make_user(db, *roles)
    db.commit()
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return user, client


ITEM = {
    "new-text_ja": "端末が台帳と一致している。",
    "new-text_en": "The terminals match the ledger.",
    "new-guidance_ja": "**一台ずつ**照合する。",
    "new-guidance_en": "Check **each one**.",
    "new-source": "2 b.",
    "new-evidence": "y",
}


def test_a_checklist_from_new_to_published_through_two_officers(app, db):
    author, client = signed_in(app, db, "compliance")
    form = _form(client, "/admin/inspections/new", None)
    made = client.post(
        "/admin/inspections/new",
        data={**form, "slug": "branch-check", "title_ja": "支店点検", "title_en": "Branch check"},
    )
    assert made.status_code == 302
    version = db.scalar(select(InspectionVersion))
    assert made.location == f"/admin/inspections/versions/{version.id}/edit"
    edit = f"/admin/inspections/versions/{version.id}/edit"
    unsafe = {**ITEM, "new-guidance_ja": "<script>alert(1)</script>"}
    refused = client.post(
        f"/admin/inspections/versions/{version.id}/items",
        data={**_form(client, edit, f"/admin/inspections/versions/{version.id}/items"), **unsafe},
    )
    assert refused.status_code == 400
    assert "The guidance holds markup that is not allowed" in refused.get_data(as_text=True)
    for text in ("A", "B"):
        action = f"/admin/inspections/versions/{version.id}/items"
        added = client.post(action, data={**_form(client, edit, action), **ITEM, "new-text_en": text})
        assert (added.status_code, added.location) == (302, f"{edit}#items")
    db.expire_all()
    items = db.get(InspectionVersion, version.id).items
    assert [i.text_en for i in items] == ["A", "B"] and items[0].evidence_required
    moved = post(client, f"/admin/inspections/versions/{version.id}/items/{items[1].id}/move/up")
    assert moved.status_code == 302
    db.expire_all()
    assert [i.text_en for i in db.get(InspectionVersion, version.id).items] == ["B", "A"]
    assert post(client, f"/admin/inspections/versions/{version.id}/submit").status_code == 302
    page = client.get(f"/admin/inspections/versions/{version.id}").get_data(as_text=True)
    assert "another compliance officer must approve it" in page and "Approve and publish" not in page
    own = post(client, f"/admin/inspections/versions/{version.id}/decision", {"decision": "approve"})
    assert own.status_code == 302
    db.expire_all()
    assert db.get(InspectionVersion, version.id).status == "review"
    denied = db.scalar(select(AuditEvent).where(AuditEvent.action == "inspection_published"))
    assert (denied.outcome, denied.actor_id) == ("denied", author.id)

    _, reviewer = signed_in(app, db, "compliance")
    empty = post(
        reviewer, f"/admin/inspections/versions/{version.id}/decision", {"decision": "send_back", "comments": ""}
    )
    assert empty.status_code == 400
    approved = post(reviewer, f"/admin/inspections/versions/{version.id}/decision", {"decision": "approve"})
    assert approved.status_code == 302
    db.expire_all()
    assert db.get(InspectionVersion, version.id).status == "published"

    preview = reviewer.get(f"/admin/inspections/versions/{version.id}/preview").get_data(as_text=True)
    assert "<strong>一台ずつ</strong>" not in preview  # English reader: the English guidance
    assert "Check <strong>each one</strong>." in preview and "<script>" not in preview
    assert preview.count('type="radio"') == 6
    japanese = app.test_client()
    japanese.set_cookie("portal", reviewer.get_cookie("portal").value)
    assert post(japanese, "/locale", {"locale": "ja", "next": "/"}).status_code == 302
    listing = japanese.get("/admin/inspections").get_data(as_text=True)
    assert "自主点検" in listing and "支店点検" in listing


def test_internal_audit_reads_every_page_and_changes_nothing(app, db):
    author = make_user(db, "compliance")
    version = services.new_template(db, "audit-read", {"ja": "監査", "en": "Audit read"}, author.id)
    services.add_item(db, version.id, ItemInput({"ja": "項目", "en": "Item"}, {"ja": "", "en": ""}, False), author.id)
    _, auditor = signed_in(app, db, "auditor")
    for path in (
        "/admin/inspections",
        f"/admin/inspections/{version.template_id}",
        f"/admin/inspections/versions/{version.id}",
        f"/admin/inspections/versions/{version.id}/preview",
    ):
        page = auditor.get(path)
        assert page.status_code == 200, path
        assert "Send for review" not in page.get_data(as_text=True)
    assert post(auditor, f"/admin/inspections/versions/{version.id}/submit").status_code == 403


def in_review(db) -> InspectionVersion:
    author = make_user(db, "compliance")
    version = services.new_template(db, "race", {"ja": "競合", "en": "Race"}, author.id)
    services.add_item(db, version.id, ItemInput({"ja": "項目", "en": "Item"}, {"ja": "", "en": ""}, False), author.id)
    services.submit(db, version.id, author.id)
    return version


def at_once(calls) -> list:
    barrier, responses = threading.Barrier(len(calls)), []

    def run(call):
        barrier.wait()
        responses.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.mark.skipif(not PG_URL, reason="concurrent approvals are a PostgreSQL concern (SQLite serialises writers)")
def test_versions_approved_at_once_and_drafts_started_at_once_leave_one_of_each(app, db):
    """Four officers approve the same version at the same moment: one publishes it, the others are told it is
    no longer in review. Then four start a new version at once: one draft, and all four land on it."""
    version = in_review(db)
    clients = [signed_in(app, db, "compliance")[1] for _ in range(4)]
    tokens = [csrf_token(c, f"/admin/inspections/versions/{version.id}") for c in clients]
    decision = f"/admin/inspections/versions/{version.id}/decision"
    approvals = at_once(
        [
            lambda c=c, t=t: c.post(decision, data={"csrf_token": t, "decision": "approve"})
            for c, t in zip(clients, tokens, strict=True)
        ]
    )
    assert [r.status_code for r in approvals] == [302] * 4
    published = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "inspection_published", AuditEvent.outcome == "success")
    ).all()
    assert len(published) == 1
    db.expire_all()
    assert db.get(InspectionVersion, version.id).status == "published"

    page = f"/admin/inspections/{version.template_id}"
    action = f"{page}/draft"
    forms = [_form(c, page, action) for c in clients]  # each tab its own one-time token
    starts = at_once([lambda c=c, f=f: c.post(action, data=f) for c, f in zip(clients, forms, strict=True)])
    drafts = db.scalars(
        select(InspectionVersion).where(
            InspectionVersion.template_id == version.template_id, InspectionVersion.status == "draft"
        )
    ).all()
    assert len(drafts) == 1 and len(drafts[0].items) == 1
    assert [(r.status_code, r.location) for r in starts] == [
        (302, f"/admin/inspections/versions/{drafts[0].id}/edit")
    ] * 4
