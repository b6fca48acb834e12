"""A department head's reminder, from the department report, to their own staff who have not finished a campaign.

Only within the subtrees the sender heads (their manager grants in force), once per department subtree, campaign
and Tokyo day: the row in `staff_reminders` is claimed first by an INSERT that ignores a conflict, so of two
clicks at once (two tabs, two heads of the same department) exactly one sends. Each person gets one email listing
what they have not finished, in their language. Audited. Pure of Flask; never commits.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import RoleGrant, User
from learning.accounts.tree import parent_map, subtree
from learning.audit.services import Entry, record
from learning.authz import Role
from learning.campaigns.messages import MESSAGES
from learning.campaigns.models import Campaign, StaffReminder
from learning.campaigns.reminders import still_to_do
from learning.courses.models import Edition
from learning.courses.term_settings import current_terms
from learning.courses.terms import asking_line, substitute_each
from learning.errors import DomainError
from learning.notify.services import Mail, enqueue
from learning.notify.texts import day, t
from learning.training.models import Assignment


class StaffReminderError(DomainError):
    messages = MESSAGES


def headed(session: Session, user_id: int) -> set[int]:
    """The departments this person heads now: the subtrees of their manager grants in force."""
    roots = session.scalars(
        select(RoleGrant.department_id).where(
            RoleGrant.user_id == user_id,
            RoleGrant.role == Role.MANAGER,
            RoleGrant.in_force_at(clock.now()),
            RoleGrant.department_id.is_not(None),
        )
    ).all()
    return subtree(roots, parent_map(session)) if roots else set()


def sent_today(session: Session, campaign_id: int, department_id: int) -> StaffReminder | None:
    """Today's reminder (Tokyo day) for this department subtree and campaign, if one went."""
    return session.scalar(
        select(StaffReminder).where(
            StaffReminder.campaign_id == campaign_id,
            StaffReminder.department_id == department_id,
            StaffReminder.day == clock.tokyo_date(clock.now()),
        )
    )


def tokyo_time(moment: datetime) -> str:
    return moment.astimezone(clock.TOKYO).strftime("%H:%M")


def send(session: Session, actor_id: int, campaign_id: int, department_id: int, portal_url: str) -> StaffReminder:
    """Emails the not-finished people of the department subtree; refused outside the sender's subtrees (with an
    audit entry), for a campaign not running, a second time the same day (saying when), or when all are done."""
    if department_id not in headed(session, actor_id):
        # As the report refuses a department outside the reader's scope: a permission failure that stands.
        entry = Entry(
            "authz_fail",
            actor_id,
            target=("department", department_id),
            outcome="failure",
            details={"report": "staff_reminder", "campaign": campaign_id},
        )
        raise StaffReminderError("reminder_out_of_scope", audit=entry)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != "running":
        raise StaffReminderError("reminder_not_running")
    now, today = clock.now(), clock.tokyo_date(clock.now())
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    claim = (
        module.insert(StaffReminder)
        .values(campaign_id=campaign_id, department_id=department_id, day=today, sent_by_id=actor_id, sent_at=now)
        .values(people=0)
        .on_conflict_do_nothing(index_elements=["campaign_id", "department_id", "day"])
        .returning(StaffReminder.id)
    )
    claimed = session.scalar(claim)
    if claimed is None:  # already sent today (on PostgreSQL, a click at the same moment waited for the other)
        earlier = sent_today(session, campaign_id, department_id)
        sender = session.get(User, earlier.sent_by_id) if earlier else None
        raise StaffReminderError(
            "reminder_already_sent",
            at=tokyo_time(earlier.sent_at) if earlier else "—",
            person=sender.name if sender else "—",
        )
    reminder = session.get(StaffReminder, claimed)
    terms = current_terms(session)
    pending = _not_finished(session, campaign_id, subtree([department_id], parent_map(session)), actor_id, terms)
    if not pending:
        raise StaffReminderError("reminder_nobody")
    mails = [_mail(reminder, person, items, portal_url, terms) for person, items in pending.items()]
    enqueue(session, mails)
    reminder.people = len(pending)
    record(
        session,
        "staff_reminder_sent",
        actor_id=actor_id,
        target=("department", department_id),
        details={"campaign": campaign_id, "people": len(pending)},
    )
    return reminder


def _not_finished(session: Session, campaign_id: int, departments: set[int], actor_id: int, terms) -> dict:
    """{person: [(titles, due)]}: open assignments of active people now in these departments, the sender aside."""
    rows = session.execute(
        select(User, Edition.title_ja, Edition.title_en, Assignment.due_at)
        .join(Assignment, Assignment.user_id == User.id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .where(
            *still_to_do(campaign_id),
            User.department_id.in_(departments),
            User.id != actor_id,
        )
        .order_by(User.employee_no, Assignment.due_at)
    ).all()
    pending: dict[User, list] = defaultdict(list)
    for person, title_ja, title_en, due_at in rows:
        pending[person].append((substitute_each({"ja": title_ja, "en": title_en}, terms), due_at))
    return {person: items for person, items in pending.items() if person.email}


def _mail(reminder: StaffReminder, person: User, items: list, portal_url: str, terms) -> Mail:
    locale = person.locale
    lines = []
    for titles, due_at in items:
        title, due = titles.get(locale) or titles["ja"], clock.tokyo_date(due_at)
        if due < clock.tokyo_date(reminder.sent_at):
            lines.append(t(locale, "- %(title)s: was due %(date)s", title=title, date=day(locale, due)))
        else:
            lines.append(t(locale, "- %(title)s: due %(date)s", title=title, date=day(locale, due)))
    body = [
        t(locale, "Dear %(name)s,", name=person.name),
        "",
        t(locale, "Your department head asks you to finish this conduct-rule training:"),
        *lines,
        "",
        t(locale, "Open the portal: %(url)s", url=portal_url),
        asking_line(locale, terms),
    ]
    return Mail(
        f"staff-reminder:{reminder.id}:{person.id}",
        "staff_reminder",
        person.email,
        t(locale, "[Conduct Rules Portal] A reminder from your department head"),
        "\n".join(body),
        person.id,
    )
