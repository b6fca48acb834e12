"""Who a campaign covers, and who of them is "already covered" for a module: the one definition that assign()
applies when it writes assignments and that the launch preview and the launch record count by, so the page
before launching and the launch itself can never disagree."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import RoleGrant, User
from learning.authz import Role
from learning.campaigns.models import Campaign
from learning.campaigns.periods import start_of_day
from learning.training.models import Assignment


def audience(area: set[int], managers_only: bool = False):
    """The people a campaign covers now: active, in its departments; with `managers_only`, only those of them
    who hold a manager grant in force (the heads of departments), not their staff."""
    people = select(User.id).where(User.status == "active", User.department_id.in_(area))
    return people.where(User.id.in_(department_heads())) if managers_only else people


def department_heads():
    """The people who hold a manager grant in force now."""
    return select(RoleGrant.user_id).where(RoleGrant.role == Role.MANAGER, RoleGrant.in_force_at(clock.now()))


# Why a person covered by a campaign is not assigned a module, in the order a person is counted under.
COVERED_BY = ("exempt", "open_elsewhere", "completed")


def already_covered(campaign: Campaign, edition_id: int) -> dict[str, ColumnElement[bool]]:
    """The one definition of "already covered", for the person `User.id`: assign() skips exactly those for
    whom any of these holds, and the launch preview and record count them by it (preview.py).

    - exempt: an exemption in force for this edition (not withdrawn, not of a closed period);
    - open_elsewhere: this edition assigned and not finished, in another campaign or outside any (not
      withdrawn; an overdue one left over from a closed period does not count);
    - completed: this edition completed since the campaign's period began, wherever it was assigned."""
    period_start = start_of_day(campaign.period_start)
    closed = select(Campaign.id).where(Campaign.status == "closed").scalar_subquery()
    held = and_(
        Assignment.user_id == User.id,
        Assignment.edition_id == edition_id,
        Assignment.withdrawn_at.is_(None),
        or_(Assignment.campaign_id.is_(None), Assignment.campaign_id.not_in(closed)),
    )
    mine = and_(Assignment.user_id == User.id, Assignment.edition_id == edition_id)
    return {
        "exempt": exists().where(held, Assignment.status == "exempt"),
        "open_elsewhere": exists().where(held, Assignment.status.in_(("assigned", "in_progress"))),
        "completed": exists().where(mine, Assignment.status == "completed", Assignment.completed_at >= period_start),
    }


def coverage_counts(session: Session, people, campaign: Campaign, edition_id: int) -> dict[str, int]:
    """Of the people selected (active ones only, as assign() takes), how many are covered and by what (each
    counted once, under the first reason of COVERED_BY that holds), and how many are left to assign."""
    clauses = already_covered(campaign, edition_id)
    counted = []
    earlier: list = []
    for name in COVERED_BY:
        counted.append(func.coalesce(func.sum(case((and_(clauses[name], *earlier), 1), else_=0)), 0))
        earlier.append(~clauses[name])
    row = session.execute(
        select(func.count(), *counted).select_from(User).where(User.id.in_(people), User.status == "active")
    ).one()
    counts = {"audience": int(row[0]), **{name: int(n) for name, n in zip(COVERED_BY, row[1:], strict=True)}}
    counts["to_assign"] = counts["audience"] - sum(counts[name] for name in COVERED_BY)
    return counts
