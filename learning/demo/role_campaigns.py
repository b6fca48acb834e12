"""The demo's role campaigns: each role module in content/ for the departments it fits (the table in roles.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, RoleGrant, User
from learning.authz import Role
from learning.campaigns.models import Campaign
from learning.campaigns.periods import end_of_day, period_containing, start_of_day, tokyo_date
from learning.campaigns.services import CampaignDraft, assign, create_campaign, launch, pin_editions
from learning.courses.models import Edition
from learning.courses.services import published_editions
from learning.demo.roles import EVERYONE, MANAGERS, ROLE_MODULES, RoleAudience


def role_campaigns(session: Session, departments: dict[str, Department]) -> int:
    """A running campaign for each role module in content/, for the departments it fits (learning/demo/roles.py),
    in the same window as the yearly one. New this year, so without history. Returns assignments created."""
    compliance = session.scalar(select(User).where(User.login_id == "compliance"))
    today = tokyo_date(clock.now())
    created = 0
    for edition in published_editions(session):
        audience = ROLE_MODULES.get(edition.module.slug)
        if audience is None:
            continue
        name_ja, name_en = (
            f"2026年度 役割別研修：{audience.label[0]}（デモ）",
            f"FY2026 role training: {audience.label[1]} (demo)",
        )
        campaign = session.scalar(select(Campaign).where(Campaign.name_en == name_en))
        if campaign is None:
            include, whole = _audience_departments(session, audience, departments)
            if not include and not whole:
                continue  # none of its departments in this organisation
            draft = CampaignDraft(
                name_ja=name_ja,
                name_en=name_en,
                module_ids=[edition.module_id],
                whole_organisation=whole,
                include_ids=include,
                exclude_ids=[departments[c].id for c in audience.exclude if c in departments],
                opens_on=max(today - timedelta(days=21), period_containing(today, "yearly")[0]),
                due_on=today + timedelta(days=14),
                recurrence="yearly",
            )
            campaign = create_campaign(session, draft, compliance.id)
        created += (
            _managers(session, campaign, edition) if audience.include == MANAGERS else launch(session, campaign, None)
        )
    return created


def _audience_departments(
    session: Session, audience: RoleAudience, departments: dict[str, Department]
) -> tuple[list[int], bool]:
    """(included department ids, whole organisation) of a role audience; codes the demo lacks are skipped."""
    if audience.include == EVERYONE:
        return [], True
    if audience.include == MANAGERS:  # the campaign covers the managers' own departments; see _managers
        return sorted(set(session.scalars(select(User.department_id).where(User.id.in_(_manager_ids()))))), False
    return [departments[c].id for c in audience.include if c in departments], False


def _manager_ids():
    return select(RoleGrant.user_id).where(RoleGrant.role == Role.MANAGER, RoleGrant.revoked_at.is_(None))


def _managers(session: Session, campaign: Campaign, edition: Edition) -> int:
    """A module for the heads of departments: assigned to the holders of a manager grant only, never to the
    staff of their departments (which launch() would do)."""
    pin_editions(session, campaign)
    if campaign.status == "draft":
        campaign.status, campaign.launched_at = "running", clock.now()
    assigned_at = max(clock.now(), start_of_day(campaign.opens_on))
    return assign(session, _manager_ids(), campaign, edition.id, "campaign", assigned_at, end_of_day(campaign.due_on))
