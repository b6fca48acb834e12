"""What launching a campaign will do, per module, before it is launched; and what it did, read back from the
launch's audit record. Both count by coverage.already_covered, the rule assign() applies."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from learning.audit.models import AuditEvent
from learning.campaigns.contractor_audience import with_contractors
from learning.campaigns.coverage import COVERED_BY, audience, coverage_counts
from learning.campaigns.models import Campaign
from learning.campaigns.pledge_assignments import window
from learning.campaigns.pledge_models import PledgeAssignment
from learning.campaigns.services import covered, current_editions
from learning.pledges.models import PledgeSignature, PledgeVersion


@dataclass(frozen=True)
class ModuleLine:
    module_id: int
    edition_id: int | None  # None: the module has no published edition, so nothing of it is assigned
    audience: int
    to_assign: int
    exempt: int = 0
    open_elsewhere: int = 0
    completed: int = 0

    @property
    def covered(self) -> int:
        return sum(getattr(self, name) for name in COVERED_BY)


def forecast(session: Session, campaign: Campaign) -> list[ModuleLine]:
    """Per module (not the transfer rule's extras), what a launch now would assign: the edition it would pin
    (the one published now, or the one already pinned) and the people it would skip, by reason."""
    current = current_editions(session)
    people = with_contractors(session, campaign, audience(covered(session, campaign), campaign.managers_only))
    lines = []
    for cm in campaign.modules:
        if cm.on_transfer:
            continue
        edition_id = cm.edition_id or current.get(cm.module_id)
        if edition_id is None:
            lines.append(ModuleLine(cm.module_id, None, 0, 0))
            continue
        counts = coverage_counts(session, people, campaign, edition_id)
        lines.append(ModuleLine(module_id=cm.module_id, edition_id=edition_id, **counts))
    return lines


@dataclass(frozen=True)
class PledgeLine:
    pledge_id: int
    audience: int  # a draft: covered now; launched: asked to sign
    signed: int  # a draft: already signed a version within the period; launched: signed
    exempt: int = 0


def pledge_lines(session: Session, campaign: Campaign) -> list[PledgeLine]:
    """Per pledge of the campaign: a draft's audience and who of them already signed within the period (they
    are asked all the same, and counted signed at once); a launched one's pledge assignments by status."""
    if not campaign.pledges:
        return []
    if campaign.status != "draft":
        counts = {
            pledge_id: (int(n), int(signed or 0), int(exempt or 0))
            for pledge_id, n, signed, exempt in session.execute(
                select(
                    PledgeAssignment.pledge_id,
                    func.count(),
                    func.sum(case((PledgeAssignment.status == "signed", 1), else_=0)),
                    func.sum(case((PledgeAssignment.status == "exempt", 1), else_=0)),
                )
                .where(PledgeAssignment.campaign_id == campaign.id, PledgeAssignment.withdrawn_at.is_(None))
                .group_by(PledgeAssignment.pledge_id)
            )
        }
        return [PledgeLine(cp.pledge_id, *counts.get(cp.pledge_id, (0, 0, 0))) for cp in campaign.pledges]
    people = audience(covered(session, campaign), campaign.managers_only)
    total = session.scalar(select(func.count()).select_from(people.subquery()))
    start, end = window(campaign)
    lines = []
    for cp in campaign.pledges:
        signed = session.scalar(
            select(func.count(func.distinct(PledgeSignature.user_id)))
            .join(PledgeVersion, PledgeVersion.id == PledgeSignature.version_id)
            .where(
                PledgeVersion.pledge_id == cp.pledge_id,
                PledgeSignature.outcome == "signed",
                PledgeSignature.signed_at >= start,
                PledgeSignature.signed_at < end,
                PledgeSignature.user_id.in_(people),
            )
        )
        lines.append(PledgeLine(cp.pledge_id, int(total or 0), int(signed or 0)))
    return lines


@dataclass(frozen=True)
class LaunchRecord:
    at: object
    actor_id: int | None
    assignments: int
    lines: list[dict]  # as forecast() gives them, with "assigned": what the launch wrote


def launch_record(session: Session, campaign_id: int) -> LaunchRecord | None:
    """The campaign's launch as recorded (the first campaign_launched event of it). Launches recorded before
    the per-module counts were kept show their total only."""
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == "campaign_launched",
            AuditEvent.target_type == "campaign",
            AuditEvent.target_id == str(campaign_id),
        )
        .order_by(AuditEvent.id)
        .limit(1)
    )
    if event is None:
        return None
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        details = {}
    if not isinstance(details, dict):
        details = {}
    lines = [line for line in details.get("modules") or [] if isinstance(line, dict)]
    return LaunchRecord(event.at, event.actor_id, int(details.get("assignments") or 0), lines)
