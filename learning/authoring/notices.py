"""Who is told about a draft in review: the reviewers on their home page and by email when it is submitted, its
authors by email when it is approved or sent back. Emails go to the outbox in the step's transaction, in the
recipient's language. Pure of Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import RoleGrant, User
from learning.authz import Role
from learning.courses.models import Edition
from learning.courses.term_settings import current_terms
from learning.courses.terms import substitute_each
from learning.notify.services import Mail, enqueue
from learning.notify.texts import t


@dataclass(frozen=True)
class Waiting:
    """A draft in review that this trainer may approve (four eyes: not their own)."""

    edition_id: int
    titles: dict[str, str]  # raw, shown through the `content` filter
    version: int
    submitted_by: str | None
    submitted_at: datetime | None


def may_review(edition: Edition, user_id: int) -> bool:
    """Four eyes, as review.is_own_draft: the last editor and the submitter may not approve."""
    return user_id not in (edition.edited_by_id, edition.submitted_by_id)


def awaiting_review(session: Session, user) -> list[Waiting]:
    """The drafts waiting for this trainer's review, the longest waiting first; nothing for anyone else."""
    if Role.TRAINER not in user.roles:
        return []
    rows = session.execute(
        select(Edition, User.name)
        .outerjoin(User, User.id == Edition.submitted_by_id)
        .where(Edition.status == "review")
        .order_by(Edition.submitted_at, Edition.id)
    ).all()
    return [
        Waiting(e.id, {"ja": e.title_ja, "en": e.title_en}, e.version, name, e.submitted_at)
        for e, name in rows
        if may_review(e, user.id)
    ]


def _trainers(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(
                User.status == "active",
                User.id.in_(
                    select(RoleGrant.user_id).where(RoleGrant.role == Role.TRAINER, RoleGrant.in_force_at(clock.now()))
                ),
            )
            .order_by(User.id)
        )
    )


def _title(session: Session, edition: Edition, locale: str) -> str:
    titles = substitute_each({"ja": edition.title_ja, "en": edition.title_en}, current_terms(session))
    return titles.get(locale) or titles["ja"]


def mail_submitted(session: Session, edition: Edition, portal_url: str) -> int:
    """Every trainer who may review the draft (not its submitter or last editor) is told it waits."""
    link = f"{portal_url}editions/{edition.id}/review"
    submitter = session.get(User, edition.submitted_by_id) if edition.submitted_by_id else None
    mails = []
    for reviewer in _trainers(session):
        if not reviewer.email or not may_review(edition, reviewer.id):
            continue
        locale = reviewer.locale
        title = _title(session, edition, locale)
        body = [
            t(locale, "Dear %(name)s,", name=reviewer.name),
            "",
            t(
                locale,
                "%(person)s has sent a draft of %(title)s to review. Another trainer must approve it before it is "
                "published:",
                person=submitter.name if submitter else "—",
                title=title,
            ),
            link,
        ]
        if edition.change_note:
            body += ["", t(locale, "What changed, in the author's words:"), edition.change_note]
        mails.append(
            Mail(
                f"review-submitted:{edition.id}:{edition.revision}:{reviewer.id}",
                "review_request",
                reviewer.email,
                t(locale, "[Conduct Rules Portal] A draft awaits your review: %(title)s", title=title),
                "\n".join(body),
                reviewer.id,
            )
        )
    return enqueue(session, mails)


def mail_decided(session: Session, edition: Edition, reviewer_id: int, portal_url: str) -> int:
    """The draft's authors (submitter and last editor, not the reviewer) are told it was published or sent
    back, with the reviewer's note."""
    published = edition.status == "published"
    reviewer = session.get(User, reviewer_id)
    link = f"{portal_url}editions/{edition.id}/" + ("changes" if published else "edit")
    authors = {edition.submitted_by_id, edition.edited_by_id} - {None, reviewer_id}
    mails = []
    for author in session.scalars(select(User).where(User.id.in_(authors), User.status == "active")):
        if not author.email:
            continue
        locale = author.locale
        title = _title(session, edition, locale)
        if published:
            subject = t(locale, "[Conduct Rules Portal] Your draft was approved and published: %(title)s", title=title)
            said = t(
                locale,
                "%(person)s approved your draft of %(title)s. It is published as edition %(version)d:",
                person=reviewer.name,
                title=title,
                version=edition.version,
            )
            body = [said, link]
        else:
            subject = t(locale, "[Conduct Rules Portal] Your draft was sent back: %(title)s", title=title)
            said = t(
                locale,
                "%(person)s sent your draft of %(title)s back with these comments:",
                person=reviewer.name,
                title=title,
            )
            body = [said, "", edition.review_note or "", "", t(locale, "Change the draft here:"), link]
        mails.append(
            Mail(
                f"review-decided:{edition.id}:{edition.revision}:{author.id}",
                "review_decision",
                author.email,
                subject,
                "\n".join([t(locale, "Dear %(name)s,", name=author.name), "", *body]),
                author.id,
            )
        )
    return enqueue(session, mails)
