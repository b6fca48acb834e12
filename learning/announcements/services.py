"""Notices: writing, four-eyes publishing, withdrawing; who sees which now; opening and acknowledging.

Takes the session and the acting person, writes its audit record in the same transaction, never commits.
Every change of a notice is one conditional UPDATE (the status, and for edits the revision the page showed),
so of two clicks at once exactly one changes it. Pure of Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, bindparam, delete, exists, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department
from learning.announcements import search_feed
from learning.announcements.messages import MESSAGES
from learning.announcements.models import Notice, NoticeDepartment, NoticeReceipt
from learning.audit.services import Entry, record
from learning.authz import Role
from learning.errors import DomainError


class AnnouncementError(DomainError):
    messages = MESSAGES


@dataclass(frozen=True)
class NoticeDraft:
    """What the author typed: both languages, the audience, the window in Tokyo days (inclusive)."""

    kind: str
    sender_ja: str
    sender_en: str
    title_ja: str
    title_en: str
    body_ja: str
    body_en: str
    everyone: bool
    departments: tuple[int, ...]
    first_day: date
    last_day: date | None
    pinned: bool
    requires_ack: bool
    heads_only: bool = False  # only the heads of departments (holders of a manager grant) in the audience


@dataclass(frozen=True)
class Current:
    """A notice shown to a person now, with when they opened and acknowledged it (None: not yet)."""

    notice: Notice
    opened_at: datetime | None
    acknowledged_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.opened_at is None

    @property
    def awaiting_ack(self) -> bool:
        return self.notice.requires_ack and self.acknowledged_at is None


def tokyo_start(day: date) -> datetime:
    """The first moment of a Tokyo day, in UTC."""
    return datetime.combine(day, time(), clock.TOKYO).astimezone(UTC)


def _checked(session: Session, draft: NoticeDraft) -> dict:
    """The columns of a valid draft; refuses one naming the field."""
    if not draft.title_ja.strip() or not draft.title_en.strip():
        raise AnnouncementError("title_missing", field="title_ja" if not draft.title_ja.strip() else "title_en")
    if not draft.body_ja.strip() or not draft.body_en.strip():
        raise AnnouncementError("body_missing", field="body_ja" if not draft.body_ja.strip() else "body_en")
    if draft.kind == "management" and (not draft.sender_ja.strip() or not draft.sender_en.strip()):
        raise AnnouncementError("sender_missing", field="sender_ja" if not draft.sender_ja.strip() else "sender_en")
    if not draft.everyone:
        if not draft.departments:
            raise AnnouncementError("audience_missing", field="departments")
        known = set(session.scalars(select(Department.id).where(Department.id.in_(draft.departments))))
        if known != set(draft.departments):
            raise AnnouncementError("audience_unknown", field="departments")
    if draft.last_day is not None and draft.last_day < draft.first_day:
        raise AnnouncementError("window", field="last_day")
    management = draft.kind == "management"
    return {
        "kind": "management" if management else "notice",
        "sender_ja": draft.sender_ja.strip() if management else None,
        "sender_en": draft.sender_en.strip() if management else None,
        "title_ja": draft.title_ja.strip(),
        "title_en": draft.title_en.strip(),
        "body_ja": draft.body_ja,
        "body_en": draft.body_en,
        "everyone": draft.everyone,
        "shown_from": tokyo_start(draft.first_day),
        "shown_until": tokyo_start(draft.last_day + timedelta(days=1)) if draft.last_day else None,
        "pinned": draft.pinned,
        "requires_ack": draft.requires_ack,
        "heads_only": draft.heads_only,
    }


def _set_audience(session: Session, notice_id: int, draft: NoticeDraft) -> None:
    session.execute(delete(NoticeDepartment).where(NoticeDepartment.notice_id == notice_id))
    if not draft.everyone:
        session.execute(
            insert(NoticeDepartment), [{"notice_id": notice_id, "department_id": d} for d in sorted(draft.departments)]
        )


def create(session: Session, draft: NoticeDraft, actor_id: int) -> Notice:
    """A new draft notice."""
    now = clock.now()
    notice = Notice(
        **_checked(session, draft),
        status="draft",
        created_by_id=actor_id,
        created_at=now,
        edited_by_id=actor_id,
        edited_at=now,
    )
    session.add(notice)
    session.flush()
    _set_audience(session, notice.id, draft)
    record(session, "notice_created", actor_id=actor_id, target=("notice", notice.id), details=_summary(notice))
    return notice


def edit(session: Session, notice_id: int, revision: int, draft: NoticeDraft, actor_id: int) -> Notice:
    """Replaces a draft's text and settings, if it is still a draft at `revision`."""
    columns = _checked(session, draft)
    changed = session.scalar(
        update(Notice)
        .where(Notice.id == notice_id, Notice.status == "draft", Notice.revision == revision)
        .values(**columns, revision=Notice.revision + 1, edited_by_id=actor_id, edited_at=clock.now())
        .returning(Notice.revision)
        .execution_options(synchronize_session=False)
    )
    if changed is None:
        _refuse_stale(session, notice_id, "draft")
    _set_audience(session, notice_id, draft)
    notice = _fresh(session, notice_id)
    record(
        session,
        "notice_edited",
        actor_id=actor_id,
        target=("notice", notice_id),
        details={"revision": changed, **_summary(notice)},
    )
    return notice


def _fresh(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    session.refresh(notice)
    return notice


def _refuse_stale(session: Session, notice_id: int, status: str):
    current = session.get(Notice, notice_id)
    if current is None:
        raise AnnouncementError("not_draft")
    session.refresh(current)
    raise AnnouncementError("stale" if current.status == status else _wrong_status(status))


def _wrong_status(status: str) -> str:
    return {"draft": "not_draft", "review": "not_in_review", "published": "not_published"}[status]


def _step(session: Session, notice_id: int, revision: int, from_status: str, **values) -> Notice:
    """One conditional UPDATE from `from_status` at `revision` (else refused, saying why)."""
    changed = session.scalar(
        update(Notice)
        .where(Notice.id == notice_id, Notice.status == from_status, Notice.revision == revision)
        .values(**values, revision=Notice.revision + 1)
        .returning(Notice.id)
        .execution_options(synchronize_session=False)
    )
    if changed is None:
        _refuse_stale(session, notice_id, from_status)
    return _fresh(session, notice_id)


def _summary(notice: Notice) -> dict:
    return {"kind": notice.kind, "requires_ack": notice.requires_ack}


def submit(session: Session, notice_id: int, revision: int, actor_id: int) -> Notice:
    """A draft asking for acknowledgement goes to a second compliance officer."""
    notice = session.get(Notice, notice_id)
    if notice is not None and notice.status == "draft" and not notice.requires_ack:
        raise AnnouncementError("no_review_needed")
    notice = _step(
        session, notice_id, revision, "draft", status="review", submitted_by_id=actor_id, submitted_at=clock.now()
    )
    record(session, "notice_submitted", actor_id=actor_id, target=("notice", notice_id), details=_summary(notice))
    return notice


def send_back(session: Session, notice_id: int, revision: int, actor_id: int) -> Notice:
    """The reviewer (or the author, to change it) returns a notice in review to its draft."""
    notice = _step(session, notice_id, revision, "review", status="draft", submitted_by_id=None, submitted_at=None)
    record(session, "notice_sent_back", actor_id=actor_id, target=("notice", notice_id))
    return notice


def approve(session: Session, notice_id: int, revision: int, actor_id: int) -> Notice:
    """A second person approves a notice in review, which publishes it. Approving one's own is refused (and
    recorded); the database refuses it too (CHECK second_person_approves)."""
    notice = session.get(Notice, notice_id)
    if notice is not None and actor_id in {notice.created_by_id, notice.edited_by_id, notice.submitted_by_id}:
        entry = Entry(
            "notice_approved",
            actor_id,
            target=("notice", notice_id),
            outcome="denied",
            details={"reason": "own_notice"},
        )
        raise AnnouncementError("own_notice", audit=entry)
    now = clock.now()
    notice = _step(
        session,
        notice_id,
        revision,
        "review",
        status="published",
        approved_by_id=actor_id,
        published_by_id=actor_id,
        published_at=now,
    )
    record(session, "notice_approved", actor_id=actor_id, target=("notice", notice_id), details=_summary(notice))
    record(session, "notice_published", actor_id=actor_id, target=("notice", notice_id), details=_summary(notice))
    search_feed.index_notice(session, notice)
    return notice


def publish(session: Session, notice_id: int, revision: int, actor_id: int) -> Notice:
    """A notice that asks for no acknowledgement is published by its author (or any compliance officer)."""
    notice = session.get(Notice, notice_id)
    if notice is not None and notice.status == "draft" and notice.requires_ack:
        raise AnnouncementError("needs_review")
    notice = _step(
        session, notice_id, revision, "draft", status="published", published_by_id=actor_id, published_at=clock.now()
    )
    record(session, "notice_published", actor_id=actor_id, target=("notice", notice_id), details=_summary(notice))
    search_feed.index_notice(session, notice)
    return notice


def withdraw(session: Session, notice_id: int, revision: int, actor_id: int) -> Notice:
    """A published notice is taken off every home page; its acknowledgements stay on record."""
    notice = _step(
        session,
        notice_id,
        revision,
        "published",
        status="withdrawn",
        withdrawn_by_id=actor_id,
        withdrawn_at=clock.now(),
    )
    record(session, "notice_withdrawn", actor_id=actor_id, target=("notice", notice_id))
    search_feed.index_notice(session, notice)
    return notice


def _ancestors(department_id: int | None):
    """The person's department and every department above it (a recursive CTE: one query with the rest)."""
    start = select(Department.id, Department.parent_id).where(Department.id == department_id)
    chain = start.cte("chain", recursive=True)
    chain = chain.union(select(Department.id, Department.parent_id).join(chain, Department.id == chain.c.parent_id))
    return select(chain.c.id)


def _addressed_to(user):
    """The criterion: a notice is for everyone, or for a subtree the person's department is in; one for heads
    only, moreover, for a holder of a manager grant in force."""
    return and_(_for_heads(Role.MANAGER in user.roles), _in_audience(user.department_id))


def _for_heads(heads: bool):
    """A notice for heads only reaches a holder of a manager grant in force; any other reaches everyone."""
    return Notice.id.is_not(None) if heads else Notice.heads_only.is_(False)


def _in_audience(department_id: int | None):
    return or_(
        Notice.everyone.is_(True),
        exists().where(
            NoticeDepartment.notice_id == Notice.id, NoticeDepartment.department_id.in_(_ancestors(department_id))
        ),
    )


def shown_at(now: datetime):
    """A notice is shown while it is published and its window holds `now` (home page, search)."""
    return and_(
        Notice.status == "published",
        Notice.shown_from <= now,
        or_(Notice.shown_until.is_(None), Notice.shown_until > now),
    )


def _current(heads: bool):
    """The home page's query of `current_for`, built once for a head of department and once for anyone else
    (building it and its cache key cost more than running it); the person, their department and now bound."""
    return (
        select(Notice, NoticeReceipt.opened_at, NoticeReceipt.acknowledged_at)
        .outerjoin(
            NoticeReceipt, and_(NoticeReceipt.notice_id == Notice.id, NoticeReceipt.user_id == bindparam("user_id"))
        )
        .where(shown_at(bindparam("now")), _for_heads(heads), _in_audience(bindparam("department_id")))
        .order_by(Notice.pinned.desc(), Notice.shown_from.desc(), Notice.id.desc())
    )


_CURRENT = {heads: _current(heads) for heads in (False, True)}


def current_for(session: Session, user, now: datetime) -> list[Current]:
    """The notices this person may see now (published, in their window, addressed to them), pinned first,
    then the newest; with when they opened and acknowledged each. One query."""
    values = {"user_id": user.id, "now": now, "department_id": user.department_id}
    rows = session.execute(_CURRENT[Role.MANAGER in user.roles], values).all()
    return [Current(notice, opened, acked) for notice, opened, acked in rows]


def shown_to(session: Session, user, notice_id: int, now: datetime) -> bool:
    """Whether this notice is one this person may see now."""
    return (
        session.scalar(select(Notice.id).where(Notice.id == notice_id, shown_at(now), _addressed_to(user))) is not None
    )


def receipt(session: Session, notice_id: int, user_id: int) -> NoticeReceipt | None:
    return session.scalar(
        select(NoticeReceipt).where(NoticeReceipt.notice_id == notice_id, NoticeReceipt.user_id == user_id)
    )


def _insert(session: Session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def opened(session: Session, user, notice_id: int) -> NoticeReceipt:
    """The person has the notice in front of them: it is no longer unread (the first opening is kept)."""
    session.execute(
        _insert(session)(NoticeReceipt)
        .values(notice_id=notice_id, user_id=user.id, opened_at=clock.now())
        .on_conflict_do_nothing(index_elements=["notice_id", "user_id"])
    )
    return receipt(session, notice_id, user.id)


def acknowledge(session: Session, user, notice_id: int) -> NoticeReceipt:
    """ "I have read this": recorded once with the time and the person's department then, audited; a second
    click (or two at once) changes nothing."""
    now = clock.now()
    if not shown_to(session, user, notice_id, now):
        raise AnnouncementError("not_shown")
    notice = session.get(Notice, notice_id)
    if not notice.requires_ack:
        raise AnnouncementError("no_ack")
    opened(session, user, notice_id)
    changed = session.scalar(
        update(NoticeReceipt)
        .where(
            NoticeReceipt.notice_id == notice_id,
            NoticeReceipt.user_id == user.id,
            NoticeReceipt.acknowledged_at.is_(None),
        )
        .values(acknowledged_at=now, department_id=user.department_id)
        .returning(NoticeReceipt.id)
        .execution_options(synchronize_session=False)
    )
    found = receipt(session, notice_id, user.id)
    session.refresh(found)
    if changed is not None:
        record(
            session,
            "notice_acknowledged",
            actor_id=user.id,
            target=("notice", notice_id),
            details={"department_id": user.department_id},
        )
    return found
