"""Inspection rounds and their findings (自主点検の実施と是正): a published checklist given to the heads of
department subtrees every period, answered by the head or a deputy they delegate to, saved and come back
to, submitted with every item answered; reviewed by the second line (the business-management office,
業務管理部門, scoped to department subtrees), which accepts or returns it with comments and verifies the
findings closed. Every step is audited in the caller's transaction (never committed here). Pure of Flask.

One inspection per round, department and period (a unique constraint; opening the period's inspections is
an INSERT … ON CONFLICT DO NOTHING, so two runs at once open each once). Reminders and escalations go
through the outbox, once per inspection (or finding), step and due day by its dedupe key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.grants import department_heads
from learning.accounts.models import Department, RoleGrant, User
from learning.accounts.tree import parent_map, subtree
from learning.audit.services import record
from learning.authz import Role
from learning.inspections import evidence
from learning.inspections.models import (
    ANSWERS,
    FINDING_STATUSES,
    FREQUENCIES,
    InspectionAnswer,
    InspectionDeputy,
    InspectionFinding,
    InspectionResponse,
    InspectionRound,
    InspectionRoundDepartment,
    InspectionVersion,
)
from learning.inspections.services import InspectionError
from learning.notify.services import Mail, enqueue

MONTHS = {"monthly": 1, "quarterly": 3, "half": 6, "yearly": 12}
REMIND_DAYS_BEFORE = 7
MAX_COMMENT = 2000


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def period_of(day: date, frequency: str) -> tuple[date, date]:
    """The period (first day, first day of the next) holding `day`: calendar months, and quarters, halves
    and years of the fiscal year starting on 1 April."""
    months = MONTHS[frequency]
    fiscal_start = date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    offset = ((day.year - fiscal_start.year) * 12 + day.month - 4) // months * months
    start = _add_months(fiscal_start, offset)
    return start, _add_months(start, months)


# --- Rounds -------------------------------------------------------------------------------------------


def create_round(
    session: Session,
    version_id: int,
    department_ids: list[int],
    frequency: str,
    due_days: int,
    starts_on: date,
    actor_id: int,
) -> InspectionRound:
    version = session.get(InspectionVersion, version_id)
    if version is None or version.status != "published":
        raise InspectionError("round_version", field="version")
    if frequency not in FREQUENCIES:
        raise InspectionError("frequency", field="frequency")
    if not 1 <= due_days <= 365:
        raise InspectionError("due_days", field="due_days")
    departments = set(session.scalars(select(Department.id).where(Department.id.in_(department_ids or [0]))))
    if not departments:
        raise InspectionError("round_departments", field="departments")
    inspection_round = InspectionRound(
        version_id=version_id,
        frequency=frequency,
        due_days=due_days,
        starts_on=starts_on,
        created_by_id=actor_id,
        created_at=clock.now(),
    )
    session.add(inspection_round)
    session.flush()
    session.add_all(InspectionRoundDepartment(round_id=inspection_round.id, department_id=d) for d in departments)
    session.flush()
    session.expire(inspection_round, ["departments"])
    record(
        session,
        "inspection_round_created",
        actor_id=actor_id,
        target=("inspection_round", inspection_round.id),
        details={"version_id": version_id, "frequency": frequency, "departments": sorted(departments)},
    )
    return inspection_round


def open_periods(session: Session, today: date | None = None) -> int:
    """Opens this period's inspection for every department with a head in every running round's subtrees;
    returns how many were new. Safe to repeat and to overlap (ON CONFLICT DO NOTHING)."""
    today = today or clock.tokyo_date(clock.now())
    parents = parent_map(session)
    heads = department_heads(session)
    rows = []
    now = clock.now()
    for inspection_round in session.scalars(select(InspectionRound).where(InspectionRound.ended_at.is_(None))):
        if inspection_round.starts_on > today:
            continue
        start, _ = period_of(today, inspection_round.frequency)
        covered = subtree([d.department_id for d in inspection_round.departments], parents)
        for department_id in sorted(covered):
            if heads.get(department_id):
                rows.append(
                    {
                        "version_id": inspection_round.version_id,
                        "department_id": department_id,
                        "status": "open",
                        "created_at": now,
                        "round_id": inspection_round.id,
                        "period_start": start,
                        "due_on": start + timedelta(days=inspection_round.due_days - 1),
                    }
                )
    if not rows:
        return 0
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(InspectionResponse).on_conflict_do_nothing(
        index_elements=["round_id", "department_id", "period_start"]
    )
    return len(session.execute(statement.returning(InspectionResponse.id), rows).all())


# --- Who may do what ------------------------------------------------------------------------------------


def _grant_scopes(session: Session, user_id: int, role: str) -> list[int]:
    return list(
        session.scalars(
            select(RoleGrant.department_id).where(
                RoleGrant.user_id == user_id,
                RoleGrant.role == role,
                RoleGrant.in_force_at(clock.now()),
                RoleGrant.department_id.is_not(None),
            )
        )
    )


def answerable_departments(session: Session, user_id: int) -> set[int]:
    """The departments this person answers for: those they head (a manager grant scoped to exactly it) and
    those whose head delegated to them."""
    headed = set(_grant_scopes(session, user_id, Role.MANAGER))
    deputy = session.scalars(
        select(InspectionDeputy.department_id).where(InspectionDeputy.deputy_id == user_id, _deputy_in_force())
    )
    return headed | set(deputy)


def _deputy_in_force():
    """A delegation not removed whose last day (Tokyo) has not passed."""
    today = clock.tokyo_date(clock.now())
    return and_(
        InspectionDeputy.ended_at.is_(None),
        or_(InspectionDeputy.ends_on.is_(None), InspectionDeputy.ends_on >= today),
    )


def reviewable_departments(session: Session, user_id: int) -> set[int]:
    """The second line's reach: every department under its business-office grants."""
    roots = _grant_scopes(session, user_id, Role.BUSINESS_OFFICE)
    return subtree(roots, parent_map(session)) if roots else set()


def readable(session: Session, user: User) -> set[int] | None:
    """The departments whose inspections and findings this person sees; None for everything (compliance,
    internal audit)."""
    if {Role.COMPLIANCE, Role.AUDITOR} & set(user.roles):
        return None
    return answerable_departments(session, user.id) | reviewable_departments(session, user.id)


def headed_departments(session: Session, user_id: int) -> list[Department]:
    """The departments this person heads (a manager grant in force scoped to exactly the department), by code;
    a deputy heads none of theirs, so names no deputies."""
    ids = _grant_scopes(session, user_id, Role.MANAGER)
    return list(session.scalars(select(Department).where(Department.id.in_(ids or [0])).order_by(Department.code)))


def deputies_of(session: Session, department_ids) -> list[InspectionDeputy]:
    """The deputies in force of these departments, by department and end day."""
    return list(
        session.scalars(
            select(InspectionDeputy)
            .where(InspectionDeputy.department_id.in_(sorted(department_ids) or [0]), _deputy_in_force())
            .order_by(InspectionDeputy.department_id, InspectionDeputy.ends_on, InspectionDeputy.id)
        )
    )


def people_of(session: Session, department_id: int) -> set[int]:
    """The departments whose people a head may name: the department and those under it (a branch's head names
    someone of one of its sections)."""
    return subtree([department_id], parent_map(session))


MAX_DELEGATION = timedelta(days=366)  # a delegation is named again at least yearly


def delegate(
    session: Session, department_id: int, deputy_id: int, actor_id: int, ends_on: date | None = None
) -> InspectionDeputy:
    """The head of `department_id` names a deputy from the department's people (`people_of`) through `ends_on` (a Tokyo
    day, today to a year ahead; a year from today when not given). Naming someone already deputy sets their new
    last day; a delegation whose day has passed is closed first."""
    if department_id not in set(_grant_scopes(session, actor_id, Role.MANAGER)):
        raise InspectionError("not_head")
    today = clock.tokyo_date(clock.now())
    ends_on = ends_on or today + MAX_DELEGATION - timedelta(days=1)
    if not today <= ends_on < today + MAX_DELEGATION:
        raise InspectionError("deputy_ends_on", field="ends_on")
    person = session.get(User, deputy_id)
    if deputy_id == actor_id or person is None:
        raise InspectionError("deputy", field="deputy")
    if person.department_id not in people_of(session, department_id) or person.status != "active":
        raise InspectionError("deputy_department", field="deputy")
    session.execute(select(Department.id).where(Department.id == department_id).with_for_update())
    row = session.scalar(
        select(InspectionDeputy)
        .where(
            InspectionDeputy.department_id == department_id,
            InspectionDeputy.deputy_id == deputy_id,
            InspectionDeputy.ended_at.is_(None),
        )
        .with_for_update()
    )
    if row is not None and not row.in_force(today):
        row.ended_at = clock.now()
        session.flush()
        row = None
    if row is None:
        row = InspectionDeputy(
            department_id=department_id, deputy_id=deputy_id, delegated_by_id=actor_id, created_at=clock.now()
        )
        session.add(row)
    row.ends_on, row.delegated_by_id = ends_on, actor_id
    session.flush()
    record(
        session,
        "inspection_deputy_delegated",
        actor_id=actor_id,
        target=("department", department_id),
        details={"deputy_id": deputy_id, "ends_on": ends_on.isoformat()},
    )
    return row


def remove_deputy(session: Session, delegation_id: int, actor_id: int) -> InspectionDeputy:
    """The head ends a delegation of their department now (one already ended stays as it was)."""
    row = session.get(InspectionDeputy, delegation_id, with_for_update=True, populate_existing=True)
    if row is None or row.department_id not in set(_grant_scopes(session, actor_id, Role.MANAGER)):
        raise InspectionError("not_head")
    if row.ended_at is None:
        row.ended_at = clock.now()
        record(
            session,
            "inspection_deputy_removed",
            actor_id=actor_id,
            target=("department", row.department_id),
            details={"deputy_id": row.deputy_id},
        )
    return row


# --- Answering --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    item_id: int
    answer: str | None  # None: left unanswered (kept as it was)
    comment: str = ""
    evidence_name: str | None = None
    evidence: bytes | None = None


def inspection(session: Session, response_id: int) -> InspectionResponse:
    response = session.get(InspectionResponse, response_id)
    if response is None or response.round_id is None:
        raise InspectionError("no_inspection")
    return response


def _lock(session: Session, response_id: int) -> InspectionResponse:
    session.execute(select(InspectionResponse.id).where(InspectionResponse.id == response_id).with_for_update())
    response = inspection(session, response_id)
    session.refresh(response)
    return response


def _answering(session: Session, response_id: int, actor_id: int) -> InspectionResponse:
    response = _lock(session, response_id)
    if response.department_id not in answerable_departments(session, actor_id):
        raise InspectionError("not_yours")
    if response.status != "open":
        raise InspectionError("submitted_read_only")
    return response


def answers_of(session: Session, response_id: int) -> dict[int, InspectionAnswer]:
    rows = session.scalars(select(InspectionAnswer).where(InspectionAnswer.response_id == response_id))
    return {a.item_id: a for a in rows}


def save_answers(
    session: Session, response_id: int, inputs: list[AnswerInput], actor_id: int, max_evidence_bytes: int
) -> dict[int, InspectionError]:
    """Saves every valid answer; returns the refusals by item id. A missing comment keeps that item's earlier
    answer; a refused evidence file is left out and the item's answer and comment are kept without it."""
    response = _answering(session, response_id, actor_id)
    items = {item.id: item for item in response.version.items}
    existing = answers_of(session, response_id)
    errors: dict[int, InspectionError] = {}
    now = clock.now()
    saved = 0
    for given in inputs:
        if given.item_id not in items or given.answer is None:
            continue
        try:
            if given.answer not in ANSWERS:
                raise InspectionError("answer", field="answer")
            comment = (given.comment or "").strip()
            if len(comment) > MAX_COMMENT:
                raise InspectionError("too_long", field="comment", n=MAX_COMMENT)
            if given.answer != "conforms" and not comment:
                raise InspectionError("comment_required", field="comment")
        except InspectionError as error:
            errors[given.item_id] = error
            continue
        kind = None
        if given.evidence:
            try:
                kind = evidence.checked(given.evidence_name or "evidence", given.evidence, max_evidence_bytes)
            except InspectionError as error:
                errors[given.item_id] = error
        answer = existing.get(given.item_id)
        if answer is None:
            answer = InspectionAnswer(response_id=response_id, item_id=given.item_id)
            session.add(answer)
        answer.answer, answer.comment = given.answer, comment
        answer.answered_by_id, answer.answered_at = actor_id, now
        if kind is not None:
            answer.evidence_name = (given.evidence_name or "evidence")[:200]
            answer.evidence_type, answer.evidence = kind, given.evidence
            answer.evidence_sha256 = hashlib.sha256(given.evidence).hexdigest()
        saved += 1
    session.flush()
    if saved:
        record(
            session,
            "inspection_answers_saved",
            actor_id=actor_id,
            target=("inspection", response_id),
            details={"answers": saved, "refused": len(errors)},
        )
    return errors


def unanswered(session: Session, response: InspectionResponse) -> list:
    """The items without an answer, or without evidence where it is required."""
    answers = answers_of(session, response.id)
    return [
        item
        for item in response.version.items
        if item.id not in answers
        or (item.evidence_required and answers[item.id].answer == "conforms" and answers[item.id].evidence is None)
    ]


def submit(session: Session, response_id: int, actor_id: int) -> list[InspectionFinding]:
    """Submits the inspection, every item answered (each missing one named), and makes a finding of every
    "does not conform": its owner the department's head, due 30 days on."""
    response = _answering(session, response_id, actor_id)
    missing = unanswered(session, response)
    if missing:
        raise InspectionError("unanswered", items=", ".join(str(item.position) for item in missing))
    now = clock.now()
    response.status, response.submitted_at, response.responder_id = "submitted", now, actor_id
    response.accepted_at = None
    heads = department_heads(session).get(response.department_id) or [actor_id]
    today = clock.tokyo_date(now)
    existing = {
        f.item_id
        for f in session.scalars(select(InspectionFinding).where(InspectionFinding.response_id == response_id))
    }
    findings = [
        InspectionFinding(
            response_id=response_id,
            item_id=answer.item_id,
            department_id=response.department_id,
            owner_id=heads[0],
            due_on=today + timedelta(days=30),
            status="open",
            created_at=now,
            updated_at=now,
        )
        for answer in answers_of(session, response_id).values()
        if answer.answer == "does_not_conform" and answer.item_id not in existing
    ]
    session.add_all(findings)
    session.flush()
    record(
        session,
        "inspection_submitted_by_department",
        actor_id=actor_id,
        target=("inspection", response_id),
        details={"department_id": response.department_id, "findings": len(findings)},
    )
    return findings


def review(session: Session, response_id: int, actor_id: int, accept: bool, comments: str = "") -> InspectionResponse:
    """The second line accepts a submitted inspection, or returns it with comments (the head edits again)."""
    response = _lock(session, response_id)
    if response.department_id not in reviewable_departments(session, actor_id):
        raise InspectionError("not_in_scope")
    if response.status != "submitted" or response.accepted_at is not None:
        raise InspectionError("not_submitted")
    comments = (comments or "").strip()
    if not accept and not comments:
        raise InspectionError("comments_required", field="comments")
    response.reviewed_by_id = actor_id
    if accept:
        response.accepted_at = clock.now()
    else:
        response.status, response.submitted_at, response.review_note = "open", None, comments
    session.flush()
    record(
        session,
        "inspection_accepted" if accept else "inspection_returned",
        actor_id=actor_id,
        target=("inspection", response_id),
        details={"department_id": response.department_id, **({} if accept else {"comments": comments})},
    )
    return response


# --- Findings ---------------------------------------------------------------------------------------------


def _finding(session: Session, finding_id: int) -> InspectionFinding:
    session.execute(select(InspectionFinding.id).where(InspectionFinding.id == finding_id).with_for_update())
    finding = session.get(InspectionFinding, finding_id)
    if finding is None:
        raise InspectionError("no_finding")
    session.refresh(finding)
    return finding


def update_finding(
    session: Session,
    finding_id: int,
    actor_id: int,
    status: str,
    corrective_action: str,
    due_on: date | None = None,
) -> InspectionFinding:
    """The owner or the department's head (or deputy) moves a finding on: open, in progress, done. Done needs
    a corrective action (a form error here, a CHECK in the database)."""
    finding = _finding(session, finding_id)
    if finding.owner_id != actor_id and finding.department_id not in answerable_departments(session, actor_id):
        raise InspectionError("not_yours")
    if finding.status == "verified":
        raise InspectionError("finding_verified")
    if status not in FINDING_STATUSES[:3]:
        raise InspectionError("finding_status", field="status")
    action = (corrective_action or "").strip()
    if len(action) > MAX_COMMENT:
        raise InspectionError("too_long", field="corrective_action", n=MAX_COMMENT)
    if status == "done" and not action:
        raise InspectionError("action_required", field="corrective_action")
    before = finding.status
    finding.status, finding.corrective_action = status, action
    if due_on is not None:
        finding.due_on = due_on
    finding.updated_at = clock.now()
    session.flush()
    record(
        session,
        "inspection_finding_updated",
        actor_id=actor_id,
        target=("inspection_finding", finding_id),
        details={"from": before, "to": status, "due_on": finding.due_on.isoformat()},
    )
    return finding


def verify_finding(session: Session, finding_id: int, actor_id: int) -> InspectionFinding:
    """The second line verifies a finding done in its subtrees (never its own)."""
    finding = _finding(session, finding_id)
    if finding.department_id not in reviewable_departments(session, actor_id):
        raise InspectionError("not_in_scope")
    if finding.status != "done":
        raise InspectionError("finding_not_done")
    if finding.owner_id == actor_id:
        raise InspectionError("own_finding")
    now = clock.now()
    finding.status, finding.verified_at, finding.verified_by_id, finding.updated_at = "verified", now, actor_id, now
    session.flush()
    record(session, "inspection_finding_verified", actor_id=actor_id, target=("inspection_finding", finding_id))
    return finding


def findings_in(session: Session, departments: set[int] | None, open_only: bool = False) -> list[InspectionFinding]:
    query = select(InspectionFinding).order_by(InspectionFinding.due_on, InspectionFinding.id)
    if departments is not None:
        query = query.where(InspectionFinding.department_id.in_(departments or {0}))
    if open_only:
        query = query.where(InspectionFinding.status != "verified")
    return list(session.scalars(query))


def inspections_in(session: Session, departments: set[int] | None) -> list[InspectionResponse]:
    query = (
        select(InspectionResponse)
        .where(InspectionResponse.round_id.is_not(None))
        .order_by(InspectionResponse.period_start.desc(), InspectionResponse.department_id)
    )
    if departments is not None:
        query = query.where(InspectionResponse.department_id.in_(departments or {0}))
    return list(session.scalars(query))


# --- Reminders and escalation (a `jobs run` step) -------------------------------------------------------------


def _second_line_for(session: Session, department_id: int, parents) -> list[int]:
    grants = session.execute(
        select(RoleGrant.user_id, RoleGrant.department_id).where(
            RoleGrant.role == Role.BUSINESS_OFFICE, RoleGrant.in_force_at(clock.now())
        )
    ).all()
    return sorted({user_id for user_id, root in grants if department_id in subtree([root], parents)})


def remind_and_escalate(session: Session, portal_url: str, today: date | None = None) -> int:
    """Opens the period's inspections, reminds heads of open inspections due within a week or overdue, and
    escalates overdue findings to the department's head and the second line; once per inspection (finding),
    step and day through the outbox's dedupe key. Returns how many emails were queued."""
    from learning.notify.texts import day as say_day
    from learning.notify.texts import t

    today = today or clock.tokyo_date(clock.now())
    open_periods(session, today)
    heads = department_heads(session)
    parents = parent_map(session)
    users: dict[int, User] = {}

    def person(user_id: int) -> User | None:
        if user_id not in users:
            users[user_id] = session.get(User, user_id)
        return users[user_id]

    mails: list[Mail] = []
    due = session.scalars(
        select(InspectionResponse).where(
            InspectionResponse.round_id.is_not(None),
            InspectionResponse.status == "open",
            InspectionResponse.due_on <= today + timedelta(days=REMIND_DAYS_BEFORE),
        )
    )
    for response in due:
        step = "overdue" if response.due_on < today else "due_soon"
        key_day = today if step == "overdue" else response.due_on
        for head_id in heads.get(response.department_id, []):
            user = person(head_id)
            if user is None or not user.email:
                continue
            locale = user.locale or "ja"
            mails.append(
                Mail(
                    dedupe_key=f"inspection:{response.id}:{step}:{key_day.isoformat()}:{head_id}",
                    kind="inspection_reminder",
                    to_address=user.email,
                    to_user_id=user.id,
                    subject=t(locale, "Self-inspection due %(day)s", day=say_day(locale, response.due_on)),
                    body=t(
                        locale,
                        'Your department\'s self-inspection "%(title)s" is due %(day)s. Answer it at %(url)s',
                        title=response.version.titles.get(locale, response.version.title_en),
                        day=say_day(locale, response.due_on),
                        url=f"{portal_url.rstrip('/')}/inspections/{response.id}",
                    ),
                )
            )
    overdue = session.scalars(
        select(InspectionFinding).where(
            InspectionFinding.status.in_(("open", "in_progress")), InspectionFinding.due_on < today
        )
    )
    for finding in overdue:
        for user_id in sorted(
            {*heads.get(finding.department_id, []), *_second_line_for(session, finding.department_id, parents)}
        ):
            user = person(user_id)
            if user is None or not user.email:
                continue
            locale = user.locale or "ja"
            mails.append(
                Mail(
                    dedupe_key=f"inspection-finding:{finding.id}:overdue:{today.isoformat()}:{user_id}",
                    kind="inspection_finding_overdue",
                    to_address=user.email,
                    to_user_id=user.id,
                    subject=t(
                        locale, "Self-inspection finding overdue since %(day)s", day=say_day(locale, finding.due_on)
                    ),
                    body=t(
                        locale,
                        'The finding "%(item)s" was due %(day)s and is not done. See %(url)s',
                        item=finding.item.texts.get(locale, finding.item.text_en),
                        day=say_day(locale, finding.due_on),
                        url=f"{portal_url.rstrip('/')}/inspections/findings",
                    ),
                )
            )
    return enqueue(session, mails)
