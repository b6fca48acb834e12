"""Read-only report queries, always limited to the reader's scope in the query itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, RoleGrant, User
from learning.accounts.tree import parent_map, subtree
from learning.authz import Role
from learning.campaigns.models import Campaign
from learning.campaigns.periods import tokyo_date
from learning.courses.models import Choice, Edition, Question
from learning.desk.models import DeskQuestion
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptQuestion
from learning.reports.completion import Counts, DepartmentRow, cumulative_shares, organisation_total, tally, tree
from learning.reports.comprehension import rolled_up
from learning.reports.comprehension import tally as comprehension_tally
from learning.reports.items import analyse
from learning.training.models import Assignment


@dataclass(frozen=True)
class Scope:
    """The departments a reader may see: None for the whole organisation."""

    roots: set[int] | None
    departments: set[int] | None

    def allows(self, department_id: int) -> bool:
        return self.departments is None or department_id in self.departments


def scope_of(session: Session, user) -> Scope:
    """Compliance and internal audit see everything; a manager sees the subtrees they head; else nothing."""
    if {Role.COMPLIANCE, Role.AUDITOR} & set(user.roles):
        return Scope(None, None)
    roots = set(
        session.scalars(
            select(RoleGrant.department_id).where(
                RoleGrant.user_id == user.id,
                RoleGrant.role == Role.MANAGER,
                RoleGrant.revoked_at.is_(None),
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


def department_report(
    session: Session, campaign_id: int, scope: Scope, locale: str = "ja", sort: str = "name", descending: bool = False
) -> list[DepartmentRow]:
    """The department tree with own and rolled-up completion for one campaign, within the scope."""
    now = clock.now()
    open_ = Assignment.status.in_(("assigned", "in_progress"))
    # One row per department and status, with the overdue and on-time counts summed alongside: every
    # column comes from ix_assignments_campaign_report, so PostgreSQL need not visit the table.
    query = (
        select(
            User.department_id,
            Assignment.status,
            func.count(),
            func.sum(case((and_(open_, Assignment.due_at < now), 1), else_=0)),
            func.sum(case((Assignment.completed_at <= Assignment.due_at, 1), else_=0)),
        )
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.campaign_id == campaign_id)
        .group_by(User.department_id, Assignment.status)
    )
    if scope.departments is not None:
        query = query.where(User.department_id.in_(scope.departments or {-1}))
    counts = tally(session.execute(query).all())
    departments = [
        (d.id, d.code, d.name_en if locale == "en" else d.name_ja, d.parent_id)
        for d in session.execute(
            select(Department.id, Department.code, Department.name_ja, Department.name_en, Department.parent_id)
        )
    ]
    return tree(departments, counts, scope.roots, sort, descending)


def completion_curve(
    session: Session, campaign: Campaign, scope: Scope, total: Counts
) -> tuple[list[date], list[float]]:
    """Share of the counted assignments (`total`, from the department report in the same scope) completed
    by each day of the campaign's window: a count per stored day of completion, read from an index."""
    query = (
        select(Assignment.completed_on, func.count())
        .where(Assignment.campaign_id == campaign.id, Assignment.status == "completed")
        .group_by(Assignment.completed_on)
    )
    if scope.departments is not None:
        query = query.join(User, User.id == Assignment.user_id).where(User.department_id.in_(scope.departments or {-1}))
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

    @property
    def shown(self) -> str:
        """The status as the report shows it (a key of messages.PERSON_STATUS): open and past due is overdue."""
        if self.status in ("completed", "exempt"):
            return self.status
        if self.overdue:
            return "overdue"
        return "in_progress" if self.status == "in_progress" else "not_started"


def people(session: Session, campaign_id: int, department_id: int) -> list[PersonRow]:
    """The people of one department (not its subtree) and their assignments in the campaign."""
    now = clock.now()
    attempts = (
        select(Attempt.assignment_id, func.count().label("n"))
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Attempt.assignment_id)
        .subquery()
    )
    rows = session.execute(
        select(
            User.name,
            User.employee_no,
            Edition.title_ja,
            Edition.title_en,
            Assignment.status,
            Assignment.due_at,
            Assignment.completed_at,
            func.coalesce(attempts.c.n, 0),
        )
        .join(User, User.id == Assignment.user_id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .outerjoin(attempts, attempts.c.assignment_id == Assignment.id)
        .where(Assignment.campaign_id == campaign_id, User.department_id == department_id)
        .order_by(User.employee_no, Edition.module_id)
    ).all()
    return [PersonRow(*r, overdue=r[4] in ("assigned", "in_progress") and r[5] < now) for r in rows]


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
    query = (
        select(
            User.department_id,
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
        .where(Assignment.campaign_id == campaign.id, Assignment.status != "exempt")
        .group_by(User.department_id, Edition.module_id)
    )
    if scope.departments is not None:
        query = query.where(User.department_id.in_(scope.departments or {-1}))
    own = comprehension_tally(session.execute(query).all())
    modules = sorted({cm.module_id for cm in campaign.modules if not cm.on_transfer})
    order = [(r.id, r.parent_id) for r in rows]
    return modules, rolled_up(order, own, modules)


def item_analysis(session: Session, edition_id: int):
    """Per question of an edition: figures from submitted attempts, wrong-choice picks, desk questions."""
    scores = dict(
        session.execute(
            select(Attempt.id, Attempt.score).where(Attempt.edition_id == edition_id, Attempt.submitted_at.is_not(None))
        ).all()
    )
    marks = session.execute(
        select(AttemptQuestion.attempt_id, AttemptQuestion.question_id, AttemptQuestion.correct)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.edition_id == edition_id, Attempt.submitted_at.is_not(None))
    ).all()
    figures = analyse(scores, marks)
    picks = dict(
        session.execute(
            select(AttemptAnswer.choice_id, func.count())
            .join(Choice, Choice.id == AttemptAnswer.choice_id)
            .join(Question, Question.id == Choice.question_id)
            .where(Question.edition_id == edition_id, Choice.correct.is_(False))
            .group_by(AttemptAnswer.choice_id)
        ).all()
    )
    desk = dict(
        session.execute(
            select(DeskQuestion.bank_question_id, func.count())
            .join(Question, Question.id == DeskQuestion.bank_question_id)
            .where(Question.edition_id == edition_id)
            .group_by(DeskQuestion.bank_question_id)
        ).all()
    )
    return figures, picks, desk, len(scores)


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
