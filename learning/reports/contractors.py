"""The department report's contractors section (issue 19 item 5): per contractor company and sponsoring
department, the figures departments have; the people of one company; and who may read which contractors.

Read-only and Flask-free. Contractors' staff have no department: they count under the contract they are on
now (a closed period: the one kept on the assignment when it was assigned), which names the company and the
sponsoring department. Scope: compliance and internal audit read every contractor; a manager reads the
contracts sponsored within the subtrees they head; a contractor supervisor only their own company's staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.contractor_models import ContractorCompany, ContractorContract
from learning.accounts.models import Department, User
from learning.authz import Role
from learning.campaigns.models import Campaign
from learning.courses.models import Edition
from learning.quizzes.models import Attempt
from learning.reports.completion import Counts, add_people, tally
from learning.reports.services import PersonRow, Placement, Scope, amendment_rows, counted_status, placement
from learning.training.models import Assignment


@dataclass(frozen=True)
class ContractorScope:
    """The contracts a reader may see: None for every contractor."""

    contracts: set[int] | None

    def allows(self, contract_ids: set[int]) -> bool:
        """Whether any of these contracts is in scope (a company's page then shows those in scope only)."""
        return self.contracts is None or bool(contract_ids & self.contracts)


def scope_of(session: Session, user, departments: Scope) -> ContractorScope:
    """From the reader's department scope: the whole organisation reads every contractor; a manager the
    contracts their subtrees sponsor; a contractor supervisor adds their own company's contracts."""
    if departments.departments is None:
        return ContractorScope(None)
    contracts: set[int] = set()
    if departments.departments:
        contracts |= set(
            session.scalars(
                select(ContractorContract.id).where(
                    ContractorContract.sponsor_department_id.in_(departments.departments)
                )
            )
        )
    if Role.CONTRACTOR_SUPERVISOR in set(user.roles) and user.contractor_company_id is not None:
        contracts |= company_contracts(session, user.contractor_company_id)
    return ContractorScope(contracts)


def company_contracts(session: Session, company_id: int) -> set[int]:
    return set(session.scalars(select(ContractorContract.id).where(ContractorContract.company_id == company_id)))


@dataclass
class ContractorRow:
    """A contractor company under one sponsoring department, with its figures (as a department's `total`)."""

    company_id: int
    company_code: str
    company: str
    sponsor_id: int
    sponsor_code: str
    sponsor: str
    contracts: list[str] = field(default_factory=list)  # their references
    total: Counts = field(default_factory=Counts)


def _contract_column(where: Placement):
    return Assignment.contract_id if where.frozen else User.contract_id


def _in_scope(column, scope: ContractorScope) -> list:
    return [] if scope.contracts is None else [column.in_(scope.contracts or {-1})]


def _late(where: Placement):
    late = and_(Assignment.status.in_(("assigned", "in_progress")), Assignment.due_at < where.as_of)
    return and_(late, where.not_on_leave)


def _figures(session: Session, campaign_id: int, where: Placement, scope: ContractorScope) -> dict[int, Counts]:
    """Counts per contract, as the department report counts per department."""
    contract = _contract_column(where)
    status = counted_status()
    base = [Assignment.campaign_id == campaign_id, contract.is_not(None), *_in_scope(contract, scope)]
    rows = session.execute(
        select(
            contract,
            status,
            func.count(),
            func.sum(case((_late(where), 1), else_=0)),
            func.sum(case((Assignment.completed_at <= Assignment.due_at, 1), else_=0)),
        )
        .join(User, User.id == Assignment.user_id)
        .where(*base)
        .group_by(contract, status)
    ).all()
    if where.frozen:  # a closed period's figures with its amendments, as the department report counts them
        rows = [*rows, *amendment_rows(session, campaign_id, where, None, Assignment.contract_id, base[1:])]
    counts = tally(rows)
    per_person = (
        select(
            Assignment.user_id.label("user_id"),
            contract.label("contract_id"),
            func.count().label("counted"),
            func.sum(case((Assignment.status == "completed", 1), else_=0)).label("done"),
            func.sum(case((_late(where), 1), else_=0)).label("late"),
        )
        .join(User, User.id == Assignment.user_id)
        .where(*base, Assignment.status != "exempt", Assignment.withdrawn_at.is_(None))
        .group_by(Assignment.user_id, contract)
        .subquery()
    )
    people = session.execute(
        select(
            per_person.c.contract_id,
            func.count(),
            func.sum(case((per_person.c.done == per_person.c.counted, 1), else_=0)),
            func.sum(case((per_person.c.late > 0, 1), else_=0)),
        ).group_by(per_person.c.contract_id)
    ).all()
    add_people(counts, people)
    return counts


def section(session: Session, campaign_id: int, scope: ContractorScope, locale: str = "ja") -> list[ContractorRow]:
    """Per contractor company and sponsoring department (by company code, then department code), the
    campaign's figures; only contracts with assignments in the campaign, within the scope."""
    where = placement(session.get(Campaign, campaign_id))
    counts = _figures(session, campaign_id, where, scope)
    if not counts:
        return []
    found = session.execute(
        select(ContractorContract, ContractorCompany, Department)
        .join(ContractorCompany, ContractorCompany.id == ContractorContract.company_id)
        .join(Department, Department.id == ContractorContract.sponsor_department_id)
        .where(ContractorContract.id.in_(counts))
        .order_by(ContractorCompany.code, Department.code, ContractorContract.reference)
    ).all()
    rows: dict[tuple[int, int], ContractorRow] = {}
    for contract, company, sponsor in found:
        key = (company.id, sponsor.id)
        if key not in rows:
            rows[key] = ContractorRow(
                company.id,
                company.code,
                company.name_en if locale == "en" else company.name_ja,
                sponsor.id,
                sponsor.code,
                sponsor.name_en if locale == "en" else sponsor.name_ja,
            )
        rows[key].contracts.append(contract.reference)
        rows[key].total.add(counts[contract.id])
    return list(rows.values())


def total(rows: list[ContractorRow]) -> Counts:
    summed = Counts()
    for row in rows:
        summed.add(row.total)
    return summed


def people(
    session: Session, campaign_id: int, company_id: int, scope: ContractorScope, sponsor_id: int | None = None
) -> list[PersonRow]:
    """The staff of one contractor company (within the scope; under one sponsoring department if given) and
    their assignments in the campaign, by staff number and module."""
    where = placement(session.get(Campaign, campaign_id))
    contract = _contract_column(where)
    query = select(ContractorContract.id).where(ContractorContract.company_id == company_id)
    if sponsor_id is not None:
        query = query.where(ContractorContract.sponsor_department_id == sponsor_id)
    contracts = set(session.scalars(query))
    if scope.contracts is not None:
        contracts &= scope.contracts
    attempts = (
        select(Attempt.assignment_id, func.count().label("n"))
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Attempt.assignment_id)
        .subquery()
    )
    rows = session.execute(
        select(
            User.name,
            User.contractor_staff_no,
            Edition.title_ja,
            Edition.title_en,
            Assignment.status,
            Assignment.due_at,
            Assignment.completed_at,
            func.coalesce(attempts.c.n, 0),
            User.id,
        )
        .join(User, User.id == Assignment.user_id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .outerjoin(attempts, attempts.c.assignment_id == Assignment.id)
        .where(
            Assignment.campaign_id == campaign_id,
            contract.in_(contracts or {-1}),
            Assignment.withdrawn_at.is_(None),
        )
        .order_by(User.contractor_staff_no, Edition.module_id)
    ).all()
    now = where.as_of
    return [PersonRow(*r[:8], overdue=r[4] in ("assigned", "in_progress") and r[5] < now, user_id=r[8]) for r in rows]


@dataclass(frozen=True)
class StaffStatus:
    """One contractor's standing in one running campaign, for their supervisor's page."""

    user_id: int
    status: str  # a key of reports.messages.PERSON_STATUS
    completed: int
    counted: int


@dataclass(frozen=True)
class CampaignStatus:
    campaign_id: int
    names: dict[str, str]
    due_on: object
    staff: dict[int, StaffStatus]


def company_status(session: Session, company_id: int) -> list[CampaignStatus]:
    """For a contractor supervisor: each campaign that is not closed and assigns their company's staff, and
    where each of them stands in it (completed all, overdue, in progress, not started or exempt)."""
    where_now = Placement(User.department_id, clock.now(), User.status != "leave", False)
    staff = select(User.id).where(User.contractor_company_id == company_id)
    rows = session.execute(
        select(
            Assignment.campaign_id,
            Assignment.user_id,
            func.count(),
            func.sum(case((Assignment.status == "completed", 1), else_=0)),
            func.sum(case((Assignment.status == "exempt", 1), else_=0)),
            func.sum(case((Assignment.status == "in_progress", 1), else_=0)),
            func.sum(case((_late(where_now), 1), else_=0)),
        )
        .join(User, User.id == Assignment.user_id)
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .where(Assignment.user_id.in_(staff), Campaign.status == "running", Assignment.withdrawn_at.is_(None))
        .group_by(Assignment.campaign_id, Assignment.user_id)
    ).all()
    by_campaign: dict[int, dict[int, StaffStatus]] = {}
    for campaign_id, user_id, *numbers in rows:
        n, done, exempt, started, late = (int(v or 0) for v in numbers)
        counted = n - exempt
        if counted == 0:
            shown = "exempt"
        elif done == counted:
            shown = "completed"
        elif late:
            shown = "overdue"
        elif started or done:
            shown = "in_progress"
        else:
            shown = "not_started"
        by_campaign.setdefault(campaign_id, {})[user_id] = StaffStatus(user_id, shown, done, counted)
    campaigns = session.scalars(
        select(Campaign).where(Campaign.id.in_(by_campaign)).order_by(Campaign.due_on, Campaign.id)
    ).all()
    return [CampaignStatus(c.id, c.names, c.due_on, by_campaign[c.id]) for c in campaigns]
