"""Creating and launching campaigns: the draft and its checks, the audience, pinned editions, assigning.

All assignment writes go through one INSERT … ON CONFLICT DO NOTHING against the unique
(campaign, user, edition) key, so launching twice or two overlapping job runs never duplicate.
Rollover and joiners and movers are in running.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, func, insert, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import User
from learning.accounts.tree import parent_map
from learning.audit.services import record
from learning.campaigns import contractor_audience, pledge_assignments
from learning.campaigns.audience import covered_departments
from learning.campaigns.closing import company_case
from learning.campaigns.coverage import already_covered, audience, coverage_counts
from learning.campaigns.messages import MESSAGES
from learning.campaigns.models import Campaign, CampaignDepartment, CampaignModule
from learning.campaigns.periods import end_of_day, period_containing, start_of_day
from learning.campaigns.pledge_models import CampaignPledge
from learning.courses.models import Edition, Module
from learning.db import UTCDateTime
from learning.errors import DomainError
from learning.training.models import Assignment


class CampaignInvalid(DomainError):
    """Problems with several fields at once: `problems` maps a field name to its code (campaigns/messages.py)."""

    messages = MESSAGES

    def __init__(self, problems: dict[str, str]):
        super().__init__("invalid")
        self.problems = problems

    def english(self) -> str:
        return "; ".join(f"{field}: {self.messages[code]}" for field, code in self.problems.items())


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
    managers_only: bool = False  # only the heads of departments (manager grants) in the audience
    pledge_ids: list[int] | None = None  # pledges (誓約書) to sign beside the modules
    # Contractors' staff in the audience (contractor_audience.py): companies, contracts, sponsoring subtrees.
    contractors: list[contractor_audience.Rule] = field(default_factory=list)


def covered(session: Session, campaign: Campaign, parents: dict[int, int | None] | None = None) -> set[int]:
    parents = parents if parents is not None else parent_map(session)
    include = [d.department_id for d in campaign.departments if not d.exclude]
    exclude = [d.department_id for d in campaign.departments if d.exclude]
    return covered_departments(include, exclude, parents, campaign.whole_organisation)


def audience_size(session: Session, departments: set[int], managers_only: bool = False) -> int:
    if not departments:
        return 0
    return session.scalar(
        select(func.count()).select_from(User).where(User.id.in_(audience(departments, managers_only)))
    )


def check_draft(session: Session, draft: CampaignDraft, today: date | None = None) -> dict[str, str]:
    """What is wrong with a draft, by field (campaigns/messages.py codes). With `today` (the forms pass it), a
    window already past is wrong too: the opening day may be today, the due date not before it."""
    problems: dict[str, str] = {}
    rule = (bool(draft.transfer_from_id), bool(draft.transfer_to_id), bool(draft.transfer_module_ids))
    if not draft.module_ids and not draft.pledge_ids and not all(rule):  # a transfer rule alone may be all
        problems["modules"] = "no_modules"
    if today is not None and draft.opens_on < today:
        problems["opens_on"] = "opens_in_past"
    if draft.due_on < draft.opens_on:
        problems["due_on"] = "due_before_open"
    elif today is not None and draft.due_on < today:
        problems["due_on"] = "due_in_past"
    if not draft.whole_organisation and not draft.include_ids and not draft.contractors:
        problems["departments"] = "no_departments"
    # A transfer rule is whole or absent: both departments and at least one module, or none of them.
    if any(rule) and not all(rule):
        if not draft.transfer_from_id:
            problems["transfer_from"] = "transfer_from_missing"
        if not draft.transfer_to_id:
            problems["transfer_to"] = "transfer_to_missing"
        if not draft.transfer_module_ids:
            problems["transfer_modules"] = "transfer_modules_missing"
    if "departments" not in problems:
        parents = parent_map(session)
        area = covered_departments(draft.include_ids, draft.exclude_ids, parents, draft.whole_organisation)
        size = audience_size(session, area, draft.managers_only) if area else 0
        size += contractor_audience.draft_size(session, draft.contractors, draft.managers_only)
        if (draft.module_ids or draft.pledge_ids) and size == 0:
            problems["departments"] = "empty_audience_managers" if draft.managers_only else "empty_audience"
    return problems


def draft_period(draft: CampaignDraft) -> tuple[date, date]:
    if draft.recurrence == "none":
        return draft.opens_on, draft.due_on + timedelta(days=1)
    return period_containing(draft.opens_on, draft.recurrence)


def draft_columns(draft: CampaignDraft) -> dict:
    """The campaign's own columns that a draft sets (its modules and departments go through add_rules): one
    list for creating a draft and for editing one."""
    start, end = draft_period(draft)
    return {
        "name_ja": draft.name_ja,
        "name_en": draft.name_en,
        "whole_organisation": draft.whole_organisation,
        "managers_only": draft.managers_only,
        "recurrence": draft.recurrence,
        "opens_on": draft.opens_on,
        "due_on": draft.due_on,
        "period_start": start,
        "period_end": end,
        "event_due_days": draft.event_due_days,
        "reminder_days": draft.reminder_days,
        "escalate_after_days": draft.escalate_after_days,
        "transfer_from_id": draft.transfer_from_id,
        "transfer_to_id": draft.transfer_to_id,
    }


def add_rules(session: Session, campaign_id: int, draft: CampaignDraft) -> None:
    """The draft's modules, extra modules and departments, as rows of the campaign."""
    session.add_all(CampaignModule(campaign_id=campaign_id, module_id=m) for m in dict.fromkeys(draft.module_ids))
    session.add_all(
        CampaignModule(campaign_id=campaign_id, module_id=m, on_transfer=True)
        for m in dict.fromkeys(draft.transfer_module_ids or [])
    )
    session.add_all(CampaignPledge(campaign_id=campaign_id, pledge_id=p) for p in dict.fromkeys(draft.pledge_ids or []))
    session.add_all(
        CampaignDepartment(campaign_id=campaign_id, department_id=d) for d in dict.fromkeys(draft.include_ids)
    )
    session.add_all(
        CampaignDepartment(campaign_id=campaign_id, department_id=d, exclude=True)
        for d in dict.fromkeys(draft.exclude_ids)
        if d not in draft.include_ids
    )
    contractor_audience.add_rules(session, campaign_id, draft.contractors)


def create_campaign(
    session: Session, draft: CampaignDraft, actor_id: int, today: date | None = None, copy_of: int | None = None
) -> Campaign:
    """A draft campaign; raises CampaignInvalid naming each field that is wrong. `copy_of`: the campaign it
    was copied from (kept in the audit record)."""
    problems = check_draft(session, draft, today)
    if problems:
        raise CampaignInvalid(problems)
    campaign = Campaign(**draft_columns(draft), status="draft", created_by_id=actor_id, created_at=clock.now())
    session.add(campaign)
    session.flush()
    campaign.series_id = campaign.id
    add_rules(session, campaign.id, draft)
    session.flush()
    session.expire(campaign, ["modules", "departments", "pledges", "contractors"])
    details = {"copy_of": copy_of} if copy_of else None
    record(session, "campaign_created", actor_id=actor_id, target=("campaign", campaign.id), details=details)
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
    explained = []
    for cm in campaign.modules:
        if cm.on_transfer or cm.edition_id is None:
            continue
        people = contractor_audience.with_contractors(session, campaign, audience(area, campaign.managers_only))
        # Counted just before assigning, by the same definition assign() applies: the record says why
        # each person covered was or was not assigned.
        line = coverage_counts(session, people, campaign, cm.edition_id)
        line["assigned"] = assign(session, people, campaign, cm.edition_id, "campaign", assigned_at, due)
        created += line["assigned"]
        explained.append({"module_id": cm.module_id, "edition_id": cm.edition_id, **line})
        if progress:
            progress(1)
    pledged = []
    for cp in campaign.pledges:
        people = audience(area, campaign.managers_only)
        asked = pledge_assignments.assign(session, people, campaign, cp.pledge_id, "campaign", assigned_at, due)
        pledged.append({"pledge_id": cp.pledge_id, "assigned": asked})
    record(
        session,
        "campaign_launched",
        actor_id=actor_id,
        target=("campaign", campaign.id),
        details={
            "assignments": created,
            "editions": sorted(cm.edition_id for cm in campaign.modules if cm.edition_id),
            "modules": explained,
            **({"pledges": pledged} if pledged else {}),
        },
    )
    return created


def pin_editions(session: Session, campaign: Campaign) -> None:
    """Fixes each module of the campaign to its edition published now (once: a pinned edition stays)."""
    current = current_editions(session)
    for cm in campaign.modules:
        if cm.edition_id is None:
            cm.edition_id = current.get(cm.module_id)
    session.flush()


def current_editions(session: Session) -> dict[int, int]:
    return dict(session.execute(select(Edition.module_id, Edition.id).where(Edition.status == "published")).all())


def assign(
    session: Session, people, campaign: Campaign, edition_id: int, reason: str, assigned_at: datetime, due: datetime
) -> int:
    """Assigns `edition_id` to the people selected, skipping anyone who already holds it in this campaign,
    holds it open (or exempt) from elsewhere, or completed it during the campaign's period (that counts).
    One person never has two open assignments of the same edition, except one left over from a closed
    period (last year's overdue assignment does not excuse this year's). Only active people are assigned
    (never a leaver); each assignment keeps the department and company the person is in now (a contractor's
    staff: their contract and its company).
    A closed campaign takes no new assignment (the database refuses it too). A contractor's staff member
    whose access ends before `due` is due by their last day instead: training not done then shows as overdue
    before the account lapses, not never."""
    if campaign.status == "closed":
        return 0
    last_day = clock.tokyo_date(due)
    earlier = select(User.ends_on).where(User.id.in_(people), User.ends_on < last_day).distinct()
    made = 0
    for ends_on in session.scalars(earlier).all():
        theirs = select(User.id).where(User.id.in_(people), User.ends_on == ends_on)
        made += _insert(session, theirs, campaign, edition_id, reason, assigned_at, end_of_day(ends_on))
    rest = select(User.id).where(User.id.in_(people), or_(User.ends_on.is_(None), User.ends_on >= last_day))
    return made + _insert(session, rest, campaign, edition_id, reason, assigned_at, due)


def _insert(session: Session, people, campaign: Campaign, edition_id: int, reason, assigned_at, due) -> int:
    done = or_(*already_covered(campaign, edition_id).values())
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
        User.department_id,
        company_case(User.department_id, parent_map(session)),
        User.contract_id,
        User.contractor_company_id,
    ).where(User.id.in_(people), User.status == "active", ~done)
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
        "department_id",
        "company_id",
        "contract_id",
        "contractor_company_id",
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


def campaign_modules(session: Session) -> list[tuple[Module, Edition]]:
    """Modules that can go into a campaign: those with a published edition."""
    return list(
        session.execute(
            select(Module, Edition)
            .join(Edition, and_(Edition.module_id == Module.id, Edition.status == "published"))
            .order_by(Module.id)
        ).all()
    )


# Built once: a module's page names its campaign on every view.
_NAMES = select(Campaign.id, Campaign.name_ja, Campaign.name_en).where(
    Campaign.id.in_(bindparam("ids", expanding=True))
)


def campaign_names(session: Session, campaign_ids: set[int]) -> dict[int, dict[str, str]]:
    if not campaign_ids:
        return {}
    rows = session.execute(_NAMES, {"ids": sorted(campaign_ids)})
    return {i: {"ja": ja, "en": en} for i, ja, en in rows}
