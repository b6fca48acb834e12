"""The demo's role campaigns: each role module in content/ for the departments it fits (the table in roles.py).

The managers' module uses the audience "only the heads of departments"; the module on moving between the
companies is given by campaigns whose only audience is a transfer rule (grid → retail, retail → grid), and the
demo moves one person each way this year, so that the rules are seen firing (campaign page, the mover's
reason)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, PersonnelEvent, User
from learning.campaigns.models import Campaign
from learning.campaigns.periods import period_containing, tokyo_date
from learning.campaigns.running import process_personnel_events
from learning.campaigns.services import CampaignDraft, create_campaign, launch
from learning.courses.services import published_editions
from learning.demo.roles import EVERYONE, MANAGERS, MOVERS, ROLE_MODULES, RoleAudience

# The person moved along each rule this year: the first ordinary employee (by number) of the first department.
DEMO_MOVES = {("G", "R"): ("G-NC-E", "R-BR-N-S"), ("R", "G"): ("R-BR-S-S", "G-NC-W")}


def role_campaigns(session: Session, departments: dict[str, Department]) -> int:
    """A running campaign for each role module in content/, for the departments it fits (learning/demo/roles.py),
    in the same window as the yearly one. New this year, so without history. Returns assignments created."""
    compliance = session.scalar(select(User).where(User.login_id == "compliance"))
    today = tokyo_date(clock.now())
    window = {
        "opens_on": max(today - timedelta(days=21), period_containing(today, "yearly")[0]),
        "due_on": today + timedelta(days=14),
        "recurrence": "yearly",
    }
    created = 0
    new_rules = []
    for edition in published_editions(session):
        audience = ROLE_MODULES.get(edition.module.slug)
        if audience is None:
            continue
        if audience.include == MOVERS:
            for source, into, label_ja, label_en in audience.moves:
                if source not in departments or into not in departments:
                    continue
                name_ja = f"2026年度 役割別研修：{audience.label[0]}・{label_ja}（デモ）"
                name_en = f"FY2026 role training: {audience.label[1]}, {label_en} (demo)"
                if session.scalar(select(Campaign.id).where(Campaign.name_en == name_en)) is not None:
                    continue
                draft = CampaignDraft(
                    name_ja=name_ja,
                    name_en=name_en,
                    module_ids=[],
                    whole_organisation=True,
                    include_ids=[],
                    exclude_ids=[],
                    transfer_from_id=departments[source].id,
                    transfer_to_id=departments[into].id,
                    transfer_module_ids=[edition.module_id],
                    **window,
                )
                created += launch(session, create_campaign(session, draft, compliance.id), None)
                new_rules.append((source, into))
            continue
        name_ja, name_en = (
            f"2026年度 役割別研修：{audience.label[0]}（デモ）",
            f"FY2026 role training: {audience.label[1]} (demo)",
        )
        campaign = session.scalar(select(Campaign).where(Campaign.name_en == name_en))
        if campaign is None:
            include, whole = _audience_departments(audience, departments)
            if not include and not whole:
                continue  # none of its departments in this organisation
            draft = CampaignDraft(
                name_ja=name_ja,
                name_en=name_en,
                module_ids=[edition.module_id],
                whole_organisation=whole,
                include_ids=include,
                exclude_ids=[departments[c].id for c in audience.exclude if c in departments],
                managers_only=audience.include == MANAGERS,
                **window,
            )
            campaign = create_campaign(session, draft, compliance.id)
        created += launch(session, campaign, None)
    return created + _move_along(session, departments, new_rules)


def _audience_departments(audience: RoleAudience, departments: dict[str, Department]) -> tuple[list[int], bool]:
    """(included department ids, whole organisation) of a role audience; codes the demo lacks are skipped.
    The managers' module covers the whole organisation, its heads only."""
    if audience.include in (EVERYONE, MANAGERS):
        return [], True
    return [departments[c].id for c in audience.include if c in departments], False


def _move_along(session: Session, departments: dict[str, Department], rules: list[tuple[str, str]]) -> int:
    """For each transfer rule just made, one person moved along it today, as a roster import records a move;
    the campaigns then assign the mover (process_personnel_events, as `jobs run` does). Returns assignments."""
    now = clock.now()
    moved = 0
    for rule in rules:
        source, into = DEMO_MOVES.get(rule, (None, None))
        if source not in departments or into not in departments:
            continue
        person = session.scalar(
            select(User)
            .where(User.department_id == departments[source].id, User.login_id.is_(None), User.status == "active")
            .order_by(User.employee_no)
            .limit(1)
        )
        if person is None:
            continue
        session.add(
            PersonnelEvent(
                user_id=person.id,
                kind="transfer",
                at=now,
                from_department_id=person.department_id,
                to_department_id=departments[into].id,
            )
        )
        person.department_id = departments[into].id
        moved += 1
    session.flush()
    return process_personnel_events(session) if moved else 0
