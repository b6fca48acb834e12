"""Reminding those of a department subtree who have not acknowledged a notice, through the outbox.

Compliance reminds any department; a department head only the subtrees they head. At most once per notice,
department and Tokyo day: the row in `notice_reminders` is claimed by an INSERT that ignores a conflict before
any email is queued, so of two clicks at once one sends. Audited. Pure of Flask; never commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import RoleGrant, User
from learning.accounts.tree import parent_map, subtree
from learning.announcements import audience
from learning.announcements.models import Notice, NoticeReminder
from learning.announcements.services import AnnouncementError
from learning.audit.services import Entry, record
from learning.authz import Role
from learning.courses.term_settings import current_terms
from learning.courses.terms import asking_line
from learning.notify.services import Mail, enqueue
from learning.notify.texts import t


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


def may_remind(session: Session, user, department_id: int) -> bool:
    return Role.COMPLIANCE in user.roles or department_id in headed(session, user.id)


def tokyo_time(moment) -> str:
    """A time of today as people in Japan read it (HH:MM)."""
    return moment.astimezone(clock.TOKYO).strftime("%H:%M")


def sent_today(session: Session, notice_id: int, department_id: int) -> NoticeReminder | None:
    return session.scalar(
        select(NoticeReminder).where(
            NoticeReminder.notice_id == notice_id,
            NoticeReminder.department_id == department_id,
            NoticeReminder.day == clock.tokyo_date(clock.now()),
        )
    )


def send(session: Session, user, notice_id: int, department_id: int, portal_url: str) -> NoticeReminder:
    """Emails everyone of the subtree the notice reaches who has not acknowledged it, in their language."""
    if not may_remind(session, user, department_id):
        entry = Entry(
            "authz_fail",
            user.id,
            target=("department", department_id),
            outcome="failure",
            details={"report": "notice_reminder", "notice": notice_id},
        )
        raise AnnouncementError("reminder_out_of_scope", audit=entry)
    notice = session.get(Notice, notice_id)
    now = clock.now()
    if notice is None or not notice.requires_ack or notice.status != "published":
        raise AnnouncementError("reminder_not_current")
    if not (notice.shown_from <= now and (notice.shown_until is None or notice.shown_until > now)):
        raise AnnouncementError("reminder_not_current")
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    claimed = session.scalar(
        module.insert(NoticeReminder)
        .values(
            notice_id=notice_id,
            department_id=department_id,
            day=clock.tokyo_date(now),
            sent_by_id=user.id,
            sent_at=now,
            people=0,
        )
        .on_conflict_do_nothing(index_elements=["notice_id", "department_id", "day"])
        .returning(NoticeReminder.id)
    )
    if claimed is None:
        earlier = sent_today(session, notice_id, department_id)
        sender = session.get(User, earlier.sent_by_id) if earlier else None
        at = tokyo_time(earlier.sent_at) if earlier else "—"
        raise AnnouncementError("reminder_already_sent", at=at, person=sender.name if sender else "—")
    reminder = session.get(NoticeReminder, claimed)
    parents = parent_map(session)
    reached = audience.covered(notice, parents) & subtree([department_id], parents)
    pending = [
        person
        for person, _receipt in audience.people(session, notice, reached, acknowledged=False)
        if person.email and person.status == "active" and person.id != user.id
    ]
    if not pending:
        raise AnnouncementError("reminder_nobody")
    terms = current_terms(session)
    enqueue(session, [_mail(reminder, notice, person, portal_url, terms) for person in pending])
    reminder.people = len(pending)
    record(
        session,
        "notice_reminder_sent",
        actor_id=user.id,
        target=("notice", notice_id),
        details={"department_id": department_id, "people": len(pending)},
    )
    return reminder


def _mail(reminder: NoticeReminder, notice: Notice, person: User, portal_url: str, terms) -> Mail:
    locale = person.locale if person.locale in ("ja", "en") else "ja"
    title = notice.titles.get(locale) or notice.title_ja
    link = f"{portal_url.rstrip('/')}/notices/{notice.id}"
    body = [
        t(locale, "Dear %(name)s,", name=person.name),
        "",
        t(locale, "Please read this notice and confirm that you have read it:"),
        f"- {title}",
        "",
        t(locale, "Open it in the portal: %(url)s", url=link),
        asking_line(locale, terms),
    ]
    return Mail(
        f"notice-reminder:{reminder.id}:{person.id}",
        "notice_reminder",
        person.email,
        t(locale, "[Conduct Rules Portal] Please confirm you have read: %(title)s", title=title),
        "\n".join(body),
        person.id,
    )
