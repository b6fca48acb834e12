"""The 30-day warning of a contract's end (issue 19 item 6): to the internal owner and the sponsoring
department's head, naming the accounts that lapse and what to do; once, not again, and again for a new end."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from learning import clock
from learning.accounts import contract_ends, contractor_staff, contractors
from learning.campaigns.jobs import run_jobs
from learning.notify.models import OutboxMessage
from tests.factories import make_department, make_user


def at_tokyo_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


@pytest.fixture
def contract(db):
    clock.freeze(at_tokyo_noon(date(2026, 8, 20)))
    sponsor = make_department(db, code="G-NET")
    owner = make_user(db, department=sponsor, employee_no="OWN1", name="担当 一郎", email="own1@example.jp")
    head = make_user(db, "manager", department=sponsor, scope=sponsor, name="部長 二郎", email="head@example.jp")
    company = contractors.create_company(db, None, "K-METER", "検針サービス", "Meter Services")
    contract = contractors.add_contract(
        db,
        None,
        company,
        reference="C-001",
        sponsor_code="G-NET",
        owner_employee_no=owner.employee_no,
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 9, 30),
    )
    for staff_no, ends_on in (("S1", date(2026, 9, 30)), ("S2", date(2026, 9, 15))):
        contractor_staff.create_staff(
            db, None, contract, name=f"委託 {staff_no}", staff_no=staff_no, email=None, ends_on=ends_on
        )
    db.commit()
    yield contract, owner, head
    clock.freeze(None)


def warnings(db) -> list[OutboxMessage]:
    return db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "contract_ending")).all()


def test_the_owner_and_the_head_are_warned_30_days_ahead_once(app, db, contract):
    contract, owner, head = contract
    assert contract_ends.warn(db, "https://portal.example/") == 0  # 41 days ahead: not yet
    clock.freeze(at_tokyo_noon(date(2026, 8, 31)))  # 30 days before 30 September
    assert contract_ends.warn(db, "https://portal.example/") == 2
    db.commit()
    sent = {m.to_user_id: m for m in warnings(db)}
    assert set(sent) == {owner.id, head.id}
    body = sent[owner.id].body
    assert "C-001 with Meter Services" in body and "ends on Sep 30, 2026" in body
    c = contract.company_id
    assert f"委託 S1 (C{c}-S1): Sep 30, 2026" in body and f"委託 S2 (C{c}-S2): Sep 15, 2026" in body
    assert "extend the contract's end date" in body and "lapse by themselves" in body  # what to do
    assert contract_ends.warn(db, "https://portal.example/") == 0  # not again
    clock.freeze(at_tokyo_noon(date(2026, 9, 10)))
    assert contract_ends.warn(db, "https://portal.example/") == 0  # nor on a later day


def test_jobs_run_warns_and_an_extended_contract_warns_again_before_its_new_end(app, db, contract):
    contract, _owner, _head = contract
    clock.freeze(at_tokyo_noon(date(2026, 9, 1)))
    with app.app_context():
        run = run_jobs(db, app.extensions["settings"], extra_steps=app.extensions["jobs_steps"])
    assert run.steps["contract end warnings"] == 2
    assert len(warnings(db)) == 2
    contract.ends_on = date(2026, 12, 31)
    db.commit()
    assert contract_ends.warn(db, "https://portal.example/") == 0
    clock.freeze(at_tokyo_noon(date(2026, 12, 1)))
    assert contract_ends.warn(db, "https://portal.example/") == 2
    assert contract_ends.warn(db, "https://portal.example/") == 0
