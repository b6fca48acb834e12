"""The managers' daily digest of overdue staff: one email per manager and Tokyo day (its outbox key), listing the
people overdue long enough (the campaign's `escalate_after_days`, claimed once per assignment and day by
`reminders.queue_reminders`) in the department subtrees they head, and the contractors' staff on contracts those
subtrees sponsor (issue 19).

Contractors' staff have no department: they come under the contract they are on now, as an employee comes under
the department they are in now, so a moved contractor is in the new sponsor's digest from the day of the move.
Each is labelled with their contractor company's name and their own staff number. Flask-free.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.contractor_models import ContractorCompany, ContractorContract
from learning.accounts.models import RoleGrant, User
from learning.accounts.tree import parent_map, subtree
from learning.authz import Role
from learning.notify.services import Mail
from learning.notify.texts import day, t

if TYPE_CHECKING:
    from learning.campaigns.reminders import Due


@dataclass(frozen=True)
class Sponsored:
    """What the digest needs of a contractor's contract: its sponsor and its company."""

    sponsor_department_id: int
    company_code: str
    company: dict[str, str]


def _managers(session: Session) -> tuple[dict[int, tuple[str, str | None, str]], dict[int, set[int]]]:
    """Every manager in force: their name, email and locale, and the departments they head (subtrees)."""
    parents = parent_map(session)
    grants = session.execute(
        select(RoleGrant.user_id, RoleGrant.department_id, User.name, User.email, User.locale)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role == Role.MANAGER,
            RoleGrant.in_force_at(clock.now()),
            RoleGrant.department_id.is_not(None),
            User.status == "active",
        )
    ).all()
    managers: dict[int, tuple[str, str | None, str]] = {}
    reach: dict[int, set[int]] = defaultdict(set)
    for uid, scope, name, email, locale in grants:
        managers[uid] = (name, email, locale)
        reach[uid] |= subtree([scope], parents)
    return managers, reach


def _sponsored(session: Session, overdue: list[Due]) -> tuple[dict[int, Sponsored], dict[int, str]]:
    """The contracts of the overdue contractors' staff, and each such person's own staff number."""
    contract_ids = {d.contract_id for d in overdue if d.contract_id is not None}
    if not contract_ids:
        return {}, {}
    contracts = {
        k_id: Sponsored(sponsor, code, {"ja": name_ja, "en": name_en})
        for k_id, sponsor, code, name_ja, name_en in session.execute(
            select(
                ContractorContract.id,
                ContractorContract.sponsor_department_id,
                ContractorCompany.code,
                ContractorCompany.name_ja,
                ContractorCompany.name_en,
            )
            .join(ContractorCompany, ContractorCompany.id == ContractorContract.company_id)
            .where(ContractorContract.id.in_(contract_ids))
        )
    }
    people = {d.user_id for d in overdue if d.contract_id is not None}
    numbers = dict(session.execute(select(User.id, User.contractor_staff_no).where(User.id.in_(people))).all())
    return contracts, numbers


def _line(locale: str, d: Due, name: str, no: str) -> str:
    return t(
        locale,
        "- %(name)s (%(no)s): %(title)s, due %(date)s, %(days)d days overdue",
        name=name,
        no=no,
        title=d.titles.get(locale) or d.titles["ja"],
        date=day(locale, d.due),
        days=-d.days_left,
    )


def manager_mails(session: Session, overdue: list[Due], portal_url: str, today: date) -> list[Mail]:
    """One digest per manager per day: overdue people in the departments they head, then overdue contractors'
    staff on contracts those departments sponsor (by company), each under their company's name."""
    if not overdue:
        return []
    managers, reach = _managers(session)
    contracts, numbers = _sponsored(session, overdue)
    mails = []
    for manager_id, departments in reach.items():
        name, email, locale = managers[manager_id]
        staff = sorted(
            (d for d in overdue if d.department_id in departments and d.user_id != manager_id),
            key=lambda d: (d.due, d.employee_no),
        )
        theirs = sorted(
            (
                d
                for d in overdue
                if d.department_id is None
                and d.contract_id in contracts
                and contracts[d.contract_id].sponsor_department_id in departments
            ),
            key=lambda d: (contracts[d.contract_id].company_code, d.due, numbers.get(d.user_id) or ""),
        )
        if not (staff or theirs) or not email:
            continue
        body = [t(locale, "Dear %(name)s,", name=name), ""]
        if staff:
            body.append(
                t(locale, "These people in the departments you head have not completed their conduct-rule training:")
            )
            body += [_line(locale, d, d.name, d.employee_no) for d in staff]
        if theirs:
            if staff:
                body.append("")
            body.append(
                t(
                    locale,
                    "These contractors' staff, on contracts the departments you head sponsor, have not completed "
                    "their conduct-rule training:",
                )
            )
            body += [
                _line(
                    locale,
                    d,
                    d.name,
                    t(
                        locale,
                        "%(company)s, staff number %(no)s",
                        company=contracts[d.contract_id].company.get(locale) or contracts[d.contract_id].company["ja"],
                        no=numbers.get(d.user_id) or d.employee_no,
                    ),
                )
                for d in theirs
            ]
        body += [
            "",
            t(locale, "Please talk with them and help them find the time. Open the portal: %(url)s", url=portal_url),
        ]
        subject = t(
            locale,
            "[Conduct Rules Portal] Overdue conduct-rule training in your departments (%(count)d)",
            count=len(staff) + len(theirs),
        )
        key = f"digest:{manager_id}:{today.isoformat()}"
        mails.append(Mail(key, "manager_digest", email, subject, "\n".join(body), manager_id))
    return mails
