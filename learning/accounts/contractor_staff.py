"""Contractors' staff as accounts (issue 19): created one at a time by the sponsor's side, each invited by
email or given a one-time code; their access lapses by itself at their end day, never after the contract's.

Flask-free. The database holds the same rules (migration 0039's triggers): a contractor is within a contract
of their own company and never holds a role but contractor supervisor; the service says why in words first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import tokens
from learning.accounts.contractor_files import ContractTerms, StaffRow, read_staff
from learning.accounts.contractor_models import ContractorContract
from learning.accounts.contractors import ContractorError
from learning.accounts.grants import end_for_people, request_grant
from learning.accounts.hrfiles import EMAIL_RE
from learning.accounts.invitations import invite
from learning.accounts.models import User
from learning.accounts.signals import people_left
from learning.audit.services import record
from learning.authz import Role

STAFF_NO_RE = re.compile(r"^[A-Za-z0-9_-]{1,12}$")
MAX_NAME = 100


@dataclass(frozen=True)
class Contact:
    """Whom a lapsed contractor asks: the contract's internal owner and sponsoring department."""

    owner: str
    department: dict[str, str]
    ended_on: date


def sign_in_name(company_id: int, staff_no: str) -> str:
    """A contractor signs in as C<company>-<their staff number> (the employee number column is unique)."""
    return f"C{company_id}-{staff_no}"


def create_staff(
    session: Session,
    actor_id: int,
    contract: ContractorContract,
    *,
    name: str,
    staff_no: str,
    email: str | None,
    ends_on: date | None,
    locale: str = "ja",
) -> User:
    """A contractor's account without a password; `invite_or_code` gives them their way in."""
    name, staff_no, email = (name or "").strip(), (staff_no or "").strip(), (email or "").strip() or None
    if not name:
        raise ContractorError("required", field="name")
    if len(name) > MAX_NAME:
        raise ContractorError("too_long", field="name", limit=MAX_NAME)
    if not STAFF_NO_RE.match(staff_no):
        raise ContractorError("staff_no_format", field="staff_no")
    if email is not None and not EMAIL_RE.match(email):
        raise ContractorError("email", field="email", value=email)
    problem = end_problem(contract, ends_on)
    if problem:
        raise ContractorError(problem, field="ends_on", contract_end=contract.ends_on)
    taken = select(User.id).where(
        User.contractor_company_id == contract.company_id, User.contractor_staff_no == staff_no
    )
    if session.scalar(taken) is not None:
        raise ContractorError("staff_no_taken", field="staff_no", value=staff_no)
    user = User(
        employee_no=sign_in_name(contract.company_id, staff_no),
        name=name,
        email=email,
        locale=locale if locale in ("ja", "en") else "ja",
        status="active",
        kind="contractor",
        contractor_company_id=contract.company_id,
        contract_id=contract.id,
        contractor_staff_no=staff_no,
        ends_on=ends_on,
    )
    session.add(user)
    session.flush()
    record(
        session,
        "contractor_staff_created",
        actor_id=actor_id,
        target=("user", user.id),
        details={"reference": contract.reference, "ends_on": ends_on.isoformat()},
    )
    return user


def end_problem(contract: ContractorContract, ends_on: date | None) -> str | None:
    """Why a staff end day cannot be taken (a message code), or None."""
    if ends_on is None:
        return "required"
    if ends_on > contract.ends_on:
        return "end_after_contract"
    if ends_on < clock.tokyo_date(clock.now()):
        return "end_in_past"
    return None


def invite_or_code(session: Session, actor_id: int, user: User) -> str | None:
    """An invitation by email where the person has an address; otherwise a one-time code to hand over,
    returned once (only its hash is kept)."""
    if user.email:
        invite(session, [(user.id, user.name, user.email, user.locale)])
        return None
    code = tokens.issue_code(session, user.id, actor_id)
    record(session, "authn_reset_code_issued", actor_id=actor_id, target=("user", user.id))
    return code


def contact_for(session: Session, user: User) -> Contact | None:
    """For a lapsed contractor: whom to contact about their access."""
    if not user.is_contractor or user.contract_id is None:
        return None
    contract = session.get(ContractorContract, user.contract_id)
    return Contact(contract.owner.name, contract.sponsor_department.names, user.ends_on)


def staff_of(session: Session, company_id: int) -> list[User]:
    """A contractor company's staff, by staff number."""
    query = select(User).where(User.contractor_company_id == company_id).order_by(User.contractor_staff_no)
    return list(session.scalars(query))


def lapse_due(session: Session) -> int:
    """`jobs run`: contractors past their end day leave as leavers do (sessions end, roles end, open
    assignments withdrawn), each recorded once. Sign-in and the session check refuse them from the day after
    their end day already (User.lapsed); this records it."""
    today = clock.tokyo_date(clock.now())
    ids = list(
        session.scalars(select(User.id).where(User.kind == "contractor", User.ends_on < today, User.status != "left"))
    )
    if not ids:
        return 0
    for user in session.scalars(select(User).where(User.id.in_(ids))):
        user.status = "left"
        user.session_version += 1
        record(
            session, "contractor_access_lapsed", target=("user", user.id), details={"ends_on": user.ends_on.isoformat()}
        )
    end_for_people(session, ids, "left", None, False)
    people_left.send(None, session=session, user_ids=ids)
    return len(ids)


def end_access(session: Session, user_ids: list[int], actor_id: int | None, reason: str) -> int:
    """Ends these contractors' access now, as a leaver's ends (sessions, roles, open assignments withdrawn),
    each on the audit trail with the reason ("review_ended": its owner ended it in an access review;
    "review_unconfirmed": nobody confirmed it by the review's due day). Their end day becomes yesterday, so
    that sign-in names whom to ask. Returns how many ended."""
    yesterday = clock.tokyo_date(clock.now()) - timedelta(days=1)
    people = list(
        session.scalars(select(User).where(User.id.in_(user_ids), User.kind == "contractor", User.status != "left"))
    )
    for user in people:
        planned = user.ends_on
        user.status = "left"
        user.session_version += 1
        user.ends_on = min(planned, yesterday)
        record(
            session,
            "contractor_access_ended",
            actor_id=actor_id,
            target=("user", user.id),
            details={"reason": reason, "ends_on": planned.isoformat()},
        )
    ids = [user.id for user in people]
    if ids:
        session.flush()
        end_for_people(session, ids, "left", actor_id, False)
        people_left.send(None, session=session, user_ids=ids)
    return len(ids)


def _file_terms(session: Session, company_id: int) -> tuple[dict[str, ContractTerms], set[str]]:
    contracts = {
        k.reference: ContractTerms(k.id, k.ends_on)
        for k in session.scalars(select(ContractorContract).where(ContractorContract.company_id == company_id))
    }
    taken = set(session.scalars(select(User.contractor_staff_no).where(User.contractor_company_id == company_id)))
    return contracts, taken


def plan_file(session: Session, company_id: int, data: bytes) -> list[StaffRow]:
    """The dry run of a staff file: its checked rows, or FileRejected with every problem by line and column."""
    contracts, taken = _file_terms(session, company_id)
    return read_staff(data, contracts, taken, clock.tokyo_date(clock.now()))


def apply_file(session: Session, actor: User, company_id: int, data: bytes) -> list[tuple[User, str | None]]:
    """Creates every row's account, all or nothing (checked again as the system is now), each invited by email
    or given a one-time code; a supervisor row gets the role. Returns each account with its code, if any."""
    rows = plan_file(session, company_id, data)
    contracts = {
        k.reference: k
        for k in session.scalars(select(ContractorContract).where(ContractorContract.company_id == company_id))
    }
    made = []
    for row in rows:
        user = create_staff(
            session,
            actor.id,
            contracts[row.contract_reference],
            name=row.name,
            staff_no=row.staff_no,
            email=row.email,
            ends_on=row.ends_on,
        )
        if row.supervisor:
            request_grant(session, user, Role.CONTRACTOR_SUPERVISOR, None, actor)
        made.append((user, invite_or_code(session, actor.id, user)))
    return made
