"""Campaigns over time: those running today, rollover to the next period, joiners and movers assigned.

Each step is safe to run any number of times, and twice at once; `flask jobs run` calls them (jobs.py).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import PersonnelEvent, User
from learning.accounts.tree import parent_map, subtree
from learning.audit.models import AuditEvent
from learning.audit.services import record
from learning.campaigns import contractor_audience, pledge_assignments, transfers
from learning.campaigns.closing import close
from learning.campaigns.coverage import audience, department_heads
from learning.campaigns.models import Campaign, CampaignContractor, CampaignDepartment, CampaignModule
from learning.campaigns.periods import (
    MONTHS,
    add_months,
    fiscal_year,
    next_period,
    start_of_day,
    tokyo_date,
)
from learning.campaigns.pledge_models import CampaignPledge
from learning.campaigns.services import assign, covered, launch


def running_campaigns(session: Session, today: date) -> list[Campaign]:
    return list(
        session.scalars(
            select(Campaign).where(
                Campaign.status == "running", Campaign.period_start <= today, Campaign.period_end > today
            )
        )
    )


def launched_campaigns(session: Session, today: date) -> list[Campaign]:
    """Running campaigns whose period has not ended, those launched ahead of their window included: a
    campaign launched early already holds its audience, so a joiner or mover before the window opens is
    theirs too (reminders, in contrast, wait for the window: `running_campaigns`)."""
    return list(session.scalars(select(Campaign).where(Campaign.status == "running", Campaign.period_end > today)))


def roll_over(session: Session) -> list[Campaign]:
    """Closes recurring campaigns whose period has ended and launches their successors with the
    then-current editions. Safe to run any number of times, and several at once: each ended campaign is
    locked before it is rolled over (a second run waits, then finds it closed), and the insert of the
    successor gives way on the unique (series, period_start), so any other race is "already rolled over";
    the loser launches nothing, so the successor's assignments are made once."""
    today = tokyo_date(clock.now())
    launched = _after_early_endings(session, today)
    while True:
        ended = session.scalars(
            select(Campaign)
            .where(Campaign.status == "running", Campaign.recurrence != "none", Campaign.period_end <= today)
            .order_by(Campaign.id)
        ).all()
        if not ended:
            break
        for campaign in ended:
            # An overlapping run may have rolled this campaign over since the query above: the row lock
            # makes this run wait for that one's commit, and then see the campaign closed.
            session.refresh(campaign, with_for_update=True)
            if campaign.status != "running":
                continue
            successor = _successor(session, campaign)
            close(session, campaign)
            if successor is not None:
                launch(session, successor, actor_id=None)
                launched.append(successor)
        session.flush()
    for campaign in session.scalars(
        select(Campaign).where(
            Campaign.status == "running", Campaign.recurrence == "none", Campaign.period_end <= today
        )
    ):
        close(session, campaign)
    return launched


def _after_early_endings(session: Session, today: date) -> list[Campaign]:
    """Repeating campaigns closed early go on at the end of their period as if they had run to it: the next
    period's campaign is made and launched then (a cancelled one ends its series: nothing follows it). Only a
    next period still running today or ahead is made, never one that has passed as well. Safe to run again
    and at once: the campaign's row is locked (a closed row can be locked, not changed), and the successor
    is made once per series and period, or not at all when a copy by hand already holds that period."""
    launched = []
    ended = session.scalars(
        select(Campaign.id)
        .where(
            Campaign.status == "closed",
            Campaign.ended_how == "closed_early",
            Campaign.recurrence != "none",
            Campaign.period_end <= today,
            Campaign.period_end > add_months(today, -max(MONTHS.values())),
        )
        .order_by(Campaign.id)
    ).all()
    for campaign_id in ended:
        campaign = session.get(Campaign, campaign_id, with_for_update=True, populate_existing=True)
        if next_period(campaign.period_start, campaign.recurrence)[1] <= today:
            continue
        successor = _successor(session, campaign)
        if successor is not None:
            launch(session, successor, actor_id=None)
            launched.append(successor)
    session.flush()
    return launched


def _successor(session: Session, campaign: Campaign) -> Campaign | None:
    months = MONTHS[campaign.recurrence]
    start, end = next_period(campaign.period_start, campaign.recurrence)
    if _successor_exists(session, campaign.series_id, start) or _copied_into(session, campaign, start, end):
        return None
    old_year, new_year = str(fiscal_year(campaign.period_start)), str(fiscal_year(start))
    values = {
        "series_id": campaign.series_id,
        "name_ja": campaign.name_ja.replace(old_year, new_year),
        "name_en": campaign.name_en.replace(old_year, new_year),
        "status": "draft",
        "whole_organisation": campaign.whole_organisation,
        "managers_only": campaign.managers_only,
        "recurrence": campaign.recurrence,
        "opens_on": add_months(campaign.opens_on, months),
        "due_on": add_months(campaign.due_on, months),
        "period_start": start,
        "period_end": end,
        "event_due_days": campaign.event_due_days,
        "reminder_days": campaign.reminder_days,
        "escalate_after_days": campaign.escalate_after_days,
        "transfer_from_id": campaign.transfer_from_id,
        "transfer_to_id": campaign.transfer_to_id,
        "created_by_id": campaign.created_by_id,
        "created_at": clock.now(),
    }
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # Another transaction may make this period's campaign between the check above and this insert: the
    # unique (series, period_start) then makes it wait for that one and insert nothing, which is "already
    # rolled over", not a failure. Any other refusal still fails the step.
    new_id = session.scalar(
        module.insert(Campaign)
        .values(values)
        .on_conflict_do_nothing(index_elements=["series_id", "period_start"])
        .returning(Campaign.id)
    )
    if new_id is None:
        return None
    successor = session.get(Campaign, new_id)
    session.add_all(
        CampaignModule(campaign_id=successor.id, module_id=cm.module_id, on_transfer=cm.on_transfer)
        for cm in campaign.modules
    )
    session.add_all(
        CampaignDepartment(campaign_id=successor.id, department_id=d.department_id, exclude=d.exclude)
        for d in campaign.departments
    )
    session.add_all(CampaignPledge(campaign_id=successor.id, pledge_id=cp.pledge_id) for cp in campaign.pledges)
    session.add_all(
        CampaignContractor(
            campaign_id=successor.id,
            company_id=c.company_id,
            contract_id=c.contract_id,
            sponsor_department_id=c.sponsor_department_id,
        )
        for c in campaign.contractors
    )
    session.flush()
    session.expire(successor, ["modules", "departments", "pledges", "contractors"])
    record(session, "campaign_rolled_over", target=("campaign", successor.id), details={"previous": campaign.id})
    return successor


def _successor_exists(session: Session, series_id: int | None, start: date) -> bool:
    found = session.scalar(select(Campaign.id).where(Campaign.series_id == series_id, Campaign.period_start == start))
    return found is not None


def _copied_into(session: Session, campaign: Campaign, start: date, end: date) -> bool:
    """Whether a copy of `campaign` made by hand ("copy to a new draft", a series of its own) already holds
    part of the period from `start` to `end`: the rollover then makes no second campaign for it. The copy is
    known by its creation's audit record, which names the campaign it was copied from (copies made before
    this check existed included)."""
    created = session.execute(
        select(AuditEvent.target_id, AuditEvent.details).where(
            AuditEvent.action == "campaign_created",
            AuditEvent.target_type == "campaign",
            AuditEvent.details.like('%"copy_of"%'),
        )
    ).all()
    copies = set()
    for target_id, details in created:
        try:
            copy_of = json.loads(details or "{}").get("copy_of")
        except (ValueError, AttributeError):
            continue
        if copy_of == campaign.id and str(target_id).isdigit():
            copies.add(int(target_id))
    if not copies:
        return False
    found = session.scalar(
        select(Campaign.id).where(Campaign.id.in_(copies), Campaign.period_start < end, Campaign.period_end > start)
    )
    return found is not None


def process_personnel_events(session: Session, batch: int = 5000) -> int:
    """Assigns running campaigns' modules to joiners and movers; returns assignments created.

    Events are claimed in batches with a conditional update, so two overlapping runs never both act
    on one; the assignments are then written per (campaign, module, day, reason) group in one statement.
    """
    now = clock.now()
    campaigns = launched_campaigns(session, tokyo_date(now))
    if not campaigns:  # nothing to assign: the events are simply done
        session.execute(
            update(PersonnelEvent)
            .where(PersonnelEvent.processed_at.is_(None))
            .values(processed_at=now)
            .execution_options(synchronize_session=False)
        )
        return 0
    parents = parent_map(session)
    areas = {c.id: covered(session, c, parents) for c in campaigns}
    created = _assign_new_heads(session, [c for c in campaigns if c.managers_only], areas, now)
    created += _assign_contractor_joiners(session, [c for c in campaigns if c.contractors], parents, now)
    rule_areas = {
        c.id: (subtree([c.transfer_from_id], parents), subtree([c.transfer_to_id], parents))
        for c in campaigns
        if c.transfer_from_id and c.transfer_to_id
    }
    while True:
        candidates = session.scalars(
            select(PersonnelEvent.id)
            .where(PersonnelEvent.processed_at.is_(None))
            .order_by(PersonnelEvent.id)
            .limit(batch)
        ).all()
        if not candidates:
            return created
        claimed = session.scalars(
            update(PersonnelEvent)
            .where(PersonnelEvent.id.in_(candidates), PersonnelEvent.processed_at.is_(None))
            .values(processed_at=now)
            .returning(PersonnelEvent.id)
        ).all()
        events = session.scalars(select(PersonnelEvent).where(PersonnelEvent.id.in_(claimed))).all()
        for campaign in campaigns:
            created += _assign_for_events(session, campaign, areas[campaign.id], rule_areas.get(campaign.id), events)


def _assign_new_heads(session: Session, campaigns: list[Campaign], areas: dict[int, set[int]], now) -> int:
    """A campaign for the heads of departments takes whoever heads one now: a manager grant is given after a
    move or a hire (a move ends the grants of the old department), not by the roster, so each run assigns
    the heads in its audience who do not hold the module yet (assign() skips those who do), with the days
    a joiner gets."""
    created = 0
    for campaign in campaigns:
        due = transfers.rule_due(campaign, tokyo_date(now))
        assigned_at = max(now, start_of_day(campaign.opens_on))
        people = audience(areas[campaign.id], managers_only=True)
        for cm in campaign.modules:
            if not cm.on_transfer and cm.edition_id:
                created += assign(session, people, campaign, cm.edition_id, "campaign", assigned_at, due)
        for cp in campaign.pledges:
            created += pledge_assignments.assign(session, people, campaign, cp.pledge_id, "campaign", assigned_at, due)
    return created


def _assign_contractor_joiners(session: Session, campaigns: list[Campaign], parents, now) -> int:
    """Contractors' staff come by no roster event: a new account, or one moved onto a contract the campaign
    covers, is in its contractor audience from then on. Each run assigns those of them who do not hold the
    module in the campaign yet (assign() skips those who do, or who completed it in the period), with the
    days a joiner gets: a "new_hire" if the account is newer than the launch, a "transfer" otherwise."""
    created = 0
    for campaign in campaigns:
        people = contractor_audience.contractor_people(session, campaign, parents)
        if people is None:
            continue
        due = transfers.rule_due(campaign, tokyo_date(now))
        assigned_at = max(now, start_of_day(campaign.opens_on))
        launched = campaign.launched_at or now
        joined = select(User.id).where(User.id.in_(people), User.created_at > launched)
        moved = select(User.id).where(User.id.in_(people), User.created_at <= launched)
        for cm in campaign.modules:
            if not cm.on_transfer and cm.edition_id:
                for group, reason in ((joined, "new_hire"), (moved, "transfer")):
                    created += assign(session, group, campaign, cm.edition_id, reason, assigned_at, due)
    return created


def _assign_for_events(session: Session, campaign: Campaign, area: set[int], rule_area, events) -> int:
    """The campaign's modules for joiners and movers into its audience, grouped by day and reason so each
    group is one statement per module; its transfer-rule modules for moves along the rule (transfers.py,
    move by move: what was completed before the move does not count there, and each outcome is recorded)."""
    groups: dict[tuple[date, str], list[int]] = {}
    for event in events:
        if event.kind == "leave":
            continue
        day = tokyo_date(event.at)
        if event.to_department_id in area:
            reason = "new_hire" if event.kind == "hire" else "transfer"
            groups.setdefault((day, reason), []).append(event.user_id)
    created = 0
    for (day, reason), user_ids in groups.items():
        due = transfers.rule_due(campaign, day)
        # A contractor's move between contracts is an event too (for the transfer rule), but contractors are in
        # the audience by its contractor rules only (_assign_contractor_joiners), never by a department.
        people = select(User.id).where(User.id.in_(user_ids), User.status == "active", User.kind != "contractor")
        if campaign.managers_only:  # a campaign for the heads of departments takes a joiner who is one
            people = people.where(User.id.in_(department_heads()))
        for cm in campaign.modules:
            if not cm.on_transfer and cm.edition_id:
                created += assign(session, people, campaign, cm.edition_id, reason, start_of_day(day), due)
        for cp in campaign.pledges:
            created += pledge_assignments.assign(
                session, people, campaign, cp.pledge_id, reason, start_of_day(day), due
            )
    return created + transfers.fire(session, campaign, rule_area, events)
