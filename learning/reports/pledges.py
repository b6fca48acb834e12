"""Pledges signed in a campaign (誓約書の提出状況): by department, scoped as the completion report is (a manager their
subtrees, compliance and audit everything), each person counted once in the department they were in when asked
(kept on the pledge assignment, frozen with a closed period), whatever version they signed; subtotals by
company (the tops of the tree); the people who have not signed; their export tables. Flask-free: the caller
passes `gettext`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from learning.accounts.models import Department, User
from learning.campaigns.models import Campaign
from learning.campaigns.pledge_assignments import pledge_titles
from learning.campaigns.pledge_models import CampaignPledge, PledgeAssignment
from learning.reports.completion import Counts, DepartmentRow, organisation_total, tree
from learning.reports.exports import Column, Table
from learning.reports.services import Scope
from learning.reports.tables import department_columns

Translate = Callable[[str], str]


@dataclass(frozen=True)
class CampaignPledgeLine:
    campaign: Campaign
    pledge_id: int
    titles: dict[str, str]


def campaign_pledges(session: Session) -> list[CampaignPledgeLine]:
    """Every launched campaign's pledges, the newest period first."""
    titles = pledge_titles(session)
    rows = session.execute(
        select(Campaign, CampaignPledge.pledge_id)
        .join(CampaignPledge, CampaignPledge.campaign_id == Campaign.id)
        .where(Campaign.status != "draft")
        .order_by(Campaign.period_start.desc(), Campaign.id.desc(), CampaignPledge.id)
    ).all()
    return [CampaignPledgeLine(c, p, titles.get(p, {})) for c, p in rows]


def signed_rate(counts: Counts) -> float | None:
    """Signed among those asked, exemptions left out."""
    return counts.completed / counts.counted if counts.counted else None


def not_signed(counts: Counts) -> int:
    return counts.assigned - counts.completed - counts.exempt


def _counted(campaign_id: int, pledge_id: int):
    return (
        PledgeAssignment.campaign_id == campaign_id,
        PledgeAssignment.pledge_id == pledge_id,
        PledgeAssignment.withdrawn_at.is_(None),
    )


def by_department(session: Session, campaign_id: int, pledge_id: int, scope: Scope, locale: str) -> list[DepartmentRow]:
    """The department tree within the scope, each with those asked (`assigned`, also `people`), signed
    (`completed`, `people_complete`) and exempt, own and rolled up. One pledge assignment per person: a person
    is counted once, whichever version they signed."""
    signed = func.sum(case((PledgeAssignment.status == "signed", 1), else_=0))
    exempt = func.sum(case((PledgeAssignment.status == "exempt", 1), else_=0))
    query = (
        select(PledgeAssignment.department_id, func.count(), signed, exempt)
        .where(*_counted(campaign_id, pledge_id), PledgeAssignment.department_id.is_not(None))
        .group_by(PledgeAssignment.department_id)
    )
    if scope.departments is not None:
        query = query.where(PledgeAssignment.department_id.in_(scope.departments or {-1}))
    counts: dict[int, Counts] = {}
    for department_id, *numbers in session.execute(query):
        n, done, exempted = (int(v or 0) for v in numbers)  # PostgreSQL sums come back as numeric
        counts[department_id] = Counts(
            assigned=n, completed=done, exempt=exempted, people=n, people_complete=done, not_started=n - done - exempted
        )
    departments = [
        (d.id, d.code, d.name_en if locale == "en" else d.name_ja, d.parent_id)
        for d in session.execute(
            select(Department.id, Department.code, Department.name_ja, Department.name_en, Department.parent_id)
        )
    ]
    return tree(departments, counts, scope.roots)


def companies(rows: list[DepartmentRow]) -> list[DepartmentRow]:
    """The subtotals by company: the tops of the tree shown (a company is the top of its tree)."""
    return [r for r in rows if r.depth == 0]


@dataclass(frozen=True)
class Unsigned:
    """A person asked to sign who has not (nor is exempt), in the department they were asked in."""

    user_id: int
    name: str
    employee_no: str
    department_id: int | None
    current_department_id: int | None
    due_at: datetime


def unsigned_people(
    session: Session, campaign_id: int, pledge_id: int, scope: Scope, department_ids: set[int] | None = None
) -> list[Unsigned]:
    """Those who have not signed, within the scope (and `department_ids`, a subtree), by department and number."""
    query = (
        select(
            User.id,
            User.name,
            User.employee_no,
            PledgeAssignment.department_id,
            User.department_id,
            PledgeAssignment.due_at,
        )
        .join(User, User.id == PledgeAssignment.user_id)
        .where(*_counted(campaign_id, pledge_id), PledgeAssignment.status == "assigned")
        .order_by(PledgeAssignment.department_id, User.employee_no)
    )
    if scope.departments is not None:
        query = query.where(PledgeAssignment.department_id.in_(scope.departments or {-1}))
    if department_ids is not None:
        query = query.where(PledgeAssignment.department_id.in_(department_ids or {-1}))
    return [Unsigned(*row) for row in session.execute(query)]


def department_table(rows: list[DepartmentRow], _: Translate, heading: list[list[str]]) -> Table:
    columns = [
        *department_columns(_),
        Column(_("People asked to sign"), "people", "integer"),
        Column(_("Signed"), "signed", "integer"),
        Column(_("Not signed"), "not_signed", "integer"),
        Column(_("Exempt"), "exempt", "integer"),
        Column(_("Signed rate"), "signed_rate", "percent"),
    ]
    table = [
        [
            r.code,
            r.depth + 1,
            r.name,
            r.total.assigned,
            r.total.completed,
            not_signed(r.total),
            r.total.exempt,
            signed_rate(r.total),
        ]
        for r in rows
    ]
    return Table(_("Pledges signed by department"), columns, table, heading)


def people_table(found: list[Unsigned], names: dict[int, str], _: Translate, heading: list[list[str]]) -> Table:
    columns = [
        Column(_("Name"), "name"),
        Column(_("Employee number"), "employee_no"),
        Column(_("Department when asked"), "department"),
        Column(_("Due"), "due_at", "date"),
    ]
    table = [[p.name, p.employee_no, names.get(p.department_id, ""), p.due_at] for p in found]
    return Table(_("People who have not signed"), columns, table, heading)


__all__ = [
    "by_department",
    "campaign_pledges",
    "companies",
    "department_table",
    "not_signed",
    "organisation_total",
    "people_table",
    "signed_rate",
    "unsigned_people",
]
