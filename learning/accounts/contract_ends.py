"""A contract nearing its end warns its internal owner 30 days ahead (issue 19 item 6), and the heads of its
sponsoring department: which contract, whose access lapses with it, and what to do (extend the contract, or
let the accounts lapse). A `jobs run` step (registered in accounts/__init__.py); each person is emailed once
per contract and end day (the outbox's dedupe key), so an extended contract warns again before its new end.

Flask-free; never commits.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.contractor_models import ContractorContract
from learning.accounts.grants import department_heads
from learning.accounts.models import User
from learning.notify.services import Mail, enqueue
from learning.notify.texts import day, t

WARN_DAYS_BEFORE = 30


def ending_soon(session: Session) -> list[ContractorContract]:
    """Contracts whose end day is today or within the next 30 days (Tokyo days)."""
    today = clock.tokyo_date(clock.now())
    return list(
        session.scalars(
            select(ContractorContract)
            .where(
                ContractorContract.ends_on >= today,
                ContractorContract.ends_on <= today + timedelta(days=WARN_DAYS_BEFORE),
            )
            .order_by(ContractorContract.ends_on, ContractorContract.id)
        )
    )


def warn(session: Session, portal_url: str) -> int:
    """Queues the warnings not queued before; returns how many were queued."""
    heads = department_heads(session)
    mails = []
    for contract in ending_soon(session):
        staff = list(
            session.scalars(
                select(User)
                .where(User.contract_id == contract.id, User.status == "active")
                .order_by(User.contractor_staff_no)
            )
        )
        ids = [contract.owner_id, *heads.get(contract.sponsor_department_id, [])]
        recipients = session.scalars(select(User).where(User.id.in_(ids), User.status == "active")).all()
        for person in sorted(recipients, key=lambda u: ids.index(u.id)):
            if not person.email:
                continue
            mails.append(
                Mail(
                    f"contract_ending:{contract.id}:{contract.ends_on.isoformat()}:{person.id}",
                    "contract_ending",
                    person.email,
                    t(person.locale, "[Conduct Rules Portal] Contract %(reference)s ends on %(day)s",
                      reference=contract.reference, day=day(person.locale, contract.ends_on)),
                    _body(person, contract, staff, portal_url),
                    person.id,
                )
            )  # fmt: skip
    return enqueue(session, mails)


def _body(person: User, contract: ContractorContract, staff: list[User], portal_url: str) -> str:
    locale = person.locale
    company = contract.company.names.get(locale) or contract.company.name_ja
    lines = [
        t(locale, "Dear %(name)s,", name=person.name),
        "",
        t(
            locale,
            "The contract %(reference)s with %(company)s, sponsored by %(department)s and owned by %(owner)s, "
            "ends on %(day)s.",
            reference=contract.reference,
            company=company,
            department=contract.sponsor_department.names.get(locale) or contract.sponsor_department.name_ja,
            owner=contract.owner.name,
            day=day(locale, contract.ends_on),
        ),
        "",
    ]
    if staff:
        lines.append(t(locale, "These contractor staff accounts will lapse (each at its own end day at the latest):"))
        lines += [f"- {u.name} ({u.employee_no}): {day(locale, u.ends_on)}" for u in staff]
    else:
        lines.append(t(locale, "No contractor staff account works under this contract now."))
    lines += [
        "",
        t(
            locale,
            "If the work goes on, ask compliance or the IT administrator to extend the contract's end date, then "
            "each person's end date. Otherwise do nothing: the accounts lapse by themselves after the end date.",
        ),
        t(locale, "The contract: %(link)s", link=f"{portal_url}contractors/{contract.company_id}"),
    ]
    return "\n".join(lines)
