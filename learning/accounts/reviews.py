"""Access reviews (棚卸し): who holds what is confirmed by a reviewer or it ends.

Opening a review lists every privileged grant and every manager scope in force (reviewed by the
compliance office: these are department heads and privileged roles) and every dormant account, an
active account nobody has signed in with for `dormant_days` (reviewed by the holder's department head,
the nearest manager whose scope covers their department; by compliance where there is none). Reviewers
confirm or revoke each item by the due date; `jobs run` reminds them three days before, tells compliance
which department heads have not finished, and after the due day ends every grant left unconfirmed and
locks every dormant account nobody vouched for (its owner can still reset the password by the emailed
link). Nobody decides on their own access; every decision is on the audit trail.

Contractors' staff accounts (issue 19 item 6) take part too: each active one is put to its contract's internal
owner (compliance where the owner has left), who confirms it still needs access or ends it; one left
unconfirmed after the due day ends as a leaver's does (sessions end, roles end, open assignments withdrawn).
Contractors are reviewed this way rather than as dormant accounts.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from learning import clock
from learning.accounts import contractor_staff, grants, recovery
from learning.accounts.contractor_models import ContractorContract
from learning.accounts.errors import AccountError, refused
from learning.accounts.models import AccessReview, AccessReviewItem, RoleGrant, User
from learning.accounts.tree import parent_map
from learning.audit.services import Entry, record, record_many
from learning.authz import PRIVILEGED_ROLES, Role
from learning.notify.services import Mail, enqueue
from learning.notify.texts import day, t

REVIEWED_ROLES = frozenset({*PRIVILEGED_ROLES, Role.MANAGER})
REMIND_DAYS_BEFORE = 3


def _today() -> date:
    return clock.tokyo_date(clock.now())


def open_review(
    session: Session, opener: User, title: str, due_on: date, dormant_days: int, portal_url: str
) -> AccessReview:
    """Opens a review of everything in force now, and queues an email to each reviewer."""
    if due_on <= _today():
        raise AccountError("end_in_past", field="due_on")
    now = clock.now()
    review = AccessReview(
        title=title.strip()[:200], opened_by_id=opener.id, opened_at=now, due_on=due_on, dormant_days=dormant_days
    )
    session.add(review)
    session.flush()
    items = [
        AccessReviewItem(review_id=review.id, kind="grant", grant_id=g.id, user_id=g.user_id)
        for g in session.scalars(
            select(RoleGrant)
            .where(RoleGrant.in_force_at(now), RoleGrant.role.in_(REVIEWED_ROLES))
            .order_by(RoleGrant.id)
        )
    ]
    heads, parents = grants.department_heads(session), parent_map(session)
    for user in dormant_accounts(session, dormant_days):
        reviewer = grants.nearest_head(heads, parents, user.department_id, user.id)
        items.append(
            AccessReviewItem(
                review_id=review.id,
                kind="dormant",
                user_id=user.id,
                reviewer_id=reviewer,
                last_sign_in_at=user.last_sign_in_at,
            )
        )
    items += contractor_items(session, review.id)
    session.add_all(items)
    session.flush()
    counts = Counter(i.kind for i in items)
    record(
        session,
        "access_review_opened",
        actor_id=opener.id,
        target=("access_review", review.id),
        details={
            "grants": counts["grant"],
            "dormant": counts["dormant"],
            "contractors": counts["contractor"],
            "due_on": due_on.isoformat(),
        },
    )
    _notify_reviewers(session, review, items, "access_review", portal_url)
    return review


def contractor_items(session: Session, review_id: int) -> list[AccessReviewItem]:
    """Every contractor account with access now, each for its contract's internal owner to decide (nobody in
    particular, so compliance, where the owner has left)."""
    today = _today()
    owner = aliased(User)
    rows = session.execute(
        select(User, owner.id, owner.status)
        .join(ContractorContract, ContractorContract.id == User.contract_id)
        .join(owner, owner.id == ContractorContract.owner_id)
        .where(User.kind == "contractor", User.status == "active", User.ends_on >= today)
        .order_by(User.employee_no)
    ).all()
    return [
        AccessReviewItem(
            review_id=review_id,
            kind="contractor",
            user_id=user.id,
            reviewer_id=owner_id if owner_status != "left" else None,
            last_sign_in_at=user.last_sign_in_at,
        )
        for user, owner_id, owner_status in rows
    ]


def dormant_accounts(session: Session, days: int) -> list[User]:
    """Active employees' accounts with no sign-in for `days` (never signed in: counted from when the account was
    made). Contractors' accounts are reviewed by their contract's owner instead (`contractor_items`)."""
    since = clock.now() - timedelta(days=days)
    return list(
        session.scalars(
            select(User)
            .where(
                User.status == "active",
                User.kind != "contractor",
                or_(User.last_sign_in_at < since, User.last_sign_in_at.is_(None) & (User.created_at < since)),
            )
            .order_by(User.employee_no)
        )
    )


def _may_decide(item: AccessReviewItem, reviewer: User) -> bool:
    if item.reviewer_id is not None:
        return item.reviewer_id == reviewer.id
    return Role.COMPLIANCE in reviewer.roles


def decide(session: Session, item_id: int, reviewer: User, decision: str) -> AccessReviewItem:
    """Confirms or revokes one item of an open review."""
    if decision not in ("confirmed", "revoked"):
        raise AccountError("not_pending")
    item = session.scalar(select(AccessReviewItem).where(AccessReviewItem.id == item_id).with_for_update())
    review = session.get(AccessReview, item.review_id) if item else None
    if item is None or review.closed_at is not None or item.decision is not None:
        raise AccountError("review_item_decided")
    if item.user_id == reviewer.id:
        raise refused("own_grant", reviewer.id, item.user_id, reason="access_review", item_id=item.id)
    if not _may_decide(item, reviewer):
        raise refused("not_reviewer", reviewer.id, item.user_id, reason="access_review", item_id=item.id)
    now = clock.now()
    item.decision, item.decided_by_id, item.decided_at = decision, reviewer.id, now
    holder = session.get(User, item.user_id)
    if item.kind == "grant":
        grant = session.get(RoleGrant, item.grant_id)
        if decision == "confirmed":
            grant.last_reviewed_at, grant.last_reviewed_by_id = now, reviewer.id
        elif grant.status != "ended":
            grants.revoke(session, grant.id, reviewer, reason="review")
    elif item.kind == "contractor":
        if decision == "revoked" and holder.status != "left":
            contractor_staff.end_access(session, [holder.id], reviewer.id, "review_ended")
    elif decision == "revoked":
        recovery.lock(session, holder, reviewer.id, "dormant")
    record(
        session,
        "access_review_decided",
        actor_id=reviewer.id,
        target=("user", item.user_id),
        details={"review_id": review.id, "item_id": item.id, "kind": item.kind, "decision": decision},
    )
    return item


def close_overdue(session: Session) -> int:
    """After the due day: items nobody decided lapse (grants end, dormant accounts are locked); the review
    closes. Returns how many items lapsed. Safe to repeat (closed reviews are skipped, rows are locked)."""
    today = _today()
    lapsed = 0
    for review in session.scalars(
        select(AccessReview).where(AccessReview.closed_at.is_(None), AccessReview.due_on < today).with_for_update()
    ):
        now = clock.now()
        open_items = session.scalars(
            select(AccessReviewItem).where(AccessReviewItem.review_id == review.id, AccessReviewItem.decision.is_(None))
        ).all()
        entries = []
        ending = []
        for item in open_items:
            item.decision, item.decided_at = "lapsed", now
            if item.kind == "grant":
                grant = session.get(RoleGrant, item.grant_id)
                if grant.status != "ended":
                    grant.status, grant.revoked_at, grant.end_reason = "ended", now, "review"
                    session.get(User, grant.user_id).session_version += 1
            elif item.kind == "contractor":
                if session.get(User, item.user_id).status != "left":
                    ending.append(item.user_id)
            else:
                recovery.lock(session, session.get(User, item.user_id), None, "dormant", audit=False)
            entries.append(
                Entry(
                    "access_review_lapsed",
                    None,
                    target=("user", item.user_id),
                    details={"review_id": review.id, "item_id": item.id, "kind": item.kind, "grant_id": item.grant_id},
                )
            )
        if ending:
            contractor_staff.end_access(session, ending, None, "review_unconfirmed")
        review.closed_at = now
        entries.append(
            Entry(
                "access_review_closed", None, target=("access_review", review.id), details={"lapsed": len(open_items)}
            )
        )
        record_many(session, entries)
        lapsed += len(open_items)
    return lapsed


def remind(session: Session, portal_url: str) -> int:
    """Three days before the due day: each reviewer with undecided items gets a reminder; compliance gets
    the list of department heads who have not finished (the escalation). Once per review (dedupe keys)."""
    today = _today()
    queued = 0
    for review in session.scalars(
        select(AccessReview).where(
            AccessReview.closed_at.is_(None),
            AccessReview.due_on <= today + timedelta(days=REMIND_DAYS_BEFORE),
            AccessReview.due_on >= today,
        )
    ):
        open_items = session.scalars(
            select(AccessReviewItem).where(AccessReviewItem.review_id == review.id, AccessReviewItem.decision.is_(None))
        ).all()
        queued += _notify_reviewers(session, review, open_items, "access_review_reminder", portal_url)
        late_heads = Counter(i.reviewer_id for i in open_items if i.reviewer_id is not None)
        if late_heads:
            queued += _escalate(session, review, late_heads)
    return queued


def _compliance_people(session: Session) -> list[User]:
    now = clock.now()
    return list(
        session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.in_force_at(now), RoleGrant.role == Role.COMPLIANCE, User.status == "active")
            .distinct()
        )
    )


def _notify_reviewers(session: Session, review: AccessReview, items: list, stage: str, portal_url: str) -> int:
    """One email per reviewer (department heads by name; the compliance office for the rest)."""
    by_reviewer = Counter(i.reviewer_id for i in items)
    mails = []
    for reviewer_id, count in by_reviewer.items():
        people = [session.get(User, reviewer_id)] if reviewer_id else _compliance_people(session)
        for person in people:
            if person is None or not person.email:
                continue
            locale = person.locale
            body = "\n".join(
                [
                    t(locale, "Dear %(name)s,", name=person.name),
                    "",
                    t(
                        locale,
                        "Access review “%(title)s”: %(count)d item(s) await your decision (confirm or revoke) "
                        "by %(due)s. Items left undecided then end by themselves.",
                        title=review.title,
                        count=count,
                        due=day(locale, review.due_on),
                    ),
                    t(locale, "Decide here: %(link)s", link=portal_url + "access/review"),
                ]
            )
            subject = t(locale, "[Conduct Rules Portal] Access review: your decision is needed")
            mails.append(
                Mail(f"{stage}:{review.id}:{person.id}", "access_review", person.email, subject, body, person.id)
            )
    return enqueue(session, mails)


def _escalate(session: Session, review: AccessReview, late_heads: Counter) -> int:
    names = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(late_heads))))}
    mails = []
    for person in _compliance_people(session):
        if not person.email:
            continue
        locale = person.locale
        lines = [f"- {names[i].name} ({names[i].employee_no}): {n}" for i, n in sorted(late_heads.items())]
        body = "\n".join(
            [
                t(locale, "Dear %(name)s,", name=person.name),
                "",
                t(
                    locale,
                    "Access review “%(title)s” is due on %(due)s. These department heads have undecided items:",
                    title=review.title,
                    due=day(locale, review.due_on),
                ),
                *lines,
            ]
        )
        subject = t(locale, "[Conduct Rules Portal] Access review: department heads not finished")
        mails.append(
            Mail(
                f"access_review_escalation:{review.id}:{person.id}",
                "access_review_escalation",
                person.email,
                subject,
                body,
                person.id,
            )
        )
    return enqueue(session, mails)


def items_for(session: Session, reviewer: User, review_id: int | None = None) -> list[AccessReviewItem]:
    """The undecided items this person may decide, in open reviews."""
    query = _items_query(select(AccessReviewItem), Role.COMPLIANCE in reviewer.roles)
    if review_id is not None:
        query = query.where(AccessReviewItem.review_id == review_id)
    return list(session.scalars(query.order_by(AccessReviewItem.id), {"reviewer_id": reviewer.id}))


def count_for(session: Session, reviewer: User) -> int:
    """How many items await this person's decision (the home page's notice)."""
    statement = _COUNT_FOR[Role.COMPLIANCE in reviewer.roles]
    return session.scalar(statement, {"reviewer_id": reviewer.id})


def _items_query(query, compliance: bool):
    """The undecided items of open reviews that the reviewer bound as `reviewer_id` may decide: their own,
    and for compliance also those nobody was named for; never an item about the reviewer."""
    mine = AccessReviewItem.reviewer_id == bindparam("reviewer_id")
    if compliance:
        mine = or_(mine, AccessReviewItem.reviewer_id.is_(None))
    return query.join(AccessReview, AccessReview.id == AccessReviewItem.review_id).where(
        AccessReview.closed_at.is_(None),
        AccessReviewItem.decision.is_(None),
        AccessReviewItem.user_id != bindparam("reviewer_id"),
        mine,
    )


# Built once: the home page asks on every view.
_COUNT_FOR = {c: _items_query(select(func.count()).select_from(AccessReviewItem), c) for c in (False, True)}


def progress(session: Session, review_id: int) -> dict[str, int]:
    """How many items are undecided, confirmed, revoked and lapsed."""
    rows = session.execute(
        select(AccessReviewItem.decision, func.count())
        .where(AccessReviewItem.review_id == review_id)
        .group_by(AccessReviewItem.decision)
    )
    counts = {"open": 0, "confirmed": 0, "revoked": 0, "lapsed": 0}
    for decision, count in rows:
        counts[decision or "open"] = count
    return counts
