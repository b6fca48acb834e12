"""The transfer rule: a campaign's `on_transfer` modules for everyone moved from its "from" subtree into its
"to" subtree, each firing and each skip recorded (TransferRuleOutcome) so that the campaign page, the
person's page and the learner's "why" can say what happened.

The rule is there to train people in their new role, so what they completed before the move does not count;
only a completion of the same edition after the move (the event's moment) does. A module held open for the
person in another running campaign is not assigned a second time (one person never has two open assignments
of the same edition, see services.assign): the rule skips it, naming that assignment, and brings its due date
forward to the rule's if it was later, so the person is still trained on the rule's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, PersonnelEvent, User
from learning.accounts.tree import company_of, parent_map
from learning.audit.services import record
from learning.campaigns.models import Campaign, TransferRuleOutcome
from learning.campaigns.periods import end_of_day, start_of_day, tokyo_date
from learning.courses.models import Edition
from learning.errors import N_
from learning.training.models import Assignment

OPEN = ("assigned", "in_progress")

# The reasons in words, for the campaign page, the person's page and the learner's "why".
REASONS = {
    "moved": N_("Assigned: moved along the rule."),
    "completed_before_move": N_(
        "Assigned although completed before the move: the rule trains people for their new role."
    ),
    "completed_after_move": N_("Skipped: completed this edition after the move."),
    "open_elsewhere": N_("Skipped: this edition is already open for the person in another campaign."),
    "open_elsewhere_due_brought_forward": N_(
        "Skipped: this edition is already open for the person in another campaign; its due date was brought "
        "forward to the rule's."
    ),
    "already_in_campaign": N_("Skipped: the person already holds this edition in this campaign."),
    "not_active": N_("Skipped: the person is no longer active."),
}


def moves_along(rule_area: tuple[set[int], set[int]] | None, events) -> list[PersonnelEvent]:
    """The events that are moves from the rule's "from" subtree into its "to" subtree."""
    if not rule_area:
        return []
    return [
        e
        for e in events
        if e.kind == "transfer" and e.from_department_id in rule_area[0] and e.to_department_id in rule_area[1]
    ]


def fire(session: Session, campaign: Campaign, rule_area, events) -> int:
    """Applies the campaign's transfer rule to the moves among `events`; returns assignments created.

    Each (move, module) is decided once: one already recorded is left alone, and the outcome's insert gives
    way on its unique key, so a repeated or overlapping run records and assigns nothing twice. One audit
    event per call (a job run's batch) sums it up."""
    moves = moves_along(rule_area, events)
    editions = [cm.edition_id for cm in campaign.modules if cm.on_transfer and cm.edition_id]
    if not moves or not editions or campaign.status == "closed":
        return 0
    done = set(
        session.execute(
            select(TransferRuleOutcome.event_id, TransferRuleOutcome.edition_id).where(
                TransferRuleOutcome.campaign_id == campaign.id,
                TransferRuleOutcome.event_id.in_([e.id for e in moves]),
            )
        ).all()
    )
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_({e.user_id for e in moves})))}
    companies = company_of(parent_map(session))
    counts = {"assigned": 0, "skipped": 0}
    for event in moves:
        for edition_id in editions:
            if (event.id, edition_id) in done:
                continue
            outcome, reason, assignment_id, previous_due = _decide(
                session, campaign, event, people.get(event.user_id), edition_id, companies
            )
            if _record(session, campaign, event, edition_id, outcome, reason, assignment_id, previous_due):
                counts[outcome] += 1
    if counts["assigned"] or counts["skipped"]:
        record(
            session,
            "transfer_rule_fired",
            target=("campaign", campaign.id),
            details={**counts, "events": sorted(e.id for e in moves)},
        )
    return counts["assigned"]


def rule_due(campaign: Campaign, day: date, access_ends_on: date | None = None) -> datetime:
    """A joiner's or mover's due date: the campaign's, or the joiner's days from `day` if later; never after
    the last day a contractor's staff member has access (`access_ends_on`), so that training they have not done
    shows as overdue before their account lapses rather than never."""
    due = max(end_of_day(campaign.due_on), end_of_day(day + timedelta(days=campaign.event_due_days)))
    return min(due, end_of_day(access_ends_on)) if access_ends_on else due


def _decide(session, campaign, event, user, edition_id, companies) -> tuple[str, str, int | None, datetime | None]:
    """(outcome, reason, the assignment made or found, the due date brought forward) for one move and edition."""
    if user is None or user.status != "active":
        return "skipped", "not_active", None, None
    mine = select(Assignment).where(Assignment.user_id == user.id, Assignment.edition_id == edition_id)
    after = session.scalar(
        mine.where(Assignment.status == "completed", Assignment.completed_at >= event.at).order_by(
            Assignment.completed_at
        )
    )
    if after is not None:
        return "skipped", "completed_after_move", after.id, None
    here = session.scalar(mine.where(Assignment.campaign_id == campaign.id))
    if here is not None:
        return "skipped", "already_in_campaign", here.id, None
    closed = select(Campaign.id).where(Campaign.status == "closed")
    elsewhere = session.scalar(
        mine.where(
            Assignment.status.in_(OPEN),
            Assignment.withdrawn_at.is_(None),
            Assignment.frozen_at.is_(None),
            (Assignment.campaign_id.is_(None)) | (Assignment.campaign_id.not_in(closed)),
        )
        .order_by(Assignment.due_at)
        .with_for_update()
    )
    day = tokyo_date(event.at)
    due = rule_due(campaign, day, user.ends_on if user.is_contractor else None)
    if elsewhere is not None:
        if elsewhere.due_at > due:
            previous = elsewhere.due_at
            elsewhere.due_at = due
            return "skipped", "open_elsewhere_due_brought_forward", elsewhere.id, previous
        return "skipped", "open_elsewhere", elsewhere.id, None
    before = session.scalar(
        select(Assignment.id).where(
            Assignment.user_id == user.id, Assignment.edition_id == edition_id, Assignment.status == "completed"
        )
    )
    made = _insert_assignment(session, campaign, user, edition_id, start_of_day(day), due, companies)
    if made is None:  # made meanwhile by another transaction (a launch racing the job): that one stands
        found = session.scalar(mine.where(Assignment.campaign_id == campaign.id))
        return "skipped", "already_in_campaign", found.id if found else None, None
    return "assigned", "completed_before_move" if before else "moved", made, None


def _dialect(session: Session):
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


def _insert_assignment(session, campaign, user, edition_id, assigned_at, due, companies) -> int | None:
    values = {
        "user_id": user.id,
        "edition_id": edition_id,
        "campaign_id": campaign.id,
        "reason": "transfer_rule",
        "status": "assigned",
        "assigned_at": assigned_at,
        "due_at": due,
        "last_section": 0,
        "sections_done": 0,
        "department_id": user.department_id,
        "company_id": companies.get(user.department_id),
        "contract_id": user.contract_id,
        "contractor_company_id": user.contractor_company_id,
    }
    return session.scalar(
        _dialect(session).insert(Assignment).values(values).on_conflict_do_nothing().returning(Assignment.id)
    )


def _record(session, campaign, event, edition_id, outcome, reason, assignment_id, previous_due) -> bool:
    values = {
        "campaign_id": campaign.id,
        "event_id": event.id,
        "user_id": event.user_id,
        "edition_id": edition_id,
        "outcome": outcome,
        "reason": reason,
        "assignment_id": assignment_id,
        "previous_due_at": previous_due,
        "at": clock.now(),
    }
    inserted = session.scalar(
        _dialect(session)
        .insert(TransferRuleOutcome)
        .values(values)
        .on_conflict_do_nothing(index_elements=["campaign_id", "event_id", "edition_id"])
        .returning(TransferRuleOutcome.id)
    )
    return inserted is not None


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome as the pages show it."""

    outcome: TransferRuleOutcome
    person: User
    event: PersonnelEvent
    from_names: dict[str, str]
    to_names: dict[str, str]
    edition_titles: dict[str, str]
    campaign_names: dict[str, str]
    assignment: Assignment | None

    @property
    def day(self) -> date:
        return tokyo_date(self.event.at)

    @property
    def reason_text(self) -> str:
        return REASONS[self.outcome.reason]


def outcomes(session: Session, *, campaign_id: int | None = None, user_id: int | None = None, limit: int = 500):
    """The rule's outcomes, newest move first, for a campaign or a person."""
    query = select(TransferRuleOutcome).order_by(TransferRuleOutcome.event_id.desc(), TransferRuleOutcome.id)
    if campaign_id is not None:
        query = query.where(TransferRuleOutcome.campaign_id == campaign_id)
    if user_id is not None:
        query = query.where(TransferRuleOutcome.user_id == user_id)
    return _rows(session, session.scalars(query.limit(limit)).all())


# Built once, the assignments bound: a module's overview asks it on every view.
_OUTCOMES_NAMING = (
    select(TransferRuleOutcome)
    .where(
        TransferRuleOutcome.assignment_id.in_(bindparam("ids", expanding=True)),
        TransferRuleOutcome.reason.in_(("moved", "completed_before_move", "open_elsewhere_due_brought_forward")),
    )
    .order_by(TransferRuleOutcome.id)
)


def for_assignments(session: Session, assignment_ids: set[int]) -> dict[int, OutcomeRow]:
    """The latest outcome naming each assignment (the one it made, or whose due date it brought forward)."""
    ids = {i for i in assignment_ids if i is not None}
    if not ids:
        return {}
    found = session.scalars(_OUTCOMES_NAMING, {"ids": sorted(ids)}).all()
    return {row.outcome.assignment_id: row for row in _rows(session, found)}


def _rows(session: Session, found) -> list[OutcomeRow]:
    if not found:
        return []
    events = {
        e.id: e
        for e in session.scalars(select(PersonnelEvent).where(PersonnelEvent.id.in_({o.event_id for o in found})))
    }
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_({o.user_id for o in found})))}
    departments = {
        d.id: d.names
        for d in session.scalars(
            select(Department).where(
                Department.id.in_({x for e in events.values() for x in (e.from_department_id, e.to_department_id)})
            )
        )
    }
    editions = {
        e.id: e.titles for e in session.scalars(select(Edition).where(Edition.id.in_({o.edition_id for o in found})))
    }
    campaigns = {
        c.id: c.names for c in session.scalars(select(Campaign).where(Campaign.id.in_({o.campaign_id for o in found})))
    }
    linked = {o.assignment_id for o in found if o.assignment_id}
    assignments = (
        {a.id: a for a in session.scalars(select(Assignment).where(Assignment.id.in_(linked)))} if linked else {}
    )
    return [
        OutcomeRow(
            outcome=o,
            person=people[o.user_id],
            event=events[o.event_id],
            from_names=departments.get(events[o.event_id].from_department_id, {}),
            to_names=departments.get(events[o.event_id].to_department_id, {}),
            edition_titles=editions[o.edition_id],
            campaign_names=campaigns[o.campaign_id],
            assignment=assignments.get(o.assignment_id),
        )
        for o in found
    ]


def moves_behind(session: Session, assignment_ids: set[int]) -> dict[int, dict]:
    """For training's "why am I assigned this?" (training.sources.register_explainer)."""
    return {
        assignment_id: {
            "from": row.from_names,
            "to": row.to_names,
            "day": row.day,
            "campaign": row.campaign_names,
            "brought_forward": row.outcome.reason == "open_elsewhere_due_brought_forward",
        }
        for assignment_id, row in for_assignments(session, assignment_ids).items()
    }
