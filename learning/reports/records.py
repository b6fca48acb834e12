"""The records compliance works from: the exemption register (every exemption, in force or ended, within the
reader's scope) and a person's training history across all years, grouped by fiscal year. Read-only and
Flask-free; a closed period's outcome comes with its latest amendment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.orm import Session, aliased

from learning.accounts.models import Department, User
from learning.accounts.tree import parent_map, subtree
from learning.campaigns.amendments import latest
from learning.campaigns.models import Campaign, PeriodAmendment
from learning.campaigns.periods import fiscal_year, tokyo_date
from learning.courses.models import Edition
from learning.quizzes.models import Attempt
from learning.reports.services import Scope
from learning.training import certificates
from learning.training.models import Assignment, Exemption

STATE_FILTERS = ("active", "ended", "all")
PAGE_SIZE = 50


@dataclass(frozen=True)
class ExemptionFilter:
    """What the register is narrowed to: a campaign, a department's subtree, in force or ended."""

    state: str = "all"
    campaign_id: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class ExemptionRow:
    exemption: Exemption
    person: User
    department: Department | None
    edition: Edition
    campaign: Campaign | None
    granted_by: User | None
    ended_by: User | None
    frozen: bool
    amendment: PeriodAmendment | None
    state: str  # a key of messages.EXEMPTION_STATES

    @property
    def ended_at(self) -> datetime | None:
        """When it stopped being in force: when ended, or its end date once passed (a closed period's)."""
        if self.exemption.ended_at is not None:
            return self.exemption.ended_at
        return self.exemption.until if self.state == "expired" else None


def state_of(exemption: Exemption, frozen: bool, now: datetime) -> str:
    """In force, or how it ended: lifted, replaced, completed all the same, expired (by the job or its end date
    passing), or closed with its period while still in force."""
    if exemption.ended_how is not None:
        return exemption.ended_how
    if exemption.until <= now:
        return "expired"
    return "closed" if frozen else "active"


def _register_query(session: Session, chosen: ExemptionFilter, scope: Scope, now: datetime):
    person, granter, ender = aliased(User, name="person"), aliased(User), aliased(User)
    placed = case((Assignment.frozen_at.is_not(None), Assignment.department_id), else_=person.department_id)
    query = (
        select(Exemption, person, Department, Edition, Campaign, granter, ender, Assignment.frozen_at)
        .join(Assignment, Assignment.id == Exemption.assignment_id)
        .join(person, person.id == Exemption.user_id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .outerjoin(Department, Department.id == placed)
        .outerjoin(Campaign, Campaign.id == Assignment.campaign_id)
        .outerjoin(granter, granter.id == Exemption.granted_by_id)
        .outerjoin(ender, ender.id == Exemption.ended_by_id)
    )
    if scope.departments is not None:
        query = query.where(placed.in_(scope.departments or {-1}))
    if chosen.department_id is not None:
        query = query.where(placed.in_(subtree({chosen.department_id}, parent_map(session))))
    if chosen.campaign_id is not None:
        query = query.where(Assignment.campaign_id == chosen.campaign_id)
    in_force = and_(Exemption.ended_at.is_(None), Exemption.until > now, Assignment.frozen_at.is_(None))
    if chosen.state == "active":
        query = query.where(in_force)
    elif chosen.state == "ended":
        query = query.where(not_(in_force))
    return query


def _rows(session: Session, found, now: datetime) -> list[ExemptionRow]:
    found = list(found)
    frozen = [exemption.assignment_id for exemption, *_rest, frozen_at in found if frozen_at is not None]
    corrected = latest(session, frozen)
    return [
        ExemptionRow(
            exemption,
            person,
            department,
            edition,
            campaign,
            granter,
            ender,
            frozen_at is not None,
            corrected.get(exemption.assignment_id),
            state_of(exemption, frozen_at is not None, now),
        )
        for exemption, person, department, edition, campaign, granter, ender, frozen_at in found
    ]


def exemption_page(
    session: Session, chosen: ExemptionFilter, scope: Scope, now: datetime, page: int = 1
) -> tuple[list[ExemptionRow], int]:
    """One page of the register, the newest grant first, and how many exemptions match in all."""
    query = _register_query(session, chosen, scope, now)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(Exemption.granted_at.desc(), Exemption.id.desc())
    found = session.execute(ordered.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE))
    return _rows(session, found, now), total


def every_exemption(session: Session, chosen: ExemptionFilter, scope: Scope, now: datetime) -> list[ExemptionRow]:
    """Every exemption matching, newest first (for an export: read before the response streams, as the register
    is a small share of the assignments)."""
    query = _register_query(session, chosen, scope, now).order_by(Exemption.granted_at.desc(), Exemption.id.desc())
    return _rows(session, session.execute(query), now)


@dataclass(frozen=True)
class HistoryRow:
    assignment: Assignment
    fiscal_year: int
    campaign: Campaign | None
    attempts: int
    amendment: PeriodAmendment | None
    status: str  # a key of messages.HISTORY_STATUS
    certificate: str | None = None  # the certificate's number as shown, of a completed assignment


def status_of(assignment: Assignment, now: datetime) -> str:
    """An assignment's outcome as a history shows it: done, exempt, withdrawn (a leaver's), not completed (its
    period closed first), or still running: overdue, in progress, not started."""
    if assignment.status in ("completed", "exempt"):
        return assignment.status
    if assignment.withdrawn_at is not None:
        return "withdrawn"
    if assignment.frozen_at is not None:
        return "not_completed"
    if assignment.due_at < now:
        return "overdue"
    return assignment.status if assignment.status == "in_progress" else "not_started"


def year_of(assignment: Assignment, campaign: Campaign | None) -> int:
    """The fiscal year (年度, from 1 April in Japan) an assignment belongs to: its campaign's period's, or, outside
    a campaign, that of the day in Japan it was completed (or, not completed, assigned)."""
    if campaign is not None:
        return fiscal_year(campaign.period_start)
    return fiscal_year(tokyo_date(assignment.completed_at or assignment.assigned_at))


def history(session: Session, user_id: int, now: datetime) -> list[tuple[int, list[HistoryRow]]]:
    """Every assignment a person ever had, by fiscal year, the latest year first; in a year by period, then
    module."""
    attempts = (
        select(Attempt.assignment_id, func.count().label("n"))
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None))
        .group_by(Attempt.assignment_id)
        .subquery()
    )
    found = session.execute(
        select(Assignment, Campaign, func.coalesce(attempts.c.n, 0))
        .outerjoin(Campaign, Campaign.id == Assignment.campaign_id)
        .outerjoin(attempts, attempts.c.assignment_id == Assignment.id)
        .where(Assignment.user_id == user_id)
    ).all()
    corrected = latest(session, [a.id for a, _c, _n in found if a.frozen_at is not None])
    numbers = certificates.numbers_of(session, [a.id for a, _c, _n in found if a.status == "completed"])
    years: dict[int, list[HistoryRow]] = {}
    for assignment, campaign, tries in found:
        year = year_of(assignment, campaign)
        row = HistoryRow(
            assignment,
            year,
            campaign,
            tries,
            corrected.get(assignment.id),
            status_of(assignment, now),
            numbers.get(assignment.id),
        )
        years.setdefault(year, []).append(row)
    for rows in years.values():
        rows.sort(
            key=lambda r: (
                r.campaign.period_start if r.campaign else tokyo_date(r.assignment.assigned_at),
                r.assignment.edition.module_id,
                r.assignment.id,
            )
        )
    return sorted(years.items(), reverse=True)


def person_by(session: Session, employee_no: str | None = None, user_id: int | None = None) -> User | None:
    """A person by employee number or by id."""
    if employee_no is not None:
        return session.scalar(select(User).where(User.employee_no == employee_no))
    return session.get(User, user_id) if user_id is not None else None


def may_read(scope: Scope, reader_id: int, person: User) -> bool:
    """A person's record is the person's own, or in the reader's scope (the department they are in now)."""
    return person.id == reader_id or scope.allows(person.department_id)
