"""Amending a closed period: the one way to correct its record, by the compliance office, with a reason.

The frozen assignment never changes; an amendment row says what its outcome should have been, who said so
and why. Reports of the closed period show the corrected figures beside the recorded ones, and list every
amendment (reports/services.py applies them).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import record
from learning.campaigns.messages import MESSAGES
from learning.campaigns.models import AMENDMENT_STATUSES, Campaign, PeriodAmendment
from learning.errors import DomainError
from learning.training.models import Assignment


class AmendmentRefused(DomainError):
    messages = MESSAGES


def effective_status(assignment: Assignment) -> str:
    """The outcome as recorded, in the amendment's terms."""
    if assignment.status in ("completed", "exempt"):
        return assignment.status
    return "not_completed"


def amend(
    session: Session,
    assignment: Assignment,
    corrected_status: str,
    reason: str,
    actor_id: int,
    completed_on: date | None = None,
) -> PeriodAmendment:
    """Records a correction to one assignment of a closed period."""
    reason = (reason or "").strip()
    if not reason:
        raise AmendmentRefused("amendment_reason", field="reason")
    if corrected_status not in AMENDMENT_STATUSES:
        raise AmendmentRefused("amendment_status", field="corrected_status")
    campaign = session.get(Campaign, assignment.campaign_id) if assignment.campaign_id else None
    if campaign is None or campaign.status != "closed" or assignment.frozen_at is None:
        raise AmendmentRefused("amendment_not_closed")
    if corrected_status == "completed" and completed_on is None:
        raise AmendmentRefused("amendment_completed_on", field="completed_on")
    latest = current(session, assignment.id)
    original = latest.corrected_status if latest else effective_status(assignment)
    if corrected_status == original and corrected_status != "completed":
        raise AmendmentRefused("amendment_unchanged", field="corrected_status")
    amendment = PeriodAmendment(
        campaign_id=campaign.id,
        assignment_id=assignment.id,
        original_status=effective_status(assignment),
        corrected_status=corrected_status,
        corrected_completed_on=completed_on if corrected_status == "completed" else None,
        reason=reason[:1000],
        amended_by_id=actor_id,
        amended_at=clock.now(),
    )
    session.add(amendment)
    session.flush()
    record(
        session,
        "period_amended",
        actor_id=actor_id,
        target=("assignment", assignment.id),
        details={
            "campaign": campaign.id,
            "from": original,
            "to": corrected_status,
            "completed_on": completed_on.isoformat() if completed_on else None,
            "reason": reason[:1000],
        },
    )
    return amendment


def current(session: Session, assignment_id: int) -> PeriodAmendment | None:
    """The latest amendment of an assignment (a later one supersedes an earlier)."""
    return latest(session, [assignment_id]).get(assignment_id)


def latest(session: Session, assignment_ids) -> dict[int, PeriodAmendment]:
    """The latest amendment of each of these assignments that has one, by assignment id."""
    ids = sorted(set(assignment_ids))
    found: dict[int, PeriodAmendment] = {}
    for start in range(0, len(ids), 500):
        newest = (
            select(func.max(PeriodAmendment.id))
            .where(PeriodAmendment.assignment_id.in_(ids[start : start + 500]))
            .group_by(PeriodAmendment.assignment_id)
        )
        rows = session.scalars(select(PeriodAmendment).where(PeriodAmendment.id.in_(newest)))
        found.update((a.assignment_id, a) for a in rows)
    return found
