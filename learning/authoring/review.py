"""Review and publishing: a complete draft sent to review, sent back with comments, or approved by a second
trainer (four eyes: the draft's last editor and its submitter may not approve it). Publishing retires the
previous edition; published editions are never changed. Every step is audited. Pure of Flask.

Given the portal's address (`portal_url`, as the web passes it), each step emails those it concerns in the
same transaction (notices.py): the reviewers on submit, the authors on approval or send-back. Steps driven
without one (content import, tests of the steps themselves) tell nobody.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import Entry, record
from learning.authoring import notices
from learning.authoring.completeness import findings
from learning.authoring.services import AuthoringError
from learning.courses.models import Edition
from learning.courses.services import lock_module, spec_from_edition
from learning.courses.signals import edition_published


def submit(
    session: Session,
    edition_id: int,
    revision: int,
    actor_id: int,
    change_note: str,
    substantive: bool,
    portal_url: str | None = None,
):
    """Sends a complete draft to review; refused with the findings when anything is missing."""
    edition = _edition(session, edition_id, "draft")
    if edition.revision != revision:
        raise AuthoringError("conflict", editor_id=edition.edited_by_id)
    problems = findings(spec_from_edition(session, edition))
    if problems:
        raise AuthoringError("incomplete", findings=problems)
    edition.status, edition.submitted_by_id, edition.submitted_at = "review", actor_id, clock.now()
    edition.change_note, edition.substantive, edition.review_note = change_note.strip(), substantive, None
    edition.revision += 1
    record(
        session,
        "draft_submitted",
        actor_id=actor_id,
        target=("edition", edition.id),
        details={"substantive": substantive},
    )
    if portal_url is not None:
        notices.mail_submitted(session, edition, portal_url)
    return edition


def send_back(
    session: Session, edition_id: int, actor_id: int, comments: str, portal_url: str | None = None
) -> Edition:
    """Returns a draft in review to its authors with the reviewer's comments."""
    if not comments.strip():
        raise AuthoringError("comments_required")
    edition = _edition(session, edition_id, "review")
    edition.status, edition.review_note, edition.reviewed_by_id = "draft", comments.strip(), actor_id
    edition.revision += 1
    record(session, "draft_sent_back", actor_id=actor_id, target=("edition", edition.id))
    if portal_url is not None:
        notices.mail_decided(session, edition, actor_id, portal_url)
    return edition


def is_own_draft(edition: Edition, actor_id: int) -> bool:
    """Four eyes: the draft's last editor and its submitter may not approve it."""
    return actor_id in (edition.edited_by_id, edition.submitted_by_id)


def approve(
    session: Session, edition_id: int, actor_id: int, portal_url: str | None = None
) -> tuple[Edition, Edition | None]:
    """Publishes a reviewed draft and retires the edition it replaces; returns (new, replaced).

    The last editor of the draft may not approve it: refused and audited. The module's row lock is taken
    first (as by every step that adds an edition or changes one's status), and the replaced edition is
    retired before this one is published: the database holds one published edition per module at every
    statement (uq_editions_published).
    """
    module_id = session.scalar(select(Edition.module_id).where(Edition.id == edition_id))
    if module_id is not None:
        lock_module(session, module_id)
    edition = _edition(session, edition_id, "review")
    if is_own_draft(edition, actor_id):
        entry = Entry("draft_approved", actor_id, target=("edition", edition.id), outcome="denied")
        raise AuthoringError("own_draft", audit=entry)
    replaced = session.scalar(
        select(Edition).where(Edition.module_id == edition.module_id, Edition.status == "published")
    )
    if replaced is not None:
        replaced.status = "retired"
        session.flush()
    newest = session.scalar(
        select(func.max(Edition.version)).where(Edition.module_id == edition.module_id, Edition.id != edition.id)
    )
    edition.version = max(edition.version, (newest or 0) + 1)  # content imported meanwhile stays older
    spec = spec_from_edition(session, edition)
    edition.content_hash = spec.content_hash()
    edition.status, edition.reviewed_by_id, edition.published_at = "published", actor_id, clock.now()
    edition.revision += 1
    session.flush()
    record(
        session,
        "edition_published",
        actor_id=actor_id,
        target=("edition", edition.id),
        details={"replaces": replaced.id if replaced else None, "substantive": edition.substantive},
    )
    edition_published.send(edition, session=session, replaced=replaced, actor_id=actor_id)
    if portal_url is not None:
        notices.mail_decided(session, edition, actor_id, portal_url)
    return edition, replaced


def _edition(session: Session, edition_id: int, status: str) -> Edition:
    # populate_existing: the page loaded the edition before this lock; the status checked is the one now.
    edition = session.get(Edition, edition_id, with_for_update=True, populate_existing=True)
    if edition is None:
        raise AuthoringError("no_module")
    if edition.status != status:
        raise AuthoringError("not_a_draft" if status == "draft" else "not_in_review")
    return edition
