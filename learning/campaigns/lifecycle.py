"""A campaign's life after it is drafted: editing and deleting a draft, copying any campaign to a new draft,
launching a draft (its window still ahead), closing a running one early or cancelling it.

A draft is edited by one conditional UPDATE (still a draft, still the revision the editor started from), so
two editors never overwrite each other silently and an edit never lands on a launched campaign. Every other
step takes the campaign's row lock first and then checks its status: a launch, a cancellation and an edit
at the same moment are done one after the other, and the later one sees what the earlier did.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import record
from learning.campaigns import pledge_assignments
from learning.campaigns.closing import close
from learning.campaigns.contractor_audience import rules_of
from learning.campaigns.messages import MESSAGES
from learning.campaigns.models import Campaign, CampaignContractor, CampaignDepartment, CampaignModule
from learning.campaigns.periods import MONTHS, add_months, fiscal_year
from learning.campaigns.pledge_models import CampaignPledge
from learning.campaigns.services import (
    CampaignDraft,
    CampaignInvalid,
    add_rules,
    check_draft,
    current_editions,
    draft_columns,
    launch,
)
from learning.courses.models import Module
from learning.errors import DomainError
from learning.pledges.models import Pledge
from learning.training.models import Assignment
from learning.training.services import OPEN


class LifecycleError(DomainError):
    messages = MESSAGES


def locked(session: Session, campaign_id: int) -> Campaign:
    """The campaign, its row locked until the transaction ends (PostgreSQL; SQLite writes one at a time)."""
    campaign = session.get(Campaign, campaign_id, with_for_update=True, populate_existing=True)
    if campaign is None:
        raise LifecycleError("not_found")
    return campaign


def as_draft(campaign: Campaign) -> CampaignDraft:
    """A campaign's settings as a draft: the form to edit it, or to copy it."""
    return CampaignDraft(
        name_ja=campaign.name_ja,
        name_en=campaign.name_en,
        module_ids=[cm.module_id for cm in campaign.modules if not cm.on_transfer],
        whole_organisation=campaign.whole_organisation,
        include_ids=[d.department_id for d in campaign.departments if not d.exclude],
        exclude_ids=[d.department_id for d in campaign.departments if d.exclude],
        opens_on=campaign.opens_on,
        due_on=campaign.due_on,
        recurrence=campaign.recurrence,
        event_due_days=campaign.event_due_days,
        reminder_days=campaign.reminder_days,
        escalate_after_days=campaign.escalate_after_days,
        transfer_from_id=campaign.transfer_from_id,
        transfer_to_id=campaign.transfer_to_id,
        transfer_module_ids=[cm.module_id for cm in campaign.modules if cm.on_transfer],
        managers_only=campaign.managers_only,
        pledge_ids=[cp.pledge_id for cp in campaign.pledges],
        contractors=rules_of(campaign),
    )


def update_draft(
    session: Session, campaign_id: int, revision: int, draft: CampaignDraft, actor_id: int, today: date
) -> Campaign:
    """Replaces a draft's settings, if it is still a draft at `revision`; raises CampaignInvalid (fields)
    or LifecycleError (launched meanwhile: copy it instead; changed by someone else: reload)."""
    problems = check_draft(session, draft, today)
    if problems:
        raise CampaignInvalid(problems)
    changed = session.scalar(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "draft", Campaign.revision == revision)
        .values(**draft_columns(draft), revision=Campaign.revision + 1)
        .returning(Campaign.revision)
        .execution_options(synchronize_session=False)
    )
    if changed is None:
        _refuse_edit(session, campaign_id)
    # The row is ours now (the UPDATE holds its lock): its rules are replaced whole.
    session.execute(delete(CampaignModule).where(CampaignModule.campaign_id == campaign_id))
    session.execute(delete(CampaignDepartment).where(CampaignDepartment.campaign_id == campaign_id))
    session.execute(delete(CampaignPledge).where(CampaignPledge.campaign_id == campaign_id))
    session.execute(delete(CampaignContractor).where(CampaignContractor.campaign_id == campaign_id))
    add_rules(session, campaign_id, draft)
    session.flush()
    campaign = session.get(Campaign, campaign_id, populate_existing=True)
    session.expire(campaign, ["modules", "departments", "pledges", "contractors"])
    record(
        session, "campaign_edited", actor_id=actor_id, target=("campaign", campaign_id), details={"revision": changed}
    )
    return campaign


def _refuse_edit(session: Session, campaign_id: int):
    status = session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
    if status is None:
        raise LifecycleError("not_found")
    raise LifecycleError("not_a_draft" if status != "draft" else "stale")


def delete_draft(session: Session, campaign_id: int, revision: int, actor_id: int) -> None:
    """Deletes a draft (nothing was ever assigned from it); the audit trail keeps that it existed."""
    campaign = locked(session, campaign_id)
    if campaign.status != "draft":
        raise LifecycleError("not_a_draft")
    if campaign.revision != revision:
        raise LifecycleError("stale")
    names = campaign.names
    session.execute(delete(CampaignModule).where(CampaignModule.campaign_id == campaign_id))
    session.execute(delete(CampaignDepartment).where(CampaignDepartment.campaign_id == campaign_id))
    session.execute(delete(CampaignPledge).where(CampaignPledge.campaign_id == campaign_id))
    session.execute(delete(CampaignContractor).where(CampaignContractor.campaign_id == campaign_id))
    session.expire(campaign, ["pledges", "contractors"])
    session.delete(campaign)
    session.flush()
    record(
        session,
        "campaign_deleted",
        actor_id=actor_id,
        target=("campaign", campaign_id),
        details={"name": names["ja"], "name_en": names["en"]},
    )


def copy_proposal(campaign: Campaign, today: date) -> CampaignDraft:
    """A new draft like `campaign`, a period later: the fiscal year in its names moved on as a rollover does,
    its dates moved by its period (a year for a one-off campaign), again until the due date is not past."""
    months = MONTHS.get(campaign.recurrence, 12)
    draft = as_draft(campaign)
    start, steps = campaign.period_start, 0
    while True:
        steps += 1
        due_on = add_months(campaign.due_on, months * steps)
        if due_on >= today:
            break
    old_year, new_year = str(fiscal_year(start)), str(fiscal_year(add_months(start, months * steps)))
    return replace(
        draft,
        name_ja=campaign.name_ja.replace(old_year, new_year),
        name_en=campaign.name_en.replace(old_year, new_year),
        opens_on=max(add_months(campaign.opens_on, months * steps), today),
        due_on=due_on,
    )


def launch_draft(session: Session, campaign_id: int, actor_id: int, today: date) -> int:
    """Launches a draft whose window is still ahead (it may open today; its due date is not past), every
    module with a published edition. Returns the assignments made."""
    campaign = locked(session, campaign_id)
    if campaign.status != "draft":
        raise LifecycleError("already_launched")
    if campaign.opens_on < today:
        raise LifecycleError("opens_in_past", field="opens_on")
    if campaign.due_on < today:
        raise LifecycleError("due_in_past", field="due_on")
    current = current_editions(session)
    for cm in campaign.modules:
        if cm.edition_id is None and cm.module_id not in current:
            slug = session.scalar(select(Module.slug).where(Module.id == cm.module_id))
            raise LifecycleError("no_edition", module=slug or str(cm.module_id))
    published = {p.id for p, _v in pledge_assignments.published_pledges(session)}
    for cp in campaign.pledges:
        if cp.pledge_id not in published:
            slug = session.scalar(select(Pledge.slug).where(Pledge.id == cp.pledge_id))
            raise LifecycleError("no_pledge_version", pledge=slug or str(cp.pledge_id))
    return launch(session, campaign, actor_id)


def _running(session: Session, campaign_id: int, reason: str) -> Campaign:
    campaign = locked(session, campaign_id)
    if campaign.status != "running":
        raise LifecycleError("not_running")
    if not reason.strip():
        raise LifecycleError("reason_required", field="reason")
    return campaign


def close_early(session: Session, campaign_id: int, reason: str, actor_id: int) -> None:
    """Ends a running campaign now: its assignments kept as they are and frozen, as at the end of a period.
    A repeating campaign closed early still rolls over when its period ends (running.roll_over); a cancelled
    one does not."""
    campaign = _running(session, campaign_id, reason)
    campaign.ended_how, campaign.ended_reason = "closed_early", reason.strip()
    session.flush()  # before close() reloads the row under its lock
    record(
        session,
        "campaign_closed_early",
        actor_id=actor_id,
        target=("campaign", campaign.id),
        details={"reason": reason.strip()},
    )
    close(session, campaign, actor_id)


def cancel(session: Session, campaign_id: int, reason: str, actor_id: int) -> int:
    """Cancels a running campaign: its open assignments are withdrawn (kept, marked "cancelled", out of every
    count), completed and exempt ones kept; then the period is closed and frozen. Returns those withdrawn."""
    campaign = _running(session, campaign_id, reason)
    withdrawn = len(
        session.execute(
            update(Assignment)
            .where(
                Assignment.campaign_id == campaign.id,
                Assignment.status.in_(OPEN),
                Assignment.withdrawn_at.is_(None),
                Assignment.frozen_at.is_(None),
            )
            .values(withdrawn_at=clock.now(), withdrawn_reason="cancelled")
            .returning(Assignment.id)
            .execution_options(synchronize_session=False)
        ).all()
    )
    withdrawn += pledge_assignments.withdraw_cancelled(session, campaign.id)
    campaign.ended_how, campaign.ended_reason = "cancelled", reason.strip()
    session.flush()
    record(
        session,
        "campaign_cancelled",
        actor_id=actor_id,
        target=("campaign", campaign.id),
        details={"reason": reason.strip(), "withdrawn": withdrawn},
    )
    close(session, campaign, actor_id)
    return withdrawn
