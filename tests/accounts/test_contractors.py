"""Contractor companies and their contracts: registered by compliance or the admin, audited, end ≥ start."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learning import clock
from learning.accounts import contractors
from learning.accounts.contractor_models import ContractorBranch, ContractorCompany, ContractorContract
from learning.audit.models import AuditEvent
from tests.conftest import csrf_token, sign_in
from tests.factories import make_department, make_user


def _form(client, path: str) -> dict:
    return {"csrf_token": csrf_token(client, path)}


@pytest.fixture
def setting(db, app):
    sponsor = make_department(db, code="G-NET")
    owner = make_user(db, department=sponsor, employee_no="OWN1", name="担当 一郎")
    officer = make_user(db, "compliance", department=sponsor)
    db.commit()
    client = app.test_client()
    sign_in(client, officer.employee_no)
    return client, sponsor, owner, officer


def test_compliance_registers_a_company_a_branch_and_a_contract(db, setting):
    client, sponsor, owner, officer = setting
    created = client.post(
        "/contractors",
        data={
            "code": "K-METER",
            "name_ja": "検針サービス株式会社",
            "name_en": "Meter Reading Services",
            **_form(client, "/contractors"),
        },
    )
    company = db.scalar(select(ContractorCompany))
    assert created.status_code == 302 and created.location == f"/contractors/{company.id}"
    page = f"/contractors/{company.id}"
    assert (
        client.post(
            f"{page}/branches", data={"name_ja": "名古屋支店", "name_en": "Nagoya branch", **_form(client, page)}
        ).status_code
        == 302
    )
    added = client.post(
        f"{page}/contracts",
        data={
            "reference": "C-2026-001",
            "sponsor_code": "G-NET",
            "owner_employee_no": "OWN1",
            "starts_on": "2026-04-01",
            "ends_on": "2027-03-31",
            **_form(client, page),
        },
    )
    assert added.status_code == 302
    contract = db.scalar(select(ContractorContract))
    assert (contract.company_id, contract.sponsor_department_id, contract.owner_id) == (
        company.id,
        sponsor.id,
        owner.id,
    )
    assert (contract.starts_on, contract.ends_on) == (date(2026, 4, 1), date(2027, 3, 31))
    shown = client.get(page).get_data(as_text=True)
    assert "C-2026-001" in shown and "担当 一郎 (OWN1)" in shown and "Nagoya branch" in shown
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == officer.id)).all()
    assert [a for a in actions if a.startswith("contractor_")] == [
        "contractor_company_created",
        "contractor_branch_added",
        "contractor_contract_added",
    ]


def test_a_contract_ending_before_it_starts_is_refused_by_name_and_nothing_is_written(db, setting):
    client, *_ = setting
    company = contractors.create_company(db, None, "K-1", "委託一", "Contractor One")
    db.commit()
    page = f"/contractors/{company.id}"
    refused = client.post(
        f"{page}/contracts",
        data={
            "reference": "C-BAD",
            "sponsor_code": "G-NET",
            "owner_employee_no": "OWN1",
            "starts_on": "2026-04-01",
            "ends_on": "2026-03-31",
            **_form(client, page),
        },
    )
    assert refused.status_code == 400
    assert "The end date cannot be before the start date." in refused.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ContractorContract)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sponsor_code", "NOPE", "No department has the code &#39;NOPE&#39;."),
        ("owner_employee_no", "NOBODY", "Nobody has the employee number &#39;NOBODY&#39;."),
    ],
)
def test_an_unknown_sponsor_or_owner_is_named(db, setting, field, value, message):
    client, *_ = setting
    company = contractors.create_company(db, None, "K-2", "委託二", "Contractor Two")
    db.commit()
    page = f"/contractors/{company.id}"
    data = {"reference": "C-1", "sponsor_code": "G-NET", "owner_employee_no": "OWN1"}
    data |= {field: value, "starts_on": "2026-04-01", "ends_on": "2027-03-31"}
    refused = client.post(f"{page}/contracts", data={**data, **_form(client, page)})
    assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ContractorContract)) == 0


def test_a_duplicate_company_code_is_refused_in_japanese(db, app):
    make_user(db, "admin", employee_no="ADM1", locale="ja")
    contractors.create_company(db, None, "K-DUP", "重複", "Duplicate")
    db.commit()
    client = app.test_client()
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    sign_in(client, "ADM1")
    refused = client.post(
        "/contractors", data={"code": "k-dup", "name_ja": "別", "name_en": "Other", **_form(client, "/contractors")}
    )
    assert refused.status_code == 400
    assert "コード「k-dup」の委託先はすでに登録されています。" in refused.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ContractorCompany)) == 1


def test_the_database_refuses_an_end_before_the_start(db):
    sponsor = make_department(db, code="G-X")
    owner = make_user(db, department=sponsor)
    company = contractors.create_company(db, None, "K-DB", "委託", "Contractor")
    db.commit()
    db.add(
        ContractorContract(
            company_id=company.id,
            reference="C-DB",
            sponsor_department_id=sponsor.id,
            owner_id=owner.id,
            starts_on=date(2026, 4, 2),
            ends_on=date(2026, 4, 1),
            created_at=clock.now(),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ContractorBranch)) == 0


def test_a_learner_cannot_open_the_contractors_pages(db, app):
    learner = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, learner.employee_no)
    assert client.get("/contractors").status_code == 403
