"""Closing a period: its records are frozen so that its figures can be given again, unchanged, years later.

Before the campaign's status turns to closed, every assignment of it is stamped: the department and the
company the person was in when assigned (kept since assignment; filled in here for rows older than that),
whether the person was on leave (not counted as overdue), and `frozen_at`. From then on the database
refuses any change to those rows and any new row in the campaign (triggers, migration 0018): no exemption,
re-attestation, job, transfer or content change can move a closed year. Its pledge assignments are frozen
in the same way (their own triggers, migration 0042). A correction goes through an
amendment (amendments.py), which the reports show as such.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, null, or_, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import User
from learning.accounts.tree import company_of, parent_map
from learning.audit.services import record
from learning.campaigns.models import Campaign
from learning.campaigns.pledge_models import PledgeAssignment
from learning.training.models import Assignment
from learning.training.services import OPEN


def company_case(column, parents: dict[int, int | None]):
    """SQL for the company of the department in `column` (NULL where the department is unknown)."""
    by_company: dict[int, list[int]] = {}
    for department, company in company_of(parents).items():
        by_company.setdefault(company, []).append(department)
    if not by_company:
        return null()
    return case(*((column.in_(departments), company) for company, departments in by_company.items()), else_=None)


def _stamped(session: Session) -> dict:
    """The values that fill in a missing department (the person's now) and company, in one pass."""
    people = select(User.department_id).where(User.id == Assignment.user_id).scalar_subquery()
    department = func.coalesce(Assignment.department_id, people)
    company = func.coalesce(Assignment.company_id, company_case(department, parent_map(session)))
    return {"department_id": department, "company_id": company}


def stamp_departments(session: Session, campaign_id: int) -> None:
    """Fills in the department and the company of the campaign's assignments that lack them: rows written in
    bulk, or before assignments kept their department."""
    session.execute(
        update(Assignment)
        .where(
            Assignment.campaign_id == campaign_id,
            Assignment.frozen_at.is_(None),
            or_(Assignment.department_id.is_(None), Assignment.company_id.is_(None)),
        )
        .values(**_stamped(session))
        .execution_options(synchronize_session=False)
    )


def _freeze_pledges(session: Session, campaign_id: int, on_leave, now) -> None:
    """The campaign's pledge assignments frozen as its assignments are (one UPDATE; the same triggers guard them)."""
    still_open = and_(PledgeAssignment.status == "assigned", PledgeAssignment.withdrawn_at.is_(None))
    session.execute(
        update(PledgeAssignment)
        .where(PledgeAssignment.campaign_id == campaign_id, PledgeAssignment.frozen_at.is_(None))
        .values(
            on_leave_at_close=case((and_(still_open, PledgeAssignment.user_id.in_(on_leave)), True), else_=False),
            frozen_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def close(session: Session, campaign: Campaign, actor_id: int | None = None) -> None:
    """Freezes the campaign's records and closes it; a closed campaign is left as it is. One pass over its
    assignments stamps and freezes them (a period of 500,000 assignments is one UPDATE)."""
    session.refresh(campaign, with_for_update=True)  # two closing runs at once: the second waits, then sees it
    if campaign.status == "closed":
        return
    now = clock.now()
    on_leave = select(User.id).where(User.status == "leave")
    still_open = and_(Assignment.status.in_(OPEN), Assignment.withdrawn_at.is_(None))
    session.execute(
        update(Assignment)
        .where(Assignment.campaign_id == campaign.id, Assignment.frozen_at.is_(None))
        .values(
            **_stamped(session),
            on_leave_at_close=case((and_(still_open, Assignment.user_id.in_(on_leave)), True), else_=False),
            frozen_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    _freeze_pledges(session, campaign.id, on_leave, now)
    campaign.status, campaign.closed_at = "closed", now
    session.flush()
    record(session, "campaign_closed", actor_id=actor_id, target=("campaign", campaign.id))
