"""Contractor companies (委託先) and their contracts: registered by compliance or the admin, each step audited.

Flask-free; the pages are in accounts/views/contractors.py. A contract's end day is never before its start
(checked here and by a CHECK in the database); its owner is a named employee who has not left, its sponsor an
open department of the group.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.contractor_models import ContractorBranch, ContractorCompany, ContractorContract
from learning.accounts.hrfiles import CODE_RE
from learning.accounts.messages import CONTRACTOR_ERRORS
from learning.accounts.models import Department, User
from learning.audit.services import record
from learning.errors import DomainError

MAX_NAME = 200
MAX_REFERENCE = 60


class ContractorError(DomainError):
    messages = CONTRACTOR_ERRORS


def _name(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ContractorError("required", field=field)
    if len(value) > MAX_NAME:
        raise ContractorError("too_long", field=field, limit=MAX_NAME)
    return value


def companies(session: Session) -> list[ContractorCompany]:
    return list(session.scalars(select(ContractorCompany).order_by(ContractorCompany.code)))


def create_company(session: Session, actor_id: int, code: str, name_ja: str, name_en: str) -> ContractorCompany:
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ContractorError("code_format", field="code")
    if session.scalar(select(ContractorCompany.id).where(func.lower(ContractorCompany.code) == code.lower())):
        raise ContractorError("code_taken", field="code", value=code)
    company = ContractorCompany(
        code=code,
        name_ja=_name(name_ja, "name_ja"),
        name_en=_name(name_en, "name_en"),
        created_at=clock.now(),
        created_by_id=actor_id,
    )
    session.add(company)
    session.flush()
    record(
        session,
        "contractor_company_created",
        actor_id=actor_id,
        target=("contractor_company", company.id),
        details={"code": code, "name_ja": company.name_ja, "name_en": company.name_en},
    )
    return company


def add_branch(session: Session, actor_id: int, company: ContractorCompany, name_ja: str, name_en: str):
    name_ja, name_en = _name(name_ja, "name_ja"), _name(name_en, "name_en")
    taken = select(ContractorBranch.id).where(
        ContractorBranch.company_id == company.id, ContractorBranch.name_ja == name_ja
    )
    if session.scalar(taken):
        raise ContractorError("branch_taken", field="name_ja", value=name_ja)
    branch = ContractorBranch(company_id=company.id, name_ja=name_ja, name_en=name_en)
    session.add(branch)
    session.flush()
    record(
        session,
        "contractor_branch_added",
        actor_id=actor_id,
        target=("contractor_company", company.id),
        details={"name_ja": name_ja, "name_en": name_en},
    )
    return branch


def _checked_terms(
    session: Session,
    reference: str,
    sponsor_code: str,
    owner_employee_no: str,
    starts_on: date | None,
    ends_on: date | None,
    contract_id: int | None = None,
) -> tuple[str, Department, User]:
    """A contract's terms checked, each problem named by its field: the reference (unique), an open sponsoring
    department by its code, an owner by employee number who has not left, and an end day not before the start."""
    reference = (reference or "").strip()
    if not reference:
        raise ContractorError("required", field="reference")
    if len(reference) > MAX_REFERENCE:
        raise ContractorError("too_long", field="reference", limit=MAX_REFERENCE)
    taken = select(ContractorContract.id).where(ContractorContract.reference == reference)
    if contract_id is not None:
        taken = taken.where(ContractorContract.id != contract_id)
    if session.scalar(taken):
        raise ContractorError("reference_taken", field="reference", value=reference)
    sponsor = session.scalar(select(Department).where(Department.code == (sponsor_code or "").strip()))
    if sponsor is None:
        raise ContractorError("unknown_department", field="sponsor_code", value=sponsor_code or "")
    if not sponsor.is_active:
        raise ContractorError("closed_department", field="sponsor_code", value=sponsor.code)
    owner = session.scalar(select(User).where(User.employee_no == (owner_employee_no or "").strip()))
    if owner is None or owner.is_contractor:
        raise ContractorError("unknown_owner", field="owner_employee_no", value=owner_employee_no or "")
    if owner.status == "left":
        raise ContractorError("owner_left", field="owner_employee_no", value=owner.employee_no)
    if starts_on is None:
        raise ContractorError("required", field="starts_on")
    if ends_on is None:
        raise ContractorError("required", field="ends_on")
    if ends_on < starts_on:
        raise ContractorError("ends_before_start", field="ends_on")
    return reference, sponsor, owner


def add_contract(
    session: Session,
    actor_id: int,
    company: ContractorCompany,
    *,
    reference: str,
    sponsor_code: str,
    owner_employee_no: str,
    starts_on: date | None,
    ends_on: date | None,
) -> ContractorContract:
    """A contract of `company`; the sponsor by its department code, the owner by their employee number."""
    reference, sponsor, owner = _checked_terms(session, reference, sponsor_code, owner_employee_no, starts_on, ends_on)
    contract = ContractorContract(
        company_id=company.id,
        reference=reference,
        sponsor_department_id=sponsor.id,
        owner_id=owner.id,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=clock.now(),
        created_by_id=actor_id,
    )
    session.add(contract)
    session.flush()
    record(
        session,
        "contractor_contract_added",
        actor_id=actor_id,
        target=("contractor_company", company.id),
        details={
            "reference": reference,
            "department": sponsor.code,
            "owner_id": owner.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return contract


def is_read_only(contract: ContractorContract) -> bool:
    """A contract whose end day has passed (in Tokyo) is kept as it was: it can no longer be changed."""
    return contract.ends_on < clock.tokyo_date(clock.now())


def checked_edit(
    session: Session, contract: ContractorContract, reference, sponsor_code, owner_employee_no, starts_on, ends_on
):
    """An edit's terms checked (ContractorError naming the field), returned as (reference, sponsor, owner): the
    page checks them before it asks to confirm whose access a shorter end cuts, so a refusal comes first."""
    terms = _checked_terms(session, reference, sponsor_code, owner_employee_no, starts_on, ends_on, contract.id)
    if ends_on < clock.tokyo_date(clock.now()):
        raise ContractorError("end_in_past", field="ends_on")
    return terms


def staff_past(session: Session, contract: ContractorContract, ends_on: date | None) -> list[User]:
    """The contract's staff whose end day is after `ends_on`: a contract ending then shortens theirs to it."""
    if ends_on is None:
        return []
    query = (
        select(User).where(User.contract_id == contract.id, User.ends_on > ends_on).order_by(User.contractor_staff_no)
    )
    return list(session.scalars(query))


def edit_contract(
    session: Session,
    actor_id: int,
    contract_id: int,
    *,
    reference: str,
    sponsor_code: str,
    owner_employee_no: str,
    starts_on: date | None,
    ends_on: date | None,
) -> tuple[ContractorContract, list[User]]:
    """Changes a contract's reference, sponsor, owner and days, audited with before and after. An end moved
    earlier than some staff's end days moves theirs to it first (each audited; the database refuses a contract
    ending before its staff); an end moved later lengthens nobody's. A contract whose end has passed is
    read-only, and a new end cannot be in the past. Returns the contract and the staff whose end moved."""
    contract = session.scalar(
        select(ContractorContract).where(ContractorContract.id == contract_id).with_for_update()
    )  # the row lock: a person added at the same moment waits, then sees the new end
    if contract is None:
        raise ContractorError("unknown_contract", field="reference", value=str(contract_id))
    if is_read_only(contract):
        raise ContractorError("contract_ended", field="reference", day=contract.ends_on)
    reference, sponsor, owner = checked_edit(
        session, contract, reference, sponsor_code, owner_employee_no, starts_on, ends_on
    )
    before = _terms(contract)
    moved = staff_past(session, contract, ends_on)
    for person in moved:
        record(
            session,
            "contractor_staff_end_moved",
            actor_id=actor_id,
            target=("user", person.id),
            details={"reference": reference, "before": person.ends_on.isoformat(), "after": ends_on.isoformat()},
        )
        person.ends_on = ends_on
    session.flush()  # the staff's end days first: the contract's trigger checks them
    contract.reference, contract.sponsor_department_id, contract.owner_id = reference, sponsor.id, owner.id
    contract.starts_on, contract.ends_on = starts_on, ends_on
    session.flush()
    session.refresh(contract, ["sponsor_department", "owner"])
    after = _terms(contract)
    changed = {k for k in after if before[k] != after[k]}
    if changed:
        record(
            session,
            "contractor_contract_changed",
            actor_id=actor_id,
            target=("contractor_company", contract.company_id),
            details={
                "contract_id": contract.id,
                "before": {k: before[k] for k in sorted(changed)},
                "after": {k: after[k] for k in sorted(changed)},
                "staff_shortened": len(moved),
            },
        )
    return contract, moved


def _terms(contract: ContractorContract) -> dict[str, str]:
    return {
        "reference": contract.reference,
        "department": contract.sponsor_department.code,
        "owner": contract.owner.employee_no,
        "starts_on": contract.starts_on.isoformat(),
        "ends_on": contract.ends_on.isoformat(),
    }
