"""Editing a contract (issue 19 item 1): reference, sponsor, owner and days, audited before and after; an end
moved earlier shortens the staff's end days once confirmed, a later one lengthens nobody's; an ended contract is
read-only."""

import json
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import contractor_staff, contractors
from learning.accounts.contractor_models import ContractorContract
from learning.accounts.models import User
from learning.audit.models import AuditEvent
from tests.conftest import PG_URL, csrf_token, sign_in
from tests.factories import make_department, make_user

NOW = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


@pytest.fixture
def setting(db, app):
    clock.freeze(NOW)
    make_department(db, code="G-NET")
    make_department(db, code="R-SALES")
    make_user(db, employee_no="OWN1", name="担当 一郎")
    make_user(db, employee_no="OWN2", name="担当 二郎")
    company = contractors.create_company(db, None, "K-METER", "検針サービス", "Meter Services")
    contract = contractors.add_contract(
        db,
        None,
        company,
        reference="C-001",
        sponsor_code="G-NET",
        owner_employee_no="OWN1",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 9, 30),
    )
    contractors.add_contract(
        db,
        None,
        company,
        reference="C-OLD",
        sponsor_code="G-NET",
        owner_employee_no="OWN1",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 6, 9),
    )
    for staff_no, ends_on in (("S1", date(2026, 9, 30)), ("S2", date(2026, 8, 31)), ("S3", date(2026, 7, 15))):
        contractor_staff.create_staff(
            db, None, contract, name=f"委託 {staff_no}", staff_no=staff_no, email=None, ends_on=ends_on
        )
    officer = make_user(db, "compliance")
    db.commit()
    client = app.test_client()
    sign_in(client, officer.employee_no)
    yield client, contract
    clock.freeze(None)


def page_of(contract) -> str:
    return f"/contractors/{contract.company_id}/contracts/{contract.id}"


def save(client, contract, **changes):
    form = {
        "reference": "C-001",
        "sponsor_code": "G-NET",
        "owner_employee_no": "OWN1",
        "starts_on": "2026-04-01",
        "ends_on": "2026-09-30",
    } | changes
    return client.post(page_of(contract), data={**form, "csrf_token": csrf_token(client, page_of(contract))})


def ends(db) -> dict[str, date]:
    db.expire_all()
    return dict(db.execute(select(User.contractor_staff_no, User.ends_on).where(User.kind == "contractor")).all())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2026-03-31"}, "Ends on (last day): The end date cannot be before the start date."),
        ({"reference": "C-OLD"}, "Contract reference: A contract already has the reference &#39;C-OLD&#39;."),
        ({"owner_employee_no": "NOBODY"}, "Nobody has the employee number &#39;NOBODY&#39;."),
        ({"sponsor_code": "X"}, "No department has the code &#39;X&#39;."),
        ({"ends_on": "2026-06-09"}, "The end date cannot be in the past."),
    ],
)
def test_bad_terms_are_named_by_field_and_nothing_changes(db, setting, changes, message):
    client, contract = setting
    for confirmed in ({"shorten_staff": changes.get("ends_on", "2026-09-30")}, {}):  # refused before confirming
        refused = save(client, contract, **changes, **confirmed)
        assert refused.status_code == 400 and message in refused.get_data(as_text=True)
        assert "Not saved yet" not in refused.get_data(as_text=True)
    db.expire_all()
    kept = db.get(ContractorContract, contract.id)
    assert (kept.reference, kept.ends_on) == ("C-001", date(2026, 9, 30))
    assert ends(db) == {"S1": date(2026, 9, 30), "S2": date(2026, 8, 31), "S3": date(2026, 7, 15)}
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "contractor_contract_changed")) is None


def test_an_earlier_end_says_whom_it_shortens_then_shortens_them_and_a_later_one_lengthens_nobody(db, setting):
    client, contract = setting
    asked = save(client, contract, ends_on="2026-08-15", owner_employee_no="OWN2", sponsor_code="R-SALES")
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Not saved yet" in body
    assert (
        "委託 S1" in body and "委託 S2" in body and "委託 S3 (" not in body.split("Not saved yet")[1].split("</ul>")[0]
    )
    assert ends(db)["S1"] == date(2026, 9, 30) and db.get(ContractorContract, contract.id).owner.employee_no == "OWN1"
    other_day = save(client, contract, ends_on="2026-07-01", shorten_staff="2026-08-15")  # confirmed another day
    assert other_day.status_code == 200 and "委託 S3" in other_day.get_data(as_text=True).split("Not saved yet")[1]
    assert ends(db)["S3"] == date(2026, 7, 15)

    saved = save(
        client,
        contract,
        ends_on="2026-08-15",
        owner_employee_no="OWN2",
        sponsor_code="R-SALES",
        shorten_staff="2026-08-15",
    )
    assert saved.status_code == 302
    assert ends(db) == {"S1": date(2026, 8, 15), "S2": date(2026, 8, 15), "S3": date(2026, 7, 15)}
    changed = db.get(ContractorContract, contract.id)
    assert (changed.ends_on, changed.owner.employee_no, changed.sponsor_department.code) == (
        date(2026, 8, 15),
        "OWN2",
        "R-SALES",
    )
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "contractor_contract_changed"))
    details = json.loads(event.details)
    assert details["before"] == {"department": "G-NET", "ends_on": "2026-09-30", "owner": "OWN1"}
    assert details["after"] == {"department": "R-SALES", "ends_on": "2026-08-15", "owner": "OWN2"}
    assert details["staff_shortened"] == 2
    moved = db.scalars(select(AuditEvent).where(AuditEvent.action == "contractor_staff_end_moved")).all()
    assert len(moved) == 2

    longer = save(client, contract, ends_on="2026-12-31", owner_employee_no="OWN2", sponsor_code="R-SALES")
    assert longer.status_code == 302
    assert ends(db) == {"S1": date(2026, 8, 15), "S2": date(2026, 8, 15), "S3": date(2026, 7, 15)}
    assert db.get(ContractorContract, contract.id).ends_on == date(2026, 12, 31)


def test_a_contract_whose_end_has_passed_is_read_only(db, setting):
    client, _contract = setting
    ended = db.scalar(select(ContractorContract).where(ContractorContract.reference == "C-OLD"))
    shown = client.get(page_of(ended))
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "can no longer be changed" in body and 'name="ends_on"' not in body
    refused = save(client, ended, reference="C-OLD", ends_on="2026-12-31")
    assert refused.status_code == 400
    db.expire_all()
    assert db.get(ContractorContract, ended.id).ends_on == date(2026, 6, 9)
    with pytest.raises(contractors.ContractorError):
        contractors.edit_contract(
            db,
            None,
            ended.id,
            reference="C-OLD",
            sponsor_code="G-NET",
            owner_employee_no="OWN1",
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 12, 31),
        )


def test_a_contract_of_another_company_is_not_found(db, setting):
    client, contract = setting
    other = contractors.create_company(db, None, "K-OTHER", "他社", "Other")
    db.commit()
    assert client.get(f"/contractors/{other.id}/contracts/{contract.id}").status_code == 404
    assert client.get(f"/contractors/{contract.company_id}/contracts/99999").status_code == 404


@pytest.mark.skipif(not PG_URL, reason="concurrent transactions are a PostgreSQL concern (SQLite serialises writers)")
def test_a_contract_edited_while_a_person_is_added_never_leaves_them_past_its_end(app, db, setting):
    _client, contract = setting
    engine = app.extensions["db"].engine
    barrier, outcomes = threading.Barrier(2), []

    def add():
        with Session(engine) as session:
            barrier.wait()
            try:
                contractor_staff.create_staff(
                    session,
                    None,
                    session.get(ContractorContract, contract.id),
                    name="並行",
                    staff_no="P1",
                    email=None,
                    ends_on=date(2026, 9, 30),
                )
                session.commit()
                outcomes.append("added")
            except (IntegrityError, contractors.ContractorError):
                session.rollback()
                outcomes.append("refused")

    def edit():
        with Session(engine) as session:
            barrier.wait()
            contractors.edit_contract(
                session,
                None,
                contract.id,
                reference="C-001",
                sponsor_code="G-NET",
                owner_employee_no="OWN1",
                starts_on=date(2026, 4, 1),
                ends_on=date(2026, 8, 15),
            )
            session.commit()
            outcomes.append("edited")

    threads = [threading.Thread(target=add), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert "edited" in outcomes and len(outcomes) == 2
    db.expire_all()
    assert db.get(ContractorContract, contract.id).ends_on == date(2026, 8, 15)
    assert max(ends(db).values()) == date(2026, 8, 15)
