"""Contractors' staff (issue 19 item 2): accounts within a contract, lapsing at their end day, never privileged
(the service and the database), and a contractor supervisor who sees their own company's staff only."""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import contractor_staff, contractors, grants
from learning.accounts.contractor_models import ContractorContract
from learning.accounts.errors import AccountError
from learning.accounts.models import RoleGrant, User
from learning.accounts.passwords import hash_password
from learning.audit.models import AuditEvent
from learning.notify.models import OutboxMessage
from tests.conftest import PG_URL, csrf_token, sign_in
from tests.factories import PASSWORD, make_department, make_user

TODAY = date(2026, 6, 10)
LATE = datetime(2026, 6, 10, 14, 50, tzinfo=UTC)  # 23:50 in Tokyo


@pytest.fixture
def contract(db):
    clock.freeze(LATE)
    sponsor = make_department(db, code="G-NET")
    sponsor.name_en = "Network Operations"
    owner = make_user(db, department=sponsor, employee_no="OWN1", name="担当 一郎")
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
    db.commit()
    yield contract
    clock.freeze(None)


def staff(db, contract, staff_no="S1", ends_on=TODAY, **fields):
    user = contractor_staff.create_staff(
        db, None, contract, name=fields.pop("name", f"委託 {staff_no}"), staff_no=staff_no, email=None, ends_on=ends_on
    )
    user.password_hash = hash_password(PASSWORD)
    user.locale = "en"
    db.commit()
    return user


def test_compliance_creates_an_account_with_a_code_or_an_invitation(db, app, contract):
    officer = make_user(db, "compliance")
    db.commit()
    client = app.test_client()
    sign_in(client, officer.employee_no)
    page = f"/contractors/{contract.company_id}"
    form = {"contract": str(contract.id), "name": "委託 花子", "staff_no": "M-7", "ends_on": "2026-09-30"}
    shown = client.post(f"{page}/staff", data={**form, "email": "", "csrf_token": csrf_token(client, page)})
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "One-time code" in body and f"C{contract.company_id}-M-7" in body
    person = db.scalar(select(User).where(User.contractor_staff_no == "M-7"))
    assert (person.kind, person.contract_id, person.ends_on, person.password_hash) == (
        "contractor",
        contract.id,
        date(2026, 9, 30),
        None,
    )
    invited = client.post(
        f"{page}/staff",
        data={**form, "staff_no": "M-8", "email": "m8@example.jp", "csrf_token": csrf_token(client, page)},
    )
    assert invited.status_code == 302
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    assert mail.to_address == "m8@example.jp"


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"ends_on": "2026-10-01"}, "The end date cannot be after the contract&#39;s end (Sep 30, 2026)."),
        ({"staff_no": "S1"}, "This company already has staff number &#39;S1&#39;."),
    ],
)
def test_an_end_after_the_contract_or_a_taken_staff_number_is_refused(db, app, contract, changes, field_message):
    staff(db, contract, "S1")
    officer = make_user(db, "admin")
    db.commit()
    client = app.test_client()
    sign_in(client, officer.employee_no)
    page = f"/contractors/{contract.company_id}"
    form = {"contract": str(contract.id), "name": "委託 次郎", "staff_no": "S2", "ends_on": "2026-09-01"} | changes
    refused = client.post(f"{page}/staff", data={**form, "csrf_token": csrf_token(client, page)})
    assert refused.status_code == 400 and field_message in refused.get_data(as_text=True)
    assert db.scalar(select(User).where(User.name == "委託 次郎")) is None


def test_access_lapses_after_the_end_day_sessions_end_and_sign_in_names_whom_to_ask(db, app, contract):
    person = staff(db, contract, "S1", ends_on=TODAY)  # earlier than the contract's 30 September
    client = app.test_client()
    assert sign_in(client, person.employee_no).status_code == 302
    assert client.get("/").status_code == 200
    clock.freeze(datetime(2026, 6, 10, 14, 59, tzinfo=UTC))  # 23:59 in Tokyo, still the end day
    assert client.get("/").status_code == 200
    clock.freeze(datetime(2026, 6, 10, 15, 0, tzinfo=UTC))  # midnight in Tokyo: the day after
    assert client.get("/").status_code == 302  # the session has ended
    refused = sign_in(app.test_client(), person.employee_no)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Your access ended on Jun 10, 2026" in body and "担当 一郎 (Network Operations)" in body
    wrong = app.test_client()
    wrong_answer = wrong.post(
        "/login", data={"username": person.employee_no, "password": "wrong", "csrf_token": csrf_token(wrong)}
    )
    assert wrong_answer.status_code == 401 and "担当 一郎" not in wrong_answer.get_data(as_text=True)
    assert contractor_staff.lapse_due(db) == 1
    db.commit()
    assert db.get(User, person.id).status == "left"
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "contractor_access_lapsed"))
    assert contractor_staff.lapse_due(db) == 0
    assert sign_in(app.test_client(), person.employee_no).status_code == 403


def test_a_contract_ending_earlier_than_planned_ends_access_at_its_end(db, app, contract):
    person = staff(db, contract, "S1", ends_on=date(2026, 9, 30))
    with pytest.raises(IntegrityError):  # the database keeps the staff's end within the contract
        db.execute(text("UPDATE contractor_contracts SET ends_on = '2026-06-30' WHERE id = :id"), {"id": contract.id})
    db.rollback()
    db.execute(text("UPDATE users SET ends_on = '2026-06-30' WHERE id = :id"), {"id": person.id})
    db.execute(text("UPDATE contractor_contracts SET ends_on = '2026-06-30' WHERE id = :id"), {"id": contract.id})
    clock.freeze(datetime(2026, 6, 30, 15, 0, tzinfo=UTC))  # 1 July in Tokyo
    db.expire_all()
    assert db.get(User, person.id).lapsed
    assert sign_in(app.test_client(), person.employee_no).status_code == 403


def test_the_database_refuses_a_contractor_outside_their_contract(db, contract):
    other = contractors.create_company(db, None, "K-OTHER", "他社", "Other")
    db.commit()
    for company_id, ends_on in ((contract.company_id, date(2026, 10, 1)), (other.id, date(2026, 9, 1))):
        db.add(
            User(
                employee_no=f"X{company_id}{ends_on.day}",
                name="直接",
                kind="contractor",
                contractor_company_id=company_id,
                contract_id=contract.id,
                contractor_staff_no="Z1",
                ends_on=ends_on,
            )
        )
        with pytest.raises(IntegrityError):
            db.flush()
        db.rollback()
    person = staff(db, contract, "S1")
    with pytest.raises(IntegrityError):  # a contract with staff stays
        db.execute(text("DELETE FROM contractor_contracts WHERE id = :id"), {"id": contract.id})
    db.rollback()
    with pytest.raises(IntegrityError):  # the kind is set once
        db.execute(text("UPDATE users SET kind = 'employee' WHERE id = :id"), {"id": person.id})
    db.rollback()


@pytest.mark.parametrize("role", ["admin", "compliance", "auditor", "desk", "trainer", "manager"])
def test_privileged_roles_for_a_contractor_are_refused_by_the_service_and_the_database(db, contract, role):
    person = staff(db, contract, "S1", ends_on=date(2026, 9, 30))
    admin = make_user(db, "admin")
    department = make_department(db, code="D-X")
    db.commit()
    with pytest.raises(AccountError) as refused:
        grants.request_grant(db, person, role, department.id if role == "manager" else None, admin)
    assert refused.value.code == "contractor_role"
    db.rollback()
    db.add(RoleGrant(user_id=person.id, role=role, status="active", granted_at=clock.now()))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
    grant = grants.request_grant(db, person, "contractor_head", None, admin)
    db.commit()
    assert grant.status == "active"
    with pytest.raises(IntegrityError):
        db.execute(text("UPDATE role_grants SET role = :role WHERE id = :id"), {"role": role, "id": grant.id})
    db.rollback()


def test_a_contractor_supervisor_sees_their_own_companys_staff_only(db, app, contract):
    mine = staff(db, contract, "S1", name="自社 一郎", ends_on=date(2026, 9, 30))
    ended = staff(db, contract, "S2", name="自社 二郎", ends_on=TODAY)
    db.execute(text("UPDATE users SET ends_on = '2026-06-01' WHERE id = :id"), {"id": ended.id})
    other = contractors.create_company(db, None, "K-OTHER", "他社", "Other")
    other_contract = contractors.add_contract(
        db,
        None,
        other,
        reference="C-002",
        sponsor_code="G-NET",
        owner_employee_no="OWN1",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 9, 30),
    )
    staff(db, other_contract, "S1", name="他社 三郎", ends_on=date(2026, 9, 30))
    admin = make_user(db, "admin")
    db.commit()
    grants.request_grant(db, mine, "contractor_head", None, admin)
    db.commit()
    client = app.test_client()
    sign_in(client, mine.employee_no)
    page = client.get("/contractors/mine")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "自社 一郎" in body and "自社 二郎" in body and "他社 三郎" not in body
    assert "Access ended" in body
    assert client.get(f"/contractors/{other.id}").status_code == 403
    assert client.get("/contractors").status_code == 403


@pytest.mark.skipif(not PG_URL, reason="concurrent transactions are a PostgreSQL concern (SQLite serialises writers)")
def test_a_contract_shortened_while_a_person_is_added_never_leaves_them_past_its_end(app, db, contract):
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
            except (IntegrityError, contractors.ContractorError):  # the database's refusal, or the service's
                session.rollback()
                outcomes.append("refused")

    def shorten():
        with Session(engine) as session:
            barrier.wait()
            try:
                session.execute(
                    text("UPDATE contractor_contracts SET ends_on = '2026-06-30' WHERE id = :id"), {"id": contract.id}
                )
                session.commit()
                outcomes.append("shortened")
            except IntegrityError:
                session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=add), threading.Thread(target=shorten)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) in (["added", "refused"], ["refused", "shortened"])
    late = db.execute(
        text(
            "SELECT count(*) FROM users u JOIN contractor_contracts c ON c.id = u.contract_id"
            " WHERE u.ends_on > c.ends_on"
        )
    ).scalar()
    assert late == 0
