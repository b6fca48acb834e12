"""Extending a running campaign's due date for a person, a department subtree or everyone, with a reason.

The assignments' `due_at` moves (so reports, reminders and overdue counts follow); each assignment moved
gets a DueExtensionItem with the due date it had, so its first item keeps its original due date for good.
Extensions only ever move a date later. The campaign's row lock is taken first: two extensions at once are
applied one after the other, and the second records the date the first set as the one it replaced.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import User
from learning.accounts.tree import parent_map, subtree
from learning.audit.services import record
from learning.campaigns.lifecycle import LifecycleError, locked
from learning.campaigns.models import DueExtension, DueExtensionItem
from learning.campaigns.periods import end_of_day, tokyo_date
from learning.campaigns.pledge_models import PledgeAssignment, PledgeExtensionItem
from learning.db import UTCDateTime
from learning.training.models import Assignment
from learning.training.services import OPEN


def extend(
    session: Session,
    campaign_id: int,
    scope: str,
    due_on: date,
    reason: str,
    actor_id: int,
    *,
    user_id: int | None = None,
    department_id: int | None = None,
) -> DueExtension:
    """Moves the due date of the open assignments in `scope` ("person": user_id, "department": everyone now
    in department_id's subtree, "campaign": everyone, and the campaign's own due date for those assigned
    later) to the end of `due_on` in Japan. Refuses (LifecycleError, with the field) a missing reason or
    target, a date in the past or not after the current due date, and a scope with nothing open to move."""
    campaign = locked(session, campaign_id)
    if campaign.status != "running":
        raise LifecycleError("not_running")
    reason = reason.strip()
    if not reason:
        raise LifecycleError("reason_required", field="reason")
    if scope == "person" and user_id is None:
        raise LifecycleError("extension_person_missing", field="employee_no")
    if scope == "department" and department_id is None:
        raise LifecycleError("extension_department_missing", field="department")
    today = tokyo_date(clock.now())
    if due_on < today:
        raise LifecycleError("extension_in_past", field="due_on")
    people = _people_in_scope(session, scope, user_id, department_id)
    targeted = [
        Assignment.campaign_id == campaign.id,
        Assignment.status.in_(OPEN),
        Assignment.withdrawn_at.is_(None),
        Assignment.frozen_at.is_(None),
        *([Assignment.user_id.in_(people)] if people is not None else []),
    ]
    pledges = [
        PledgeAssignment.campaign_id == campaign.id,
        PledgeAssignment.status == "assigned",
        PledgeAssignment.withdrawn_at.is_(None),
        PledgeAssignment.frozen_at.is_(None),
        *([PledgeAssignment.user_id.in_(people)] if people is not None else []),
    ]
    dues = [
        session.scalar(select(func.min(Assignment.due_at)).where(*targeted)),
        session.scalar(select(func.min(PledgeAssignment.due_at)).where(*pledges)),
    ]
    current: datetime | None = min((d for d in dues if d is not None), default=None)
    if current is None:
        raise LifecycleError(
            "extension_nobody", field={"person": "employee_no", "department": "department"}.get(scope, "scope")
        )
    new_due = end_of_day(due_on)
    floor = max(current, end_of_day(campaign.due_on)) if scope == "campaign" else current
    if new_due <= floor:
        raise LifecycleError("extension_before_due", field="due_on", due=tokyo_date(floor))
    extension = DueExtension(
        campaign_id=campaign.id,
        scope=scope,
        user_id=user_id if scope == "person" else None,
        department_id=department_id if scope == "department" else None,
        due_on=due_on,
        reason=reason,
        extended_by_id=actor_id,
        extended_at=clock.now(),
    )
    session.add(extension)
    session.flush()
    moved = session.execute(
        insert(DueExtensionItem)
        .from_select(
            ["extension_id", "assignment_id", "previous_due_at", "new_due_at"],
            select(literal(extension.id), Assignment.id, Assignment.due_at, literal(new_due, UTCDateTime())).where(
                *targeted, Assignment.due_at < new_due
            ),
        )
        .returning(DueExtensionItem.assignment_id)
    ).all()
    session.execute(
        update(Assignment)
        .where(
            Assignment.id.in_(
                select(DueExtensionItem.assignment_id).where(DueExtensionItem.extension_id == extension.id)
            )
        )
        .values(due_at=new_due)
        .execution_options(synchronize_session=False)
    )
    moved_pledges = _move_pledges(session, extension.id, pledges, new_due)
    extension.assignments = len(moved) + moved_pledges
    if scope == "campaign":
        campaign.due_on = due_on  # joiners and movers assigned from now get the new date too
    _run_on_to(campaign, due_on)
    session.flush()
    details = {"scope": scope, "due_on": due_on.isoformat(), "reason": reason, "assignments": len(moved)}
    if moved_pledges:
        details["pledge_assignments"] = moved_pledges
    if extension.user_id:
        details["user_id"] = extension.user_id
    if extension.department_id:
        details["department_id"] = extension.department_id
    record(session, "due_date_extended", actor_id=actor_id, target=("campaign", campaign.id), details=details)
    return extension


def _people_in_scope(session: Session, scope: str, user_id: int | None, department_id: int | None):
    """The people whose due dates an extension moves (a SELECT of ids), or None for the whole campaign."""
    if scope == "person":
        return select(User.id).where(User.id == user_id)
    if scope == "department":
        area = subtree([department_id], parent_map(session))
        return select(User.id).where(User.department_id.in_(area))
    return None


def _move_pledges(session: Session, extension_id: int, targeted: list, new_due: datetime) -> int:
    """The open pledge assignments in scope moved to `new_due`, each one's previous due date kept."""
    moved = session.execute(
        insert(PledgeExtensionItem)
        .from_select(
            ["extension_id", "pledge_assignment_id", "previous_due_at", "new_due_at"],
            select(
                literal(extension_id), PledgeAssignment.id, PledgeAssignment.due_at, literal(new_due, UTCDateTime())
            ).where(*targeted, PledgeAssignment.due_at < new_due),
        )
        .returning(PledgeExtensionItem.pledge_assignment_id)
    ).all()
    session.execute(
        update(PledgeAssignment)
        .where(
            PledgeAssignment.id.in_(
                select(PledgeExtensionItem.pledge_assignment_id).where(PledgeExtensionItem.extension_id == extension_id)
            )
        )
        .values(due_at=new_due)
        .execution_options(synchronize_session=False)
    )
    return len(moved)


def _run_on_to(campaign, due_on: date) -> None:
    """A one-off campaign's period ends the day after its due date: it runs on to an extended date, so its
    reminders follow it and it is not closed (and frozen) under the people given more time."""
    if campaign.recurrence == "none" and campaign.period_end <= due_on:
        campaign.period_end = due_on + timedelta(days=1)


def original_due(session: Session, assignment_ids: list[int]) -> dict[int, datetime]:
    """The due date each extended assignment had before its first extension (absent: never extended)."""
    if not assignment_ids:
        return {}
    rows = session.execute(
        select(DueExtensionItem.assignment_id, func.min(DueExtensionItem.previous_due_at))
        .where(DueExtensionItem.assignment_id.in_(assignment_ids))
        .group_by(DueExtensionItem.assignment_id)
    )
    return dict(rows.all())


def extensions_of(session: Session, campaign_id: int) -> list[DueExtension]:
    return list(
        session.scalars(
            select(DueExtension).where(DueExtension.campaign_id == campaign_id).order_by(DueExtension.id.desc())
        )
    )
