"""Contractors' accounts in the access review (issue 19 item 6): each put to its contract's internal owner, who
confirms or ends it; those left unconfirmed at the review's end lapse as leavers do, on the audit trail."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from learning import clock
from learning.accounts import contractor_staff, contractors, reviews
from learning.accounts.models import AccessReviewItem, User
from learning.accounts.passwords import hash_password
from learning.audit.models import AuditEvent
from learning.notify.models import OutboxMessage
from tests.conftest import post, sign_in
from tests.factories import PASSWORD, make_department, make_user

NOW = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


@pytest.fixture
def setting(db):
    clock.freeze(NOW)
    sponsor = make_department(db, code="G-NET")
    owner = make_user(db, department=sponsor, employee_no="OWN1", name="担当 一郎")
    other_owner = make_user(db, department=sponsor, employee_no="OWN2", name="担当 二郎")
    company = contractors.create_company(db, None, "K-METER", "検針サービス", "Meter Services")
    mine, theirs = (
        contractors.add_contract(
            db,
            None,
            company,
            reference=reference,
            sponsor_code="G-NET",
            owner_employee_no=who.employee_no,
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 9, 30),
        )
        for reference, who in (("C-001", owner), ("C-002", other_owner))
    )
    people = {}
    for staff_no, contract in (("S1", mine), ("S2", mine), ("S3", mine), ("S4", theirs)):
        person = contractor_staff.create_staff(
            db, None, contract, name=f"委託 {staff_no}", staff_no=staff_no, email=None, ends_on=date(2026, 9, 30)
        )
        person.password_hash = hash_password(PASSWORD)
        person.created_at = NOW - timedelta(days=400)  # long dormant: reviewed as a contractor, not as dormant
        people[staff_no] = person
    compliance = make_user(db, "compliance")
    db.commit()
    yield owner, other_owner, people, compliance
    clock.freeze(None)


def client_of(app, user):
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def test_the_owner_confirms_or_ends_each_account_and_the_rest_lapse(app, db, setting):
    owner, other_owner, people, compliance = setting
    officer = client_of(app, compliance)
    opened = post(officer, "/access/reviews", {"title": "上期 棚卸し", "due_on": "2026-06-30", "dormant_days": "90"})
    assert opened.status_code == 302
    items = {i.user_id: i for i in db.scalars(select(AccessReviewItem).where(AccessReviewItem.kind == "contractor"))}
    assert {u: i.reviewer_id for u, i in items.items()} == {
        people["S1"].id: owner.id,
        people["S2"].id: owner.id,
        people["S3"].id: owner.id,
        people["S4"].id: other_owner.id,
    }
    dormant = set(db.scalars(select(AccessReviewItem.user_id).where(AccessReviewItem.kind == "dormant")))
    assert not dormant & {p.id for p in people.values()}
    mailed = {m.to_user_id for m in db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "access_review"))}
    assert {owner.id, other_owner.id} <= mailed

    # The owner sees their own contractors' accounts only, and decides them; not another owner's.
    mine = client_of(app, owner)
    page = mine.get("/access/review").get_data(as_text=True)
    assert all(f"委託 {n}" in page for n in ("S1", "S2", "S3")) and "委託 S4" not in page
    assert "C-001" in page and "End access" in page
    assert post(mine, f"/access/review/items/{items[people['S1'].id].id}/confirmed").status_code == 302
    ended = post(mine, f"/access/review/items/{items[people['S3'].id].id}/revoked")
    assert "The contractor&#39;s access has ended" in mine.get(ended.location).get_data(as_text=True)
    refused = post(mine, f"/access/review/items/{items[people['S4'].id].id}/confirmed")
    assert "This item is for another reviewer." in mine.get(refused.location).get_data(as_text=True)
    db.expire_all()
    assert db.get(User, people["S3"].id).status == "left"
    assert sign_in(app.test_client(), people["S3"].employee_no).status_code == 403

    # After the due day, the accounts nobody confirmed lapse: sessions end, on the trail; the confirmed one stays.
    s2 = client_of(app, people["S2"])
    clock.freeze(datetime(2026, 6, 30, 15, 0, tzinfo=UTC))  # 1 July in Tokyo
    assert reviews.close_overdue(db) == 3  # S2, S4 and the compliance officer's own grant
    db.commit()
    db.expire_all()
    statuses = {n: db.get(User, p.id).status for n, p in people.items()}
    assert statuses == {"S1": "active", "S2": "left", "S3": "left", "S4": "left"}
    assert s2.get("/").status_code == 302  # the session ended
    refusal = sign_in(app.test_client(), people["S2"].employee_no)
    assert refusal.status_code == 403 and "担当 一郎" in refusal.get_data(as_text=True)
    reasons = {
        int(e.target_id): json.loads(e.details)["reason"]
        for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "contractor_access_ended"))
    }
    assert reasons == {
        people["S3"].id: "review_ended",
        people["S2"].id: "review_unconfirmed",
        people["S4"].id: "review_unconfirmed",
    }
    decided = {i.user_id: i.decision for i in db.scalars(select(AccessReviewItem))}
    assert decided[people["S1"].id] == "confirmed" and decided[people["S2"].id] == "lapsed"
    assert reviews.close_overdue(db) == 0


def test_an_owner_who_left_hands_the_accounts_to_compliance(app, db, setting):
    owner, _other, people, compliance = setting
    owner.status = "left"
    db.commit()
    review = reviews.open_review(db, compliance, "r", date(2026, 6, 30), 90, "https://portal.example/")
    db.commit()
    items = db.scalars(
        select(AccessReviewItem).where(AccessReviewItem.review_id == review.id, AccessReviewItem.kind == "contractor")
    ).all()
    assert {i.user_id: i.reviewer_id for i in items if i.user_id in (people["S1"].id, people["S4"].id)} == {
        people["S1"].id: None,
        people["S4"].id: _other.id,
    }
    assert people["S1"].id in {i.user_id for i in reviews.items_for(db, compliance)}
