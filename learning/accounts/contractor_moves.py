"""Moving a contractor's staff member onto another contract of their company (issue 19 item 4): the contracts
they can go to, and the move itself, left as a PersonnelEvent between the sponsoring departments for campaigns'
transfer rule. Flask-free; the page is in accounts/views/contractors.py (`move_staff`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.contractor_models import ContractorContract
from learning.accounts.contractor_staff import end_problem
from learning.accounts.contractors import ContractorError
from learning.accounts.models import Department, PersonnelEvent, User
from learning.accounts.tree import company_of, parent_map
from learning.audit.services import record


def move_targets(session: Session, user: User) -> list[ContractorContract]:
    """The contracts a contractor's staff member can be moved onto: the other contracts of their company that
    are running today (started, not ended), by reference."""
    today = clock.tokyo_date(clock.now())
    query = select(ContractorContract).where(
        ContractorContract.company_id == user.contractor_company_id,
        ContractorContract.id != (user.contract_id or -1),
        ContractorContract.starts_on <= today,
        ContractorContract.ends_on >= today,
    )
    return list(session.scalars(query.order_by(ContractorContract.reference)))


def side_of(session: Session, contract: ContractorContract) -> Department:
    """The group company (top department) whose side a contract's sponsoring department is on."""
    return session.get(Department, company_of(parent_map(session))[contract.sponsor_department_id])


def check_move(
    session: Session, user: User, contract: ContractorContract, ends_on: date | None, expected: int | None
) -> date:
    """Why this move cannot be made (a ContractorError naming the field), or the end day it would give: the one
    asked for, or the person's own. The confirmation page asks this before anything is written."""
    if not user.is_contractor or user.status != "active":
        raise ContractorError("unknown_contract", field="contract", value=contract.reference)
    if contract.company_id != user.contractor_company_id:
        raise ContractorError("unknown_contract", field="contract", value=contract.reference)
    before = session.get(ContractorContract, user.contract_id)
    if contract.id == user.contract_id or expected != user.contract_id:
        raise ContractorError(
            "already_moved", field="contract", name=user.name, value=before.reference if before else ""
        )
    if user.lapsed:
        raise ContractorError("access_ended", field="contract", name=user.name, day=user.ends_on)
    today = clock.tokyo_date(clock.now())
    if not contract.starts_on <= today <= contract.ends_on:
        raise ContractorError(
            "contract_not_running",
            field="contract",
            value=contract.reference,
            starts=contract.starts_on,
            ends=contract.ends_on,
        )
    ends_on = ends_on or user.ends_on
    problem = end_problem(contract, ends_on)
    if problem:
        raise ContractorError(problem, field="ends_on", contract_end=contract.ends_on)
    return ends_on


def move_to_contract(
    session: Session,
    actor_id: int | None,
    user: User,
    contract: ContractorContract,
    ends_on: date | None = None,
    from_contract_id: int | None = None,
) -> PersonnelEvent:
    """Moves a contractor's staff member onto another running contract of their company (their end day kept, or
    the one given; never after the new contract's). A move is left as a roster move is, a PersonnelEvent from the
    old contract's sponsoring department to the new one's, so that campaigns' transfer rule sees a move from
    the grid side to the retail side (the sponsoring department's company tells the side).

    `from_contract_id` is the contract the person was on when the form was shown (default: the one they are on
    now). The move is one UPDATE guarded by it, so a double click, or two people moving the same person at
    once, moves them once: the second finds them moved already (on PostgreSQL it waits for the first's row
    lock, then sees the new contract) and is refused with nothing written."""
    expected = from_contract_id if from_contract_id is not None else user.contract_id
    ends_on = check_move(session, user, contract, ends_on, expected)
    before = session.get(ContractorContract, user.contract_id)
    moved = session.execute(
        update(User)
        .where(User.id == user.id, User.contract_id == expected, User.status == "active")
        .values(contract_id=contract.id, ends_on=ends_on)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # moved by another request since this one read the person
        session.refresh(user)
        now_on = session.get(ContractorContract, user.contract_id)
        raise ContractorError(
            "already_moved", field="contract", name=user.name, value=now_on.reference if now_on else ""
        )
    session.refresh(user)
    event = PersonnelEvent(
        user_id=user.id,
        kind="transfer",
        at=clock.now(),
        from_department_id=before.sponsor_department_id if before else None,
        to_department_id=contract.sponsor_department_id,
    )
    session.add(event)
    session.flush()
    record(
        session,
        "contractor_staff_moved",
        actor_id=actor_id,
        target=("user", user.id),
        details={
            "from": before.reference if before else None,
            "to": contract.reference,
            "ends_on": ends_on.isoformat(),
        },
    )
    return event
