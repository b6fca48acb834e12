"""Pledges in campaigns: asking a campaign's audience to sign a pledge by a due date, and what completes it.

Every write of a pledge assignment is one INSERT … SELECT … ON CONFLICT DO NOTHING against the unique
(campaign, person, pledge) key, so overlapping launches, joiners and rollovers make one. A pledge assignment is
completed by the person's signature of any published version of the pledge within the campaign's period:
when they sign (`on_signed`, the receiver of `pledges.signals.pledge_signed`, in the signing transaction) or,
for one already signed when they are assigned, right after the insert (`complete_signed`). Its first
signature in the period is the one it names, so a later version signed again changes nothing. Flask-free;
never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, lazyload

from learning import clock
from learning.accounts.models import User
from learning.accounts.tree import parent_map
from learning.audit.services import record
from learning.campaigns.closing import company_case
from learning.campaigns.messages import MESSAGES
from learning.campaigns.models import Campaign
from learning.campaigns.periods import start_of_day
from learning.campaigns.pledge_models import PledgeAssignment
from learning.db import UTCDateTime
from learning.errors import DomainError
from learning.pledges.models import Pledge, PledgeSignature, PledgeVersion

MAX_REASON = 500


class PledgeAssignmentError(DomainError):
    messages = MESSAGES


def published_pledges(session: Session) -> list[tuple[Pledge, PledgeVersion]]:
    """Pledges that can go into a campaign: those with a published version, by slug."""
    return list(
        session.execute(
            select(Pledge, PledgeVersion)
            .join(PledgeVersion, and_(PledgeVersion.pledge_id == Pledge.id, PledgeVersion.status == "published"))
            .order_by(Pledge.slug)
        ).all()
    )


def window(campaign: Campaign) -> tuple[datetime, datetime]:
    """The campaign's period as instants: from 00:00 in Tokyo on its first day to 00:00 on the day after."""
    return start_of_day(campaign.period_start), start_of_day(campaign.period_end)


def assign(
    session: Session, people, campaign: Campaign, pledge_id: int, reason: str, assigned_at: datetime, due: datetime
) -> int:
    """Asks the active people selected to sign `pledge_id` in this campaign by `due`, each keeping the department
    and company they are in now; those already asked in it are skipped (the unique key). Returns how many were
    asked; those who already signed in the period are completed at once. A closed campaign takes none."""
    if campaign.status == "closed":
        return 0
    rows = select(
        literal(campaign.id),
        User.id,
        literal(pledge_id),
        literal(reason),
        literal("assigned"),
        literal(assigned_at, UTCDateTime()),
        literal(due, UTCDateTime()),
        User.department_id,
        company_case(User.department_id, parent_map(session)),
        literal(False),
    ).where(User.id.in_(people), User.status == "active")
    columns = [
        "campaign_id",
        "user_id",
        "pledge_id",
        "reason",
        "status",
        "assigned_at",
        "due_at",
        "department_id",
        "company_id",
        "on_leave_at_close",
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(PledgeAssignment).from_select(columns, rows).on_conflict_do_nothing()
    created = [row[0] for row in session.execute(statement.returning(PledgeAssignment.id)).all()]
    # In slices: a launch for the whole group asks 100,000 people, and a statement takes at most 65,535 values.
    for start in range(0, len(created), ID_SLICE):
        complete_signed(session, campaign, created[start : start + ID_SLICE])
    return len(created)


ID_SLICE = 10_000  # ids per statement, well under PostgreSQL's 65,535 bound values


def complete_signed(session: Session, campaign: Campaign, ids: list[int] | None = None) -> int:
    """Completes the campaign's open pledge assignments (or those of `ids`) whose person already signed a version
    of the pledge within the period, each by their first such signature."""
    start, end = window(campaign)
    first = (
        select(func.min(PledgeSignature.id))
        .join(PledgeVersion, PledgeVersion.id == PledgeSignature.version_id)
        .where(
            PledgeSignature.user_id == PledgeAssignment.user_id,
            PledgeVersion.pledge_id == PledgeAssignment.pledge_id,
            PledgeSignature.outcome == "signed",
            PledgeSignature.signed_at >= start,
            PledgeSignature.signed_at < end,
        )
        .scalar_subquery()
    )
    signed_at = select(PledgeSignature.signed_at).where(PledgeSignature.id == first).scalar_subquery()
    where = [
        PledgeAssignment.campaign_id == campaign.id,
        PledgeAssignment.status == "assigned",
        PledgeAssignment.frozen_at.is_(None),
        PledgeAssignment.withdrawn_at.is_(None),
        first.is_not(None),
    ]
    if ids is not None:
        where.append(PledgeAssignment.id.in_(ids))
    result = session.execute(
        update(PledgeAssignment)
        .where(*where)
        .values(status="signed", signature_id=first, signed_at=signed_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def on_signed(_sender, *, session: Session, signature: PledgeSignature) -> int:
    """A signature completes the signer's open (or exempt) pledge assignments of that pledge in running
    campaigns whose period holds the signing time. Receives pledges.signals.pledge_signed."""
    pledge_id = signature.version.pledge_id
    completed = 0
    for campaign in session.scalars(
        select(Campaign)
        .join(PledgeAssignment, PledgeAssignment.campaign_id == Campaign.id)
        .where(
            Campaign.status == "running",
            PledgeAssignment.user_id == signature.user_id,
            PledgeAssignment.pledge_id == pledge_id,
        )
        .distinct()
    ):
        start, end = window(campaign)
        if not start <= signature.signed_at < end:
            continue
        completed += (
            session.execute(
                update(PledgeAssignment)
                .where(
                    PledgeAssignment.campaign_id == campaign.id,
                    PledgeAssignment.user_id == signature.user_id,
                    PledgeAssignment.pledge_id == pledge_id,
                    PledgeAssignment.status.in_(("assigned", "exempt")),
                    PledgeAssignment.frozen_at.is_(None),
                    PledgeAssignment.withdrawn_at.is_(None),
                )
                .values(status="signed", signature_id=signature.id, signed_at=signature.signed_at)
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    return completed


def withdraw_for_leavers(_sender, *, session: Session, user_ids: list[int]) -> int:
    """A leaver's open pledge assignments are withdrawn, as their assignments are (accounts.signals.people_left)."""
    withdrawn = 0
    for start in range(0, len(user_ids), 5000):
        withdrawn += session.execute(
            update(PledgeAssignment)
            .where(
                PledgeAssignment.user_id.in_(user_ids[start : start + 5000]),
                PledgeAssignment.status == "assigned",
                PledgeAssignment.frozen_at.is_(None),
                PledgeAssignment.withdrawn_at.is_(None),
            )
            .values(withdrawn_at=clock.now(), withdrawn_reason="left")
            .execution_options(synchronize_session=False)
        ).rowcount
    return withdrawn


def withdraw_cancelled(session: Session, campaign_id: int) -> int:
    """A cancelled campaign's open pledge assignments, withdrawn (kept, marked, out of every count)."""
    return len(
        session.execute(
            update(PledgeAssignment)
            .where(
                PledgeAssignment.campaign_id == campaign_id,
                PledgeAssignment.status == "assigned",
                PledgeAssignment.withdrawn_at.is_(None),
                PledgeAssignment.frozen_at.is_(None),
            )
            .values(withdrawn_at=clock.now(), withdrawn_reason="cancelled")
            .returning(PledgeAssignment.id)
            .execution_options(synchronize_session=False)
        ).all()
    )


def exempt(session: Session, pledge_assignment_id: int, reason: str, actor_id: int) -> PledgeAssignment:
    """Exempts a person from signing a pledge in a campaign (long leave, secondment), with who and why; audited.
    Refused for a signed, withdrawn or closed period's one."""
    found = session.get(PledgeAssignment, pledge_assignment_id, with_for_update=True, populate_existing=True)
    if found is None:
        raise PledgeAssignmentError("pledge_assignment_missing")
    reason = (reason or "").strip()
    if not reason:
        raise PledgeAssignmentError("reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise PledgeAssignmentError("pledge_reason_too_long", field="reason", n=MAX_REASON)
    if found.frozen_at is not None:
        raise PledgeAssignmentError("pledge_period_closed")
    if not found.is_open:
        raise PledgeAssignmentError("pledge_not_open")
    found.status, found.exempt_reason = "exempt", reason
    found.exempted_by_id, found.exempted_at = actor_id, clock.now()
    session.flush()
    record(
        session,
        "pledge_assignment_exempted",
        actor_id=actor_id,
        target=("pledge_assignment", found.id),
        details={"user_id": found.user_id, "campaign_id": found.campaign_id, "reason": reason},
    )
    return found


@dataclass(frozen=True)
class PledgeDue:
    """A pledge a person is asked to sign: the earliest open assignment of it and the version to sign now."""

    assignment: PledgeAssignment
    version: PledgeVersion | None  # None: the pledge has no published version at the moment


# Built once, the person bound: the home page runs it on every view.
_DUE_FOR = (
    select(PledgeAssignment, PledgeVersion)
    .join(Campaign, Campaign.id == PledgeAssignment.campaign_id)
    .outerjoin(
        PledgeVersion,
        and_(PledgeVersion.pledge_id == PledgeAssignment.pledge_id, PledgeVersion.status == "published"),
    )
    .where(
        PledgeAssignment.user_id == bindparam("user_id"),
        PledgeAssignment.status == "assigned",
        PledgeAssignment.withdrawn_at.is_(None),
        PledgeAssignment.frozen_at.is_(None),
        Campaign.status == "running",
    )
    .order_by(PledgeAssignment.due_at, PledgeAssignment.id)
    # Only the version's titles are shown: neither its pledge (an eager inner join would drop the rows of a
    # pledge with no published version) nor its parts are loaded.
    .options(lazyload(PledgeVersion.pledge), lazyload(PledgeVersion.parts))
)


def due_for(session: Session, user_id: int) -> list[PledgeDue]:
    """The person's open pledge assignments (not signed, exempt, withdrawn or in a closed period), each pledge
    once, by due date, with the version to sign now: one query, for the home page's "what is due"."""
    rows = session.execute(_DUE_FOR, {"user_id": user_id}).all()
    earliest: dict[int, PledgeDue] = {}
    for assignment, version in rows:
        earliest.setdefault(assignment.pledge_id, PledgeDue(assignment, version))
    return list(earliest.values())


def of_person(session: Session, user_id: int) -> list[tuple[PledgeAssignment, Campaign, int | None]]:
    """Every pledge assignment of the person, the newest first, with its campaign and the number of the version
    signed (None: not signed). The number, not the version: its eager inner join would drop unsigned rows."""
    rows = session.execute(
        select(PledgeAssignment, Campaign, PledgeVersion.version)
        .join(Campaign, Campaign.id == PledgeAssignment.campaign_id)
        .outerjoin(PledgeSignature, PledgeSignature.id == PledgeAssignment.signature_id)
        .outerjoin(PledgeVersion, PledgeVersion.id == PledgeSignature.version_id)
        .where(PledgeAssignment.user_id == user_id)
        .order_by(PledgeAssignment.assigned_at.desc(), PledgeAssignment.id.desc())
    ).all()
    return [tuple(r) for r in rows]


def pledge_titles(session: Session) -> dict[int, dict[str, str]]:
    """Each pledge's title: its published version's, or its newest version's."""
    titles: dict[int, dict[str, str]] = {}
    for version in session.scalars(select(PledgeVersion).order_by(PledgeVersion.version)):
        if version.pledge_id not in titles or version.status == "published":
            titles[version.pledge_id] = version.titles
    return titles
