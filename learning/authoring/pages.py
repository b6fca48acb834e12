"""What the authoring pages share: loading an edition, running one authoring step with its message, the
names of who worked on a draft, and form text as stored. A helper module, not a view module."""

from __future__ import annotations

from flask import abort, flash
from flask_login import current_user
from sqlalchemy import select

from learning.accounts.models import User
from learning.authoring import services as authoring
from learning.authoring.messages import error_text
from learning.authoring.services import AuthoringError
from learning.courses.models import Edition
from learning.web import db, refuse


def get_edition(edition_id: int) -> Edition:
    edition = db().get(Edition, edition_id)
    if edition is None:
        abort(404)
    return edition


def refused(error: AuthoringError) -> str:
    """The refusal's message, naming the other trainer on a conflict."""
    if error.code == "conflict" and error.params.get("editor_id"):
        editor = db().get(User, error.params["editor_id"])
        error.params["editor_name"] = editor.name if editor else None
    return error_text(error)


def saved(step, success: str | None = None) -> bool:
    """Runs one authoring step in the request's transaction and says `success`, or says why it was refused
    (a stale revision names the other trainer) and keeps nothing of it. The pipeline commits."""
    try:
        step()
    except AuthoringError as error:
        refuse(error)
        flash(refused(error), "error")
        return False
    if success:
        flash(success, "success")
    return True


def save(edition: Edition, revision: str | None, spec) -> Edition:
    return authoring.save_draft(db(), edition.id, int(revision or 0), spec, current_user.id)


def text(value: str | None) -> str:
    """Form text as stored: browsers send CRLF, files hold LF (so hashes do not change on a resave)."""
    return (value or "").replace("\r\n", "\n")


def split_tags(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


def moved(items: list, index: int, verb: str) -> list:
    """The list with item `index` moved one place ("up", "down") or taken out ("remove", "retire")."""
    items = list(items)
    if not 0 <= index < len(items):
        return items
    if verb in ("remove", "retire"):
        del items[index]
    elif verb in ("up", "down"):
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(items):
            items[other], items[index] = items[index], items[other]
    return items


def people_of(edition: Edition) -> dict[int, str]:
    """The names of who edited, submitted and reviewed the edition, by id."""
    ids = {i for i in (edition.edited_by_id, edition.submitted_by_id, edition.reviewed_by_id) if i}
    return {user.id: user.name for user in db().scalars(select(User).where(User.id.in_(ids)))}
