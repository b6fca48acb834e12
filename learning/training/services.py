"""A learner's assignments: listing, reading progress, attestation and completion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import record
from learning.courses.models import Edition, Section
from learning.errors import DomainError
from learning.training import certificates, reading
from learning.training.messages import MESSAGES
from learning.training.models import Assignment, Exemption

DUE_SOON = timedelta(days=7)
OPEN = ("assigned", "in_progress")


class TrainingError(DomainError):
    """A step the assignment does not allow (yet); the code says what (training/messages.py)."""

    messages = MESSAGES


class NotFound(TrainingError):
    """No such assignment for this person; shown as 404 whether it exists for someone else or not."""

    def __init__(self):
        super().__init__("not_found")


@dataclass(frozen=True)
class StatusCounts:
    assigned: int
    completed: int
    due_soon: int
    overdue: int


# The statements every learner page runs are built once (SQLAlchemy caches their SQL, but building the
# expression and its cache key is most of a short query's cost, on every request); values are bound.
_live = and_(Assignment.status.in_(OPEN), Assignment.frozen_at.is_(None), Assignment.withdrawn_at.is_(None))
_MY_ASSIGNMENTS = (
    select(Assignment)
    .where(Assignment.user_id == bindparam("user_id"))
    .order_by(case((_live, 0), (Assignment.status == "exempt", 2), else_=1), Assignment.due_at, Assignment.id)
)
_is_open = Assignment.status.in_(OPEN)
_now = bindparam("now")
_STATUS_COUNTS = select(
    func.count(),
    func.count().filter(Assignment.status == "completed"),
    func.count().filter(_is_open, Assignment.due_at >= _now, Assignment.due_at < bindparam("soon")),
    func.count().filter(_is_open, Assignment.due_at < _now),
).where(
    Assignment.user_id == bindparam("user_id"),
    Assignment.status != "exempt",
    Assignment.frozen_at.is_(None),  # a closed period's leftovers are history, not to do
    Assignment.withdrawn_at.is_(None),
)
_OWN_ASSIGNMENT = select(Assignment).where(Assignment.id == bindparam("id"), Assignment.user_id == bindparam("user_id"))
_SECTIONS = select(Section).where(Section.edition_id == bindparam("edition_id")).order_by(Section.position)
_SECTION_AT = select(Section).where(
    Section.edition_id == bindparam("edition_id"), Section.position == bindparam("position")
)


def my_assignments(session: Session, user_id: int) -> list[Assignment]:
    """Own assignments: open ones first with the overdue at the top by due date, then the rest."""
    return list(session.scalars(_MY_ASSIGNMENTS, {"user_id": user_id}))


def status_counts(session: Session, user_id: int, now: datetime | None = None) -> StatusCounts:
    """The numbers of /api/v1/me/status, in one query."""
    now = now or clock.now()
    row = session.execute(_STATUS_COUNTS, {"user_id": user_id, "now": now, "soon": now + DUE_SOON}).one()
    return StatusCounts(*row)


def counts_of(assignments: list[Assignment], now: datetime | None = None) -> StatusCounts:
    """The same numbers as `status_counts`, from a person's assignments already read (`my_assignments`): the
    home page and "my training" read them all anyway, so the banner needs no query of its own there."""
    now = now or clock.now()
    live = [a for a in assignments if a.status != "exempt" and a.frozen_at is None and a.withdrawn_at is None]
    open_ = [a for a in live if a.status in OPEN]
    return StatusCounts(
        len(live),
        sum(a.status == "completed" for a in live),
        sum(now <= a.due_at < now + DUE_SOON for a in open_),
        sum(a.due_at < now for a in open_),
    )


def own_assignment(session: Session, user_id: int, assignment_id: int) -> Assignment:
    """The person's own assignment, or NotFound: another person's looks exactly like a missing one."""
    assignment = session.scalar(_OWN_ASSIGNMENT, {"id": assignment_id, "user_id": user_id})
    if assignment is None:
        raise NotFound
    return assignment


def sections_of(session: Session, edition_id: int) -> list[Section]:
    return list(session.scalars(_SECTIONS, {"edition_id": edition_id}))


def section_at(session: Session, edition_id: int, position: int) -> Section | None:
    return session.scalar(_SECTION_AT, {"edition_id": edition_id, "position": position})


def open_section(
    session: Session, assignment: Assignment, position: int, among: list[Section] | None = None
) -> Section:
    """The section at `position` if the learner may read it (any section up to one past the furthest done);
    picked from `among`, the edition's sections, where the page has read them already."""
    if among is None:
        section = section_at(session, assignment.edition_id, position)
    else:
        section = next((s for s in among if s.position == position), None)
    if section is None:
        raise NotFound
    if position > assignment.sections_done + 1 and not assignment.is_completed:
        raise TrainingError("read_in_order")
    return section


def check_open(assignment: Assignment) -> None:
    """Refuses a step on an assignment that can no longer change: its period closed, or it was withdrawn."""
    if assignment.frozen_at is not None and not assignment.is_completed:
        raise TrainingError("period_closed")
    if assignment.withdrawn_at is not None:
        raise TrainingError("withdrawn")


def finish_section(session: Session, assignment: Assignment, position: int) -> int | None:
    """Records that a section was read; returns the next position, or None after the last one."""
    open_section(session, assignment, position)
    total = assignment.edition.section_count
    if assignment.frozen_at is not None and assignment.is_completed:
        return position + 1 if position < total else None  # re-reading a closed year's module: nothing to record
    check_open(assignment)
    left = reading.seconds_left(session, assignment, position)
    if left:  # a section already read (a double click, a second tab) has nothing left: it passes
        raise TrainingError("too_soon", minimum=assignment.edition.min_read_seconds, left=left)
    assignment.sections_done = max(assignment.sections_done, position)
    assignment.last_section = min(position + 1, total)
    if assignment.status == "assigned":
        assignment.status = "in_progress"
    return position + 1 if position < total else None


def resume_position(assignment: Assignment, total: int) -> int:
    """Where "continue" takes the learner: the section after the furthest one read."""
    return min(max(assignment.last_section, assignment.sections_done + 1, 1), max(total, 1))


def attest(session: Session, assignment: Assignment, user_id: int) -> None:
    """The learner's attestation completes the assignment; only after passing the quiz, only once."""
    if assignment.is_completed:
        return
    check_open(assignment)
    if assignment.quiz_passed_at is None:
        raise TrainingError("quiz_first")
    now = clock.now()
    if assignment.status == "exempt":  # studied all the same: the exemption ends with the completion
        _close_open_exemptions(session, assignment, now, user_id, "completed")
    assignment.attested_at = now
    assignment.completed_at = now
    assignment.status = "completed"
    # The same edition held open elsewhere (last period's overdue one, say) is completed by the same study.
    also = session.scalars(
        select(Assignment).where(
            Assignment.user_id == assignment.user_id,
            Assignment.edition_id == assignment.edition_id,
            Assignment.id != assignment.id,
            Assignment.status.in_(OPEN),
            Assignment.frozen_at.is_(None),  # last year's stays as it was when its period closed
            Assignment.withdrawn_at.is_(None),
        )
    ).all()
    for other in also:
        other.status, other.attested_at, other.completed_at = "completed", now, now
        other.quiz_passed_at = other.quiz_passed_at or assignment.quiz_passed_at
        other.best_score = max(other.best_score or 0, assignment.best_score or 0)
    certificates.issue(session, [assignment, *also])
    record(
        session,
        "training_completed",
        actor_id=user_id,
        target=("assignment", assignment.id),
        details={
            "edition_id": assignment.edition_id,
            "score": assignment.best_score,
            "attested": True,
            "also_completed": [other.id for other in also],
        },
    )


def assign(session: Session, user_id: int, edition: Edition, due_at: datetime, reason: str) -> Assignment:
    """Gives a person an edition to complete by `due_at`."""
    assignment = Assignment(
        user_id=user_id, edition_id=edition.id, reason=reason, status="assigned", assigned_at=clock.now(), due_at=due_at
    )
    session.add(assignment)
    return assignment


def exempt(session: Session, assignment: Assignment, reason: str, until: datetime, actor_id: int) -> Exemption:
    """Exempts a person from an open assignment until a date (long leave, secondment); audited, and kept in the
    exemptions' register (an exemption already in force is replaced by this one)."""
    if assignment.frozen_at is not None:
        raise TrainingError("period_closed_exempt")
    if assignment.status == "completed":
        raise TrainingError("already_completed")
    now = clock.now()
    _close_open_exemptions(session, assignment, now, actor_id, "replaced")
    assignment.status = "exempt"
    assignment.exempt_reason = reason
    assignment.exempt_until = until
    assignment.exempted_by_id = actor_id
    exemption = Exemption(
        assignment_id=assignment.id,
        user_id=assignment.user_id,
        reason=reason,
        granted_by_id=actor_id,
        granted_at=now,
        until=until,
    )
    session.add(exemption)
    record(
        session,
        "exemption_granted",
        actor_id=actor_id,
        target=("assignment", assignment.id),
        details={"user_id": assignment.user_id, "until": until.isoformat(), "reason": reason},
    )
    return exemption


def _close_open_exemptions(session: Session, assignment: Assignment, at: datetime, actor_id: int | None, how: str):
    for open_ in session.scalars(
        select(Exemption).where(Exemption.assignment_id == assignment.id, Exemption.ended_at.is_(None))
    ):
        open_.ended_at, open_.ended_by_id, open_.ended_how = at, actor_id, how


def end_exemption(session: Session, assignment: Assignment, actor_id: int | None) -> None:
    """Puts an exempt assignment back where the person had left it (never in a closed period); the register
    keeps the exemption, ended by `actor_id` (None: expired, ended by the job)."""
    if assignment.frozen_at is not None:
        raise TrainingError("period_closed_exempt")
    if assignment.status != "exempt":
        return
    assignment.status = "in_progress" if assignment.sections_done else "assigned"
    _close_open_exemptions(session, assignment, clock.now(), actor_id, "expired" if actor_id is None else "lifted")
    record(
        session,
        "exemption_ended",
        actor_id=actor_id,
        target=("assignment", assignment.id),
        details={"user_id": assignment.user_id, "expired": actor_id is None},
    )


def end_expired_exemptions(session: Session) -> int:
    """Job step: exemptions whose end date has passed are lifted."""
    expired = session.scalars(
        select(Assignment).where(
            Assignment.status == "exempt", Assignment.exempt_until <= clock.now(), Assignment.frozen_at.is_(None)
        )
    ).all()
    for assignment in expired:
        end_exemption(session, assignment, actor_id=None)
    return len(expired)


def withdraw_for_leavers(_sender, *, session: Session, user_ids: list[int]) -> int:
    """A leaver's open assignments are withdrawn the day they leave: kept, marked, and out of every
    denominator from then on (closed periods stay as they were). Receives accounts.signals.people_left."""
    now = clock.now()
    withdrawn = 0
    for start in range(0, len(user_ids), 5000):
        withdrawn += session.execute(
            update(Assignment)
            .where(
                Assignment.user_id.in_(user_ids[start : start + 5000]),
                Assignment.status.in_(OPEN),
                Assignment.frozen_at.is_(None),
                Assignment.withdrawn_at.is_(None),
            )
            .values(withdrawn_at=now, withdrawn_reason="left")
            .execution_options(synchronize_session=False)
        ).rowcount
    return withdrawn
