"""Reminders before and after the due date, and the overdue items the managers' daily digest lists
(`digests.py` writes it).

Each step an assignment passes is claimed once in reminder_log; the emails that follow are written
to the outbox in the same transaction, grouped so that a person gets one email per run, and a
manager one digest per day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import User
from learning.campaigns.digests import manager_mails
from learning.campaigns.models import ReminderLog
from learning.campaigns.periods import end_of_day, tokyo_date
from learning.campaigns.pledge_assignments import pledge_titles
from learning.campaigns.pledge_models import PledgeAssignment, PledgeReminderLog
from learning.campaigns.running import running_campaigns
from learning.courses.models import Edition
from learning.courses.term_settings import current_terms
from learning.courses.terms import asking_line, substitute_each
from learning.notify.services import Mail, enqueue
from learning.notify.texts import day, t
from learning.training.models import Assignment
from learning.training.services import OPEN


@dataclass(frozen=True)
class Due:
    assignment_id: int
    user_id: int
    name: str
    employee_no: str
    email: str | None
    locale: str
    department_id: int | None
    titles: dict[str, str]
    due: date
    days_left: int  # negative once overdue
    due_at: datetime  # the assignment's due date as stored: reminder steps are claimed per due date
    kind: str = "module"  # or "pledge": assignment_id is then a pledge assignment's (its own reminder log)
    contract_id: int | None = None  # a contractor's staff: the contract they are on now (they have no department)


def reminder_step(days_left: int, offsets: list[int]) -> str | None:
    """The reminder step a due date has reached: the nearest offset passed, or the overdue week."""
    if days_left < 0:
        return f"overdue:{(-days_left - 1) // 7}"
    passed = [offset for offset in offsets if days_left <= offset]
    return f"before:{min(passed)}" if passed else None


def queue_reminders(session: Session, portal_url: str) -> int:
    """Job step: learners' reminders and managers' digests; returns emails queued."""
    today = tokyo_date(clock.now())
    learner_items: dict[int, list[Due]] = defaultdict(list)
    overdue_for_managers: list[Due] = []
    terms = current_terms(session)  # the module titles name the organisation as the portal shows it
    for campaign in running_campaigns(session, today):
        offsets = campaign.reminder_offsets
        horizon = end_of_day(date.fromordinal(today.toordinal() + max(offsets, default=0)))
        for kind, dues in (
            ("module", _open_assignments(session, campaign.id, horizon, today, terms)),
            ("pledge", _open_pledges(session, campaign.id, horizon, today)),
        ):
            steps = {(d.assignment_id, d.due_at): reminder_step(d.days_left, offsets) for d in dues}
            claimed = _claim(session, {key: s for key, s in steps.items() if s}, kind)
            for due in dues:
                if due.assignment_id in claimed and due.email:
                    learner_items[due.user_id].append(due)
            late = [d for d in dues if -d.days_left >= campaign.escalate_after_days]
            digest = {(d.assignment_id, d.due_at): f"digest:{today.isoformat()}" for d in late}
            digest_claimed = _claim(session, digest, kind)
            overdue_for_managers += [d for d in late if d.assignment_id in digest_claimed]
    mails = [_learner_mail(items, portal_url, today, terms) for items in learner_items.values()]
    mails += manager_mails(session, overdue_for_managers, portal_url, today)
    return enqueue(session, mails)


def still_to_do(campaign_id: int) -> tuple:
    """The conditions of an assignment a reminder is about: open in this campaign, not withdrawn, held by an
    active person (joined to User). The daily reminders and a department head's reminder share them."""
    return (
        Assignment.campaign_id == campaign_id,
        Assignment.status.in_(OPEN),
        Assignment.withdrawn_at.is_(None),
        User.status == "active",
    )


def _open_assignments(session: Session, campaign_id: int, horizon, today: date, terms=None) -> list[Due]:
    rows = session.execute(
        select(
            Assignment.id,
            Assignment.due_at,
            User.id,
            User.name,
            User.employee_no,
            User.email,
            User.locale,
            User.department_id,
            Edition.title_ja,
            Edition.title_en,
            User.contract_id,
        )
        .join(User, User.id == Assignment.user_id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .where(*still_to_do(campaign_id), Assignment.due_at <= horizon)
    ).all()
    return [
        Due(
            a_id,
            uid,
            name,
            no,
            email,
            locale,
            dept,
            substitute_each({"ja": tja, "en": ten}, terms),
            tokyo_date(due_at),
            (tokyo_date(due_at) - today).days,
            due_at,
            contract_id=contract,
        )
        for a_id, due_at, uid, name, no, email, locale, dept, tja, ten, contract in rows
    ]


def _open_pledges(session: Session, campaign_id: int, horizon, today: date) -> list[Due]:
    """The campaign's pledges still to sign by people still here, due by `horizon`, as reminder items."""
    rows = session.execute(
        select(
            PledgeAssignment.id,
            PledgeAssignment.due_at,
            PledgeAssignment.pledge_id,
            User.id,
            User.name,
            User.employee_no,
            User.email,
            User.locale,
            User.department_id,
            User.contract_id,
        )
        .join(User, User.id == PledgeAssignment.user_id)
        .where(
            PledgeAssignment.campaign_id == campaign_id,
            PledgeAssignment.status == "assigned",
            PledgeAssignment.withdrawn_at.is_(None),
            User.status == "active",
            PledgeAssignment.due_at <= horizon,
        )
    ).all()
    titles = pledge_titles(session) if rows else {}
    return [
        Due(
            a_id,
            uid,
            name,
            no,
            email,
            locale,
            dept,
            titles.get(pledge_id, {"ja": "誓約書", "en": "Pledge"}),
            tokyo_date(due_at),
            (tokyo_date(due_at) - today).days,
            due_at,
            "pledge",
            contract,
        )
        for a_id, due_at, pledge_id, uid, name, no, email, locale, dept, contract in rows
    ]


def _claim(session: Session, steps: dict[tuple[int, datetime], str], kind: str = "module") -> set[int]:
    """Records each (assignment, due date, step) once; returns the assignments this run claimed. An extended
    due date is a new due date: its steps are claimed afresh, once each. A pledge assignment's steps are in
    its own log (`kind` "pledge")."""
    if not steps:
        return set()
    now = clock.now()
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    log, key = (PledgeReminderLog, "pledge_assignment_id") if kind == "pledge" else (ReminderLog, "assignment_id")
    statement = module.insert(log).on_conflict_do_nothing(index_elements=[key, "due_at", "step"])
    claimed: set[int] = set()
    rows = [{key: a, "due_at": due_at, "step": s, "at": now} for (a, due_at), s in steps.items()]
    for start in range(0, len(rows), 2000):
        result = session.execute(statement.returning(getattr(log, key)), rows[start : start + 2000])
        claimed.update(result.scalars())
    return claimed


def _line(locale: str, item: Due) -> str:
    title = item.titles.get(locale) or item.titles["ja"]
    if item.kind == "pledge":
        title = t(locale, "%(title)s (pledge to sign)", title=title)
    if item.days_left < 0:
        return t(
            locale,
            "- %(title)s: was due %(date)s (%(days)d days ago)",
            title=title,
            date=day(locale, item.due),
            days=-item.days_left,
        )
    return t(locale, "- %(title)s: due %(date)s", title=title, date=day(locale, item.due))


def _learner_mail(items: list[Due], portal_url: str, today: date, terms) -> Mail:
    first = items[0]
    locale = first.locale
    overdue = any(i.days_left < 0 for i in items)
    subject = (
        t(locale, "[Conduct Rules Portal] Your conduct-rule training is overdue")
        if overdue
        else t(locale, "[Conduct Rules Portal] Your conduct-rule training is due soon")
    )
    body = "\n".join(
        [
            t(locale, "Dear %(name)s,", name=first.name),
            "",
            t(locale, "Please complete the following conduct-rule training:"),
            *(_line(locale, item) for item in sorted(items, key=lambda i: i.due)),
            "",
            t(locale, "Open the portal: %(url)s", url=portal_url),
            asking_line(locale, terms),
        ]
    )
    ids = ",".join(("p" if i.kind == "pledge" else "") + str(i.assignment_id) for i in items)
    key = f"reminder:{first.user_id}:{today.isoformat()}:" + ids[:150]
    return Mail(key, "reminder", first.email, subject, body, first.user_id)
