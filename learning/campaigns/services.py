"""Creating and launching campaigns, rolling them over each period, assigning joiners and movers.

All assignment writes go through one INSERT … ON CONFLICT DO NOTHING against the unique
(campaign, user, edition) key, so launching twice or two overlapping job runs never duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, PersonnelEvent, User
from learning.audit.services import record
from learning.campaigns.audience import covered_departments, subtree
from learning.campaigns.models import Campaign, CampaignDepartment, CampaignModule
from learning.campaigns.periods import (
    MONTHS,
    add_months,
    end_of_day,
    fiscal_year,
    next_period,
    period_containing,
    start_of_day,
    tokyo_date,
)
from learning.courses.models import Edition, Module
from learning.db import UTCDateTime
from learning.training.models import Assignment


class CampaignInvalid(Exception):
    """Form-level problems: {field name: message id}."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass
class CampaignDraft:
    name_ja: str
    name_en: str
    module_ids: list[int]
    whole_organisation: bool
    include_ids: list[int]
    exclude_ids: list[int]
    opens_on: date
    due_on: date
    recurrence: str = "none"
    event_due_days: int = 30
    reminder_days: str = "14,7,1"
    escalate_after_days: int = 7
    transfer_from_id: int | None = None
    transfer_to_id: int | None = None
    transfer_module_ids: list[int] | None = None


def department_parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Department.id, Department.parent_id)).all())


def covered(session: Session, campaign: Campaign, parents: dict[int, int | None] | None = None) -> set[int]:
    parents = parents if parents is not None else department_parents(session)
    include = [d.department_id for d in campaign.departments if not d.exclude]
    exclude = [d.department_id for d in campaign.departments if d.exclude]
    return covered_departments(include, exclude, parents, campaign.whole_organisation)


def audience_size(session: Session, departments: set[int]) -> int:
    from sqlalchemy import func

    if not departments:
        return 0
    return session.scalar(
        select(func.count()).select_from(User).where(User.status == "active", User.department_id.in_(departments))
    )


def create_campaign(session: Session, draft: CampaignDraft, actor_id: int) -> Campaign:
    """A draft campaign; raises CampaignInvalid naming each field that is wrong."""
    problems: dict[str, str] = {}
    if not draft.module_ids:
        problems["modules"] = "no_modules"
    if draft.due_on < draft.opens_on:
        problems["due_on"] = "due_before_open"
    if not draft.whole_organisation and not draft.include_ids:
        problems["departments"] = "no_departments"
    if bool(draft.transfer_from_id) != bool(draft.transfer_to_id) or (
        draft.transfer_module_ids and not draft.transfer_from_id
    ):
        problems["transfer_from"] = "transfer_rule_incomplete"
    if "departments" not in problems:
        parents = department_parents(session)
        area = covered_departments(draft.include_ids, draft.exclude_ids, parents, draft.whole_organisation)
        if audience_size(session, area) == 0:
            problems["departments"] = "empty_audience"
    if problems:
        raise CampaignInvalid(problems)
    if draft.recurrence == "none":
        period = (draft.opens_on, draft.due_on + timedelta(days=1))
    else:
        period = period_containing(draft.opens_on, draft.recurrence)
    campaign = Campaign(
        name_ja=draft.name_ja,
        name_en=draft.name_en,
        status="draft",
        whole_organisation=draft.whole_organisation,
        recurrence=draft.recurrence,
        opens_on=draft.opens_on,
        due_on=draft.due_on,
        period_start=period[0],
        period_end=period[1],
        event_due_days=draft.event_due_days,
        reminder_days=draft.reminder_days,
        escalate_after_days=draft.escalate_after_days,
        transfer_from_id=draft.transfer_from_id,
        transfer_to_id=draft.transfer_to_id,
        created_by_id=actor_id,
        created_at=clock.now(),
    )
    session.add(campaign)
    session.flush()
    campaign.series_id = campaign.id
    session.add_all(CampaignModule(campaign_id=campaign.id, module_id=m) for m in dict.fromkeys(draft.module_ids))
    session.add_all(
        CampaignModule(campaign_id=campaign.id, module_id=m, on_transfer=True)
        for m in dict.fromkeys(draft.transfer_module_ids or [])
    )
    session.add_all(
        CampaignDepartment(campaign_id=campaign.id, department_id=d) for d in dict.fromkeys(draft.include_ids)
    )
    session.add_all(
        CampaignDepartment(campaign_id=campaign.id, department_id=d, exclude=True)
        for d in dict.fromkeys(draft.exclude_ids)
        if d not in draft.include_ids
    )
    session.flush()
    session.expire(campaign, ["modules", "departments"])
    record(session, "campaign_created", actor_id=actor_id, target=("campaign", campaign.id))
    return campaign


def launch(session: Session, campaign: Campaign, actor_id: int | None, progress=None) -> int:
    """Pins the current editions and assigns everyone in the audience; returns assignments created.

    Idempotent: a second launch (or a launch racing a job) adds only what is missing.
    """
    now = clock.now()
    pin_editions(session, campaign)
    if campaign.status == "draft":
        campaign.status = "running"
        campaign.launched_at = now
    session.flush()
    area = covered(session, campaign)
    due = end_of_day(campaign.due_on)
    assigned_at = max(now, start_of_day(campaign.opens_on))
    created = 0
    for cm in campaign.modules:
        if cm.on_transfer or cm.edition_id is None:
            continue
        people = select(User.id).where(User.status == "active", User.department_id.in_(area))
        created += _assign(session, people, campaign, cm.edition_id, "campaign", assigned_at, due)
        if progress:
            progress(1)
    record(
        session,
        "campaign_launched",
        actor_id=actor_id,
        target=("campaign", campaign.id),
        details={"assignments": created, "editions": sorted(cm.edition_id for cm in campaign.modules if cm.edition_id)},
    )
    return created


def pin_editions(session: Session, campaign: Campaign) -> None:
    """Fixes each module of the campaign to its edition published now (once: a pinned edition stays)."""
    current = _current_editions(session)
    for cm in campaign.modules:
        if cm.edition_id is None:
            cm.edition_id = current.get(cm.module_id)
    session.flush()


def _current_editions(session: Session) -> dict[int, int]:
    return dict(session.execute(select(Edition.module_id, Edition.id).where(Edition.status == "published")).all())


def _assign(
    session: Session, people, campaign: Campaign, edition_id: int, reason: str, assigned_at: datetime, due: datetime
) -> int:
    """Assigns `edition_id` to the people selected, skipping anyone who already holds it in this campaign,
    holds it open (or exempt) from elsewhere, or completed it during the campaign's period (that counts).
    One person never has two open assignments of the same edition, except one left over from a closed
    period (last year's overdue assignment does not excuse this year's)."""
    period_start = start_of_day(campaign.period_start)
    closed = select(Campaign.id).where(Campaign.status == "closed").scalar_subquery()
    done = exists().where(
        Assignment.user_id == User.id,
        Assignment.edition_id == edition_id,
        or_(
            and_(
                Assignment.status.in_(("assigned", "in_progress", "exempt")),
                or_(Assignment.campaign_id.is_(None), Assignment.campaign_id.not_in(closed)),
            ),
            and_(Assignment.status == "completed", Assignment.completed_at >= period_start),
        ),
    )
    rows = select(
        User.id,
        literal(edition_id),
        literal(campaign.id),
        literal(reason),
        literal("assigned"),
        literal(assigned_at, UTCDateTime()),
        literal(due, UTCDateTime()),
        literal(0),
        literal(0),
    ).where(User.id.in_(people), ~done)
    columns = [
        "user_id",
        "edition_id",
        "campaign_id",
        "reason",
        "status",
        "assigned_at",
        "due_at",
        "last_section",
        "sections_done",
    ]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(Assignment).from_select(columns, rows).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(Assignment).from_select(columns, rows).on_conflict_do_nothing()
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        statement = insert(Assignment).from_select(columns, rows)
    # Counted from RETURNING: rowcount of INSERT … SELECT is not reliable across drivers.
    return len(session.execute(statement.returning(Assignment.id)).all())


def running_campaigns(session: Session, today: date) -> list[Campaign]:
    return list(
        session.scalars(
            select(Campaign).where(
                Campaign.status == "running", Campaign.period_start <= today, Campaign.period_end > today
            )
        )
    )


def roll_over(session: Session) -> list[Campaign]:
    """Closes recurring campaigns whose period has ended and launches their successors with the
    then-current editions. Safe to run any number of times, and twice at once."""
    today = tokyo_date(clock.now())
    launched = []
    while True:
        ended = session.scalars(
            select(Campaign)
            .where(Campaign.status == "running", Campaign.recurrence != "none", Campaign.period_end <= today)
            .order_by(Campaign.id)
        ).all()
        if not ended:
            break
        for campaign in ended:
            successor = _successor(session, campaign)
            campaign.status = "closed"
            if successor is not None:
                launch(session, successor, actor_id=None)
                launched.append(successor)
        session.flush()
    for campaign in session.scalars(
        select(Campaign).where(
            Campaign.status == "running", Campaign.recurrence == "none", Campaign.period_end <= today
        )
    ):
        campaign.status = "closed"
    return launched


def _successor(session: Session, campaign: Campaign) -> Campaign | None:
    months = MONTHS[campaign.recurrence]
    start, end = next_period(campaign.period_start, campaign.recurrence)
    exists_already = session.scalar(
        select(Campaign.id).where(Campaign.series_id == campaign.series_id, Campaign.period_start == start)
    )
    if exists_already:
        return None
    old_year, new_year = str(fiscal_year(campaign.period_start)), str(fiscal_year(start))
    successor = Campaign(
        series_id=campaign.series_id,
        name_ja=campaign.name_ja.replace(old_year, new_year),
        name_en=campaign.name_en.replace(old_year, new_year),
        status="draft",
        whole_organisation=campaign.whole_organisation,
        recurrence=campaign.recurrence,
        opens_on=add_months(campaign.opens_on, months),
        due_on=add_months(campaign.due_on, months),
        period_start=start,
        period_end=end,
        event_due_days=campaign.event_due_days,
        reminder_days=campaign.reminder_days,
        escalate_after_days=campaign.escalate_after_days,
        transfer_from_id=campaign.transfer_from_id,
        transfer_to_id=campaign.transfer_to_id,
        created_by_id=campaign.created_by_id,
        created_at=clock.now(),
    )
    session.add(successor)
    session.flush()
    session.add_all(
        CampaignModule(campaign_id=successor.id, module_id=cm.module_id, on_transfer=cm.on_transfer)
        for cm in campaign.modules
    )
    session.add_all(
        CampaignDepartment(campaign_id=successor.id, department_id=d.department_id, exclude=d.exclude)
        for d in campaign.departments
    )
    session.flush()
    session.expire(successor, ["modules", "departments"])
    record(session, "campaign_rolled_over", target=("campaign", successor.id), details={"previous": campaign.id})
    return successor


def process_personnel_events(session: Session, batch: int = 5000) -> int:
    """Assigns running campaigns' modules to joiners and movers; returns assignments created.

    Events are claimed in batches with a conditional update, so two overlapping runs never both act
    on one; the assignments are then written per (campaign, module, day, reason) group in one statement.
    """
    now = clock.now()
    campaigns = running_campaigns(session, tokyo_date(now))
    if not campaigns:  # nothing to assign: the events are simply done
        session.execute(
            update(PersonnelEvent)
            .where(PersonnelEvent.processed_at.is_(None))
            .values(processed_at=now)
            .execution_options(synchronize_session=False)
        )
        return 0
    parents = department_parents(session)
    areas = {c.id: covered(session, c, parents) for c in campaigns}
    rule_areas = {
        c.id: (subtree([c.transfer_from_id], parents), subtree([c.transfer_to_id], parents))
        for c in campaigns
        if c.transfer_from_id and c.transfer_to_id
    }
    created = 0
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


def _assign_for_events(session: Session, campaign: Campaign, area: set[int], rule_area, events) -> int:
    """The campaign's modules for joiners and movers into its audience (and its transfer-rule modules for
    moves along the rule), grouped by day and reason so each group is one statement per module."""
    groups: dict[tuple[date, str, bool], list[int]] = {}
    for event in events:
        if event.kind == "leave":
            continue
        day = tokyo_date(event.at)
        if event.to_department_id in area:
            reason = "new_hire" if event.kind == "hire" else "transfer"
            groups.setdefault((day, reason, False), []).append(event.user_id)
        if (
            event.kind == "transfer"
            and rule_area
            and event.from_department_id in rule_area[0]
            and event.to_department_id in rule_area[1]
        ):
            groups.setdefault((day, "transfer_rule", True), []).append(event.user_id)
    created = 0
    for (day, reason, on_transfer), user_ids in groups.items():
        due = max(end_of_day(campaign.due_on), end_of_day(day + timedelta(days=campaign.event_due_days)))
        people = select(User.id).where(User.id.in_(user_ids), User.status == "active")
        for cm in campaign.modules:
            if cm.on_transfer == on_transfer and cm.edition_id:
                created += _assign(session, people, campaign, cm.edition_id, reason, start_of_day(day), due)
    return created


def campaign_modules(session: Session) -> list[tuple[Module, Edition]]:
    """Modules that can go into a campaign: those with a published edition."""
    return list(
        session.execute(
            select(Module, Edition)
            .join(Edition, and_(Edition.module_id == Module.id, Edition.status == "published"))
            .order_by(Module.id)
        ).all()
    )


def campaign_names(session: Session, campaign_ids: set[int]) -> dict[int, dict[str, str]]:
    if not campaign_ids:
        return {}
    rows = session.execute(select(Campaign.id, Campaign.name_ja, Campaign.name_en).where(Campaign.id.in_(campaign_ids)))
    return {i: {"ja": ja, "en": en} for i, ja, en in rows}
