"""Read-only report queries, always limited to the reader's scope in the query itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from learning import clock
from learning.accounts.models import Department, RoleGrant, User
from learning.accounts.tree import parent_map, subtree
from learning.authz import Role
from learning.campaigns.models import Campaign, PeriodAmendment
from learning.campaigns.periods import tokyo_date
from learning.courses.models import Edition
from learning.quizzes.models import Attempt
from learning.reports.analysis import item_analyses, item_analysis  # noqa: F401 - the report services, in one place
from learning.reports.completion import (
    Counts,
    DepartmentRow,
    add_people,
    cumulative_shares,
    organisation_total,
    tally,
    tree,
)
from learning.reports.comprehension import rolled_up
from learning.reports.comprehension import tally as comprehension_tally
from learning.reports.employment import employment_assignments, employment_people
from learning.training.models import Assignment


@dataclass(frozen=True)
class Scope:
    """The departments a reader may see: None for the whole organisation."""

    roots: set[int] | None
    departments: set[int] | None

    def allows(self, department_id: int) -> bool:
        return self.departments is None or department_id in self.departments


def scope_of(session: Session, user, roles: tuple[str, ...] = (Role.MANAGER,)) -> Scope:
    """Compliance and internal audit see everything; a manager sees the subtrees they head; else nothing.
    `roles`: the scoped grants whose subtrees count (the inspection reports add the second line's)."""
    if {Role.COMPLIANCE, Role.AUDITOR} & set(user.roles):
        return Scope(None, None)
    roots = set(
        session.scalars(
            select(RoleGrant.department_id).where(
                RoleGrant.user_id == user.id,
                RoleGrant.role.in_(roles),
                RoleGrant.in_force_at(clock.now()),
                RoleGrant.department_id.is_not(None),
            )
        )
    )
    return Scope(roots, subtree(roots, parent_map(session)))


def campaigns(session: Session) -> list[Campaign]:
    """Launched campaigns, the newest period first."""
    query = (
        select(Campaign).where(Campaign.status != "draft").order_by(Campaign.period_start.desc(), Campaign.id.desc())
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Placement:
    """Where an assignment counts and what "overdue" means. A closed period as it was frozen: the
    department the person was in when assigned, overdue as at closing, those then on leave not overdue.
    The running period where people are now, those on leave now not overdue."""

    department: object  # a column
    as_of: object  # a moment
    not_on_leave: object  # a criterion
    frozen: bool


def placement(campaign: Campaign) -> Placement:
    if campaign.status == "closed":
        return Placement(
            Assignment.department_id, campaign.closed_at or clock.now(), Assignment.on_leave_at_close.is_(False), True
        )
    return Placement(User.department_id, clock.now(), User.status != "leave", False)


def counted_status():
    """The status an assignment is counted under: a withdrawn one under "withdrawn", whatever it was."""
    return case((Assignment.withdrawn_at.is_not(None), "withdrawn"), else_=Assignment.status)


def in_scope(where: Placement, departments: set[int] | None) -> list:
    """The assignments of the people in these departments (None: everyone's), for the per-person step, so
    that a department head's report reads their hundred people, not the whole organisation's before the
    join to the people leaves them."""
    if departments is None:
        return []
    departments = departments or {-1}
    if where.frozen:
        return [Assignment.department_id.in_(departments)]
    return [Assignment.user_id.in_(select(User.id).where(User.department_id.in_(departments)))]


def amendment_rows(
    session: Session, campaign_id: int, where: Placement, scope: Scope | None, group=None, within=()
) -> list[tuple]:
    """Tally rows that turn the recorded figures into the corrected ones: for the latest amendment of each
    assignment, minus its recorded contribution and plus its corrected one. Keyed by the assignment's
    department, or by `group` (a contractor's contract), among the assignments `within` also keeps."""
    group = Assignment.department_id if group is None else group
    latest = (
        select(func.max(PeriodAmendment.id))
        .where(PeriodAmendment.campaign_id == campaign_id)
        .group_by(PeriodAmendment.assignment_id)
    )
    query = (
        select(
            group,
            counted_status(),
            Assignment.status.in_(("assigned", "in_progress")) & (Assignment.due_at < where.as_of),
            Assignment.on_leave_at_close,
            Assignment.completed_at,
            Assignment.due_at,
            PeriodAmendment.corrected_status,
            PeriodAmendment.corrected_completed_on,
        )
        .join(Assignment, Assignment.id == PeriodAmendment.assignment_id)
        .where(PeriodAmendment.id.in_(latest), *within)
    )
    if scope is not None and scope.departments is not None:
        query = query.where(Assignment.department_id.in_(scope.departments or {-1}))
    rows = []
    for department, status, late, on_leave, completed_at, due_at, corrected, completed_on in session.execute(query):
        was_on_time = int(completed_at is not None and completed_at <= due_at)
        rows.append((department, status, -1, -int(bool(late) and not on_leave), -was_on_time))
        if corrected == "completed":
            rows.append((department, "completed", 1, 0, int(completed_on <= tokyo_date(due_at))))
        elif corrected == "exempt":
            rows.append((department, "exempt", 1, 0, 0))
        else:
            rows.append((department, "assigned", 1, int(due_at < where.as_of and not on_leave), 0))
    return rows


def amendments(
    session: Session,
    campaign_id: int,
    scope: Scope | None = None,
    contracts: set[int] | None = None,
    employment: str | None = None,
) -> list[tuple]:
    """Every amendment of a closed campaign, oldest first, with the person and who amended it. A reader's
    `scope` keeps those of assignments made in its departments or on its `contracts` (a manager's own staff
    and the contractors they sponsor; None: everyone's); `employment` those of the people that filter keeps."""
    person, author = aliased(User), aliased(User)
    query = (
        select(PeriodAmendment, person, author, Edition.title_ja, Edition.title_en)
        .join(Assignment, Assignment.id == PeriodAmendment.assignment_id)
        .join(person, person.id == Assignment.user_id)
        .join(author, author.id == PeriodAmendment.amended_by_id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .where(PeriodAmendment.campaign_id == campaign_id, *employment_assignments(employment))
        .order_by(PeriodAmendment.id)
    )
    if scope is not None and scope.departments is not None:
        query = query.where(
            or_(
                Assignment.department_id.in_(scope.departments or {-1}),
                Assignment.contract_id.in_(contracts or {-1}),
            )
        )
    return list(session.execute(query).all())


COUNTED_STATUSES = ("assigned", "in_progress", "completed", "exempt", "withdrawn")


def _per_department(campaign_id: int, where: Placement, scope: Scope, employment: str | None):
    """Per department: the assignments per counted status, those overdue and those completed on time, and the
    people with a counted assignment (not exempt, not withdrawn), those who completed all of theirs and those
    with one overdue. One pass: per person first, from the assignments alone (an index-only scan on
    PostgreSQL), then joined to the people for the department they are in now (a closed period: the one kept
    on the assignment). Two statements, one per kind of figure, read the assignments twice before."""
    status = counted_status()
    late = and_(Assignment.status.in_(("assigned", "in_progress")), Assignment.due_at < where.as_of)
    if where.frozen:
        late = and_(late, Assignment.on_leave_at_close.is_(False))
    counted = Assignment.withdrawn_at.is_(None)
    frozen_department = [Assignment.department_id.label("department_id")] if where.frozen else []
    inner = (
        select(
            Assignment.user_id.label("user_id"),
            *frozen_department,
            *(func.sum(case((status == name, 1), else_=0)).label(name) for name in COUNTED_STATUSES),
            func.sum(case((and_(counted, late), 1), else_=0)).label("late"),
            func.sum(
                case((and_(status == "completed", Assignment.completed_at <= Assignment.due_at), 1), else_=0)
            ).label("on_time"),
        )
        .where(Assignment.campaign_id == campaign_id, *in_scope(where, scope.departments))
        .group_by(Assignment.user_id, *([Assignment.department_id] if where.frozen else []))
        .subquery()
    )
    department = inner.c.department_id if where.frozen else User.department_id
    late_now = inner.c.late if where.frozen else case((User.status == "leave", 0), else_=inner.c.late)
    people = inner.c.assigned + inner.c.in_progress + inner.c.completed
    query = (
        select(
            department,
            *(func.sum(inner.c[name]) for name in COUNTED_STATUSES),
            func.sum(late_now),
            func.sum(inner.c.on_time),
            func.sum(case((people > 0, 1), else_=0)),
            func.sum(case((and_(people > 0, inner.c.completed == people), 1), else_=0)),
            func.sum(case((late_now > 0, 1), else_=0)),
        )
        .join(User, User.id == inner.c.user_id)
        .where(*employment_people(employment))
        .group_by(department)
    )
    if scope.departments is not None:
        query = query.where(department.in_(scope.departments or {-1}))
    return query


def department_report(
    session: Session,
    campaign_id: int,
    scope: Scope,
    locale: str = "ja",
    sort: str = "name",
    descending: bool = False,
    corrected: bool = True,
    employment: str | None = None,
) -> list[DepartmentRow]:
    """The department tree with own and rolled-up completion for one campaign, within the scope. A closed
    campaign's figures include its amendments unless `corrected` is False (the figures as recorded);
    `employment` (one of EMPLOYMENT_FILTERS) counts the people that filter keeps only.
    (Amendments of a closed period correct assignment figures only, not the people's.)"""
    found = session.get(Campaign, campaign_id)
    where = placement(found)
    rows, people = [], []
    for department, *by_status, late, on_time, counted, complete, overdue in session.execute(
        _per_department(campaign_id, where, scope, employment)
    ):
        # As tally reads them: the overdue count with the first open status, the on-time one with "completed".
        for name, n in zip(COUNTED_STATUSES, by_status, strict=True):
            rows.append((department, name, n, late if name == "assigned" else 0, on_time if name == "completed" else 0))
        people.append((department, counted, complete, overdue))
    if where.frozen and corrected:
        within = employment_assignments(employment)
        rows = [*rows, *amendment_rows(session, campaign_id, where, scope, within=within)]
    counts = tally(rows)
    add_people(counts, people)
    departments = [
        (d.id, d.code, d.name_en if locale == "en" else d.name_ja, d.parent_id)
        for d in session.execute(
            select(Department.id, Department.code, Department.name_ja, Department.name_en, Department.parent_id)
        )
    ]
    return tree(departments, counts, scope.roots, sort, descending)


def completion_curve(
    session: Session, campaign: Campaign, scope: Scope, total: Counts, employment: str | None = None
) -> tuple[list[date], list[float]]:
    """Share of the counted assignments (`total`, from the department report in the same scope and with the
    same `employment` filter) completed by each day of the campaign's window: a count per stored day of
    completion, read from an index."""
    where = placement(campaign)
    # Contractors' staff (no department; their section is reports/contractors.py) are not in `total` either.
    query = (
        select(Assignment.completed_on, func.count())
        .where(
            Assignment.campaign_id == campaign.id,
            Assignment.status == "completed",
            Assignment.contract_id.is_(None),
            *employment_assignments(employment),
        )
        .group_by(Assignment.completed_on)
    )
    if scope.departments is not None:
        query = query.join(User, User.id == Assignment.user_id).where(where.department.in_(scope.departments or {-1}))
    done_on = {day: int(n) for day, n in session.execute(query) if day is not None}
    return cumulative_shares(campaign.opens_on, campaign.period_end, tokyo_date(clock.now()), done_on, total)


@dataclass(frozen=True)
class PersonRow:
    name: str
    employee_no: str
    title_ja: str
    title_en: str
    status: str
    due_at: object
    completed_at: object
    attempts: int
    overdue: bool
    user_id: int | None = None
    department_id: int | None = None  # where the person is now: their name links to them only within scope

    @property
    def shown(self) -> str:
        """The status as the report shows it (a key of messages.PERSON_STATUS): open and past due is overdue."""
        if self.status in ("completed", "exempt"):
            return self.status
        if self.overdue:
            return "overdue"
        return "in_progress" if self.status == "in_progress" else "not_started"


def people(session: Session, campaign_id: int, department_id: int, employment: str | None = None) -> list[PersonRow]:
    """The people of one department (not its subtree) and their assignments in the campaign (a closed
    period: the people who were in it then); `employment` (one of EMPLOYMENT_FILTERS) keeps those it keeps."""
    where = placement(session.get(Campaign, campaign_id))
    now = where.as_of
    attempts = (
        select(Attempt.assignment_id, func.count().label("n"))
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Attempt.assignment_id)
        .subquery()
    )
    query = (
        select(
            User.name,
            User.employee_no,
            Edition.title_ja,
            Edition.title_en,
            Assignment.status,
            Assignment.due_at,
            Assignment.completed_at,
            func.coalesce(attempts.c.n, 0),
            User.id,
            User.department_id,
        )
        .join(User, User.id == Assignment.user_id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .outerjoin(attempts, attempts.c.assignment_id == Assignment.id)
        .where(
            Assignment.campaign_id == campaign_id, where.department == department_id, Assignment.withdrawn_at.is_(None)
        )
        .order_by(User.employee_no, Edition.module_id)
    )
    rows = session.execute(query.where(*employment_people(employment))).all()
    return [
        PersonRow(*r[:8], overdue=r[4] in ("assigned", "in_progress") and r[5] < now, user_id=r[8], department_id=r[9])
        for r in rows
    ]


def comprehension(session: Session, campaign: Campaign, scope: Scope, rows: list[DepartmentRow]):
    """Per department (rolled up, in the report tree's order) and module: scores with small groups withheld."""
    attempts = (
        select(
            Attempt.assignment_id,
            func.count().label("n"),
            func.max(case((and_(Attempt.number == 1, Attempt.passed.is_(True)), 1), else_=0)).label("first"),
        )
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Attempt.assignment_id)
        .subquery()
    )
    completed = Assignment.status == "completed"
    where = placement(campaign)
    query = (
        select(
            where.department,
            Edition.module_id,
            func.count(attempts.c.assignment_id),
            func.sum(case((attempts.c.assignment_id.is_not(None), Assignment.best_score), else_=0)),
            func.sum(attempts.c.first),
            func.sum(case((completed, 1), else_=0)),
            func.sum(case((completed, attempts.c.n), else_=0)),
        )
        .join(User, User.id == Assignment.user_id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .outerjoin(attempts, attempts.c.assignment_id == Assignment.id)
        .where(Assignment.campaign_id == campaign.id, Assignment.status != "exempt", Assignment.withdrawn_at.is_(None))
        .group_by(where.department, Edition.module_id)
    )
    if scope.departments is not None:
        query = query.where(where.department.in_(scope.departments or {-1}))
    own = comprehension_tally(session.execute(query).all())
    modules = sorted({cm.module_id for cm in campaign.modules if not cm.on_transfer})
    order = [(r.id, r.parent_id) for r in rows]
    return modules, rolled_up(order, own, modules)


def trend(session: Session, campaign: Campaign, scope: Scope, locale: str):
    """Completion and on-time rates of every period of a campaign's series, for the organisation (in scope)
    and for the departments at the top two levels of the reader's tree."""
    series = session.scalars(
        select(Campaign)
        .where(Campaign.series_id == campaign.series_id, Campaign.status != "draft")
        .order_by(Campaign.period_start)
    ).all()
    periods, overall, by_department = [], [], {}
    for index, period in enumerate(series):
        rows = department_report(session, period.id, scope, locale)
        total = organisation_total(rows)
        periods.append(period)
        overall.append((total.completion_rate, total.on_time_rate))
        for row in rows:
            if row.depth <= 1:
                line = by_department.setdefault(row.name, [None] * len(series))
                line[index] = row.total.completion_rate
    return periods, overall, by_department
