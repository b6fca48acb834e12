"""An access review (棚卸し) from opening to lapse, and the auditor's register and exports."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from learning import clock
from learning.accounts import reviews
from learning.accounts.errors import AccountError
from learning.accounts.models import AccessReviewItem, RoleGrant, User
from learning.audit.models import AuditEvent
from learning.notify.models import OutboxMessage
from tests.conftest import post, sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_department, make_user


def signed_in(app, user):
    client = app.test_client()
    sign_in(client, user.employee_no)
    return client


def test_a_review_from_opening_to_lapse_with_the_auditors_export(app, db):
    branch = make_department(db, code="BR")
    section = make_department(db, code="BR-1", parent=branch)
    compliance, other_compliance = make_user(db, "compliance"), make_user(db, "compliance")
    auditor = make_user(db, "auditor", name="監査 一郎")
    head = make_user(db, "manager", department=branch, scope=branch, name="部長 二郎")
    trainer = make_user(db, "trainer", department=section, name="研修 三子")
    dormant = make_user(db, department=section, name="休眠 四郎")
    forgotten = make_user(db, department=section, name="放置 五郎")
    long_ago = clock.now() - timedelta(days=200)
    for person in (dormant, forgotten):
        person.created_at = long_ago
    recent = clock.now() - timedelta(days=3)
    for person in (compliance, other_compliance, auditor, head, trainer):
        person.last_sign_in_at = recent
    db.commit()

    client = signed_in(app, compliance)
    due = clock.tokyo_date(clock.now()) + timedelta(days=14)
    opened = post(
        client, "/access/reviews", {"title": "2026年度下期 棚卸し", "due_on": due.isoformat(), "dormant_days": "90"}
    )
    assert opened.status_code == 302
    items = db.scalars(select(AccessReviewItem).order_by(AccessReviewItem.id)).all()
    grant_items = [i for i in items if i.kind == "grant"]
    dormant_items = {i.user_id: i for i in items if i.kind == "dormant"}
    assert len(grant_items) == 5  # two compliance, auditor, manager, trainer: all to compliance
    assert all(i.reviewer_id is None for i in grant_items)
    assert set(dormant_items) == {dormant.id, forgotten.id}
    assert {i.reviewer_id for i in dormant_items.values()} == {head.id}  # the head of the section's parent
    mailed = {m.to_user_id for m in db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "access_review"))}
    assert mailed == {head.id, compliance.id, other_compliance.id}

    # Nobody decides on their own access; a head decides only their own items.
    own = next(i for i in grant_items if i.user_id == compliance.id)
    with_own = post(client, f"/access/review/items/{own.id}/confirmed")
    assert "Nobody grants, approves or revokes their own roles" in client.get(with_own.location).get_data(as_text=True)
    head_client = signed_in(app, head)
    trainer_item = next(i for i in grant_items if i.user_id == trainer.id)
    refused = post(head_client, f"/access/review/items/{trainer_item.id}/revoked")
    assert "for another reviewer" in head_client.get(refused.location).get_data(as_text=True)
    assert "Access review: 2 items await your decision." in head_client.get("/").get_data(as_text=True)
    page = head_client.get("/access/review").get_data(as_text=True)
    assert "休眠 四郎" in page and "研修 三子" not in page

    post(head_client, f"/access/review/items/{dormant_items[dormant.id].id}/revoked")  # locked
    post(client, f"/access/review/items/{trainer_item.id}/confirmed")
    other = signed_in(app, other_compliance)
    post(other, f"/access/review/items/{own.id}/confirmed")
    db.expire_all()
    assert db.get(User, dormant.id).password_hash is None
    assert db.get(RoleGrant, trainer_item.grant_id).last_reviewed_by_id == compliance.id

    # Three days before the due day: reminders, and compliance hears which heads are late (none now).
    clock.freeze(clock.now() + timedelta(days=12))
    assert reviews.remind(db, "https://portal.example.intra/") >= 1
    db.commit()
    reminded = {
        m.to_user_id for m in db.scalars(select(OutboxMessage)) if m.dedupe_key.startswith("access_review_reminder")
    }
    assert reminded == {head.id, compliance.id, other_compliance.id}
    escalations = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "access_review_escalation")).all()
    assert {m.to_user_id for m in escalations} == {compliance.id, other_compliance.id}
    assert all("部長 二郎" in m.body for m in escalations)  # the head still has 放置 五郎 to decide
    assert reviews.remind(db, "https://portal.example.intra/") == 0  # once per review

    # After the due day, what nobody confirmed lapses.
    clock.freeze(clock.now() + timedelta(days=3))
    lapsed = reviews.close_overdue(db)
    db.commit()
    assert lapsed == 4  # auditor, manager, other compliance's grant, and 放置 五郎's account
    db.expire_all()
    assert db.get(User, auditor.id).roles == {"learner"}
    assert db.get(User, forgotten.id).password_hash is None
    assert reviews.close_overdue(db) == 0  # safe to repeat

    # Internal audit reads the review's outcome, in a file it can hand over.
    review_id = items[0].review_id
    audit_client = signed_in(app, make_user(db, "auditor"))
    register = audit_client.get("/access/register").get_data(as_text=True)
    assert f'href="/access/reviews/{review_id}"' in register  # the auditor finds every review from the register
    page = audit_client.get(f"/access/reviews/{review_id}").get_data(as_text=True)
    assert "2026年度下期 棚卸し" in page and "Lapsed (not confirmed by the due date)" in page
    exported = read_csv(audit_client.get(f"/access/reviews/{review_id}.csv"))
    decisions = {r["Name"]: (r["Decision"], r["decision_code"]) for r in exported.records()}
    assert decisions["休眠 四郎"] == ("Revoked", "revoked")
    assert decisions["放置 五郎"] == ("Lapsed (not confirmed by the due date)", "lapsed")


def test_the_auditor_reads_the_register_and_exports_it(app, db):
    admin, compliance = make_user(db, "admin", name="管理 太郎"), make_user(db, "compliance", name="法令 花子")
    auditor = make_user(db, "auditor")
    person = make_user(db, name="新任 次郎")
    db.commit()
    from learning.accounts import grants

    grant = grants.request_grant(db, person, "trainer", None, admin)
    grants.approve(db, grant.id, compliance)
    db.commit()
    client = signed_in(app, auditor)
    page = client.get("/access/register").get_data(as_text=True)
    assert "新任 次郎" in page and "管理 太郎" in page and "法令 花子" in page
    exported = read_csv(client.get("/access/register.csv?status=all"))
    assert exported.title == "Access register" and exported.said("Filters") == "all grants"
    record = next(r for r in exported.records() if r["Name"] == "新任 次郎")
    assert (record["Role"], record["role_code"]) == ("Trainer", "trainer")
    assert (record["Status"], record["status_code"]) == ("In force", "active")
    assert record["Requested by"].startswith("管理 太郎") and record["Approved by"].startswith("法令 花子")
    workbook = read_xlsx(client.get("/access/register.xlsx"))
    assert workbook.sheet["A1"].value == "Access register"
    exports = [
        json.loads(e.details) for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "report_exported"))
    ]
    assert {e["format"] for e in exports} == {"csv", "xlsx"}
    assert client.get("/admin/people").status_code == 403  # reads the register, manages nothing


def test_opening_a_review_with_a_past_due_date_is_refused(app, db):
    compliance = make_user(db, "compliance")
    db.commit()
    client = signed_in(app, compliance)
    past = (clock.tokyo_date(clock.now()) - timedelta(days=1)).isoformat()
    page = post(client, "/access/reviews", {"title": "x", "due_on": past, "dormant_days": "90"})
    assert page.status_code == 400 and "after today" in page.get_data(as_text=True)
    bad = post(client, "/access/reviews", {"title": "x", "due_on": "2027-02-30", "dormant_days": "90"})
    assert bad.status_code == 400 and "Due date: enter a date" in bad.get_data(as_text=True)
    days = post(client, "/access/reviews", {"title": "x", "due_on": "2027-02-27", "dormant_days": "3"})
    assert days.status_code == 400 and "Dormant after" in days.get_data(as_text=True)
    with pytest.raises(AccountError) as raised:
        reviews.decide(db, 999999, compliance, "confirmed")
    assert raised.value.code == "review_item_decided"
