"""Re-attestation: a substantive change to a module reopens it for everyone who completed the replaced
edition in the current fiscal year. Their completion stays on record (it names the edition they studied);
each gets a new assignment of the new edition with the reason and the author's note shown."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import User
from learning.accounts.tree import company_of, parent_map
from learning.audit.services import record
from learning.courses.models import Edition
from learning.training.models import Assignment

REATTEST_DAYS = 30
NOTE_LENGTH = 500


def reopen_completed(session: Session, replaced: Edition, edition: Edition, actor_id: int | None) -> int:
    """New assignments of `edition` for those who completed `replaced` this fiscal year; returns how many."""
    now = clock.now()
    since = clock.fiscal_year_start(now)
    # Never people who have left; a completion in a closed period stays there, and the new assignment
    # stands alone (no campaign) rather than entering that closed period.
    active = select(User.id).where(User.status == "active")
    completed = session.execute(
        select(Assignment.user_id, case((Assignment.frozen_at.is_(None), Assignment.campaign_id), else_=None))
        .where(
            Assignment.edition_id == replaced.id,
            Assignment.status == "completed",
            Assignment.completed_at >= since,
            Assignment.user_id.in_(active),
        )
        .order_by(Assignment.user_id, Assignment.completed_at)
    ).all()
    already = set(
        session.scalars(
            select(Assignment.user_id).where(
                Assignment.edition_id == edition.id,
                Assignment.status.in_(("assigned", "in_progress")),
                Assignment.frozen_at.is_(None),
                Assignment.withdrawn_at.is_(None),
            )
        )
    )
    campaign_of = {user_id: campaign_id for user_id, campaign_id in completed}  # the latest completion wins
    due_at = now + timedelta(days=REATTEST_DAYS)
    note = (edition.change_note or "")[:NOTE_LENGTH] or None
    reopened = [user_id for user_id in campaign_of if user_id not in already]
    departments = dict(session.execute(select(User.id, User.department_id).where(User.id.in_(reopened))).all())
    companies = company_of(parent_map(session))
    for user_id in reopened:
        session.add(
            Assignment(
                user_id=user_id,
                campaign_id=campaign_of[user_id],
                edition_id=edition.id,
                reason="reattest",
                department_id=departments.get(user_id),
                company_id=companies.get(departments.get(user_id)),
                note=note,
                status="assigned",
                assigned_at=now,
                due_at=due_at,
            )
        )
    session.flush()
    record(
        session,
        "reattestation_required",
        actor_id=actor_id,
        target=("edition", edition.id),
        details={"replaced": replaced.id, "people": len(reopened), "since": since.isoformat()},
    )
    return len(reopened)


def on_published(edition: Edition, *, session: Session, replaced: Edition | None, actor_id: int | None) -> None:
    if edition.substantive and replaced is not None:
        reopen_completed(session, replaced, edition, actor_id)
