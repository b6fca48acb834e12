"""What the authoring pages share: loading an edition, running one authoring step with its message, the
names of who worked on a draft, and form text as stored. A helper module, not a view module."""

from __future__ import annotations

from flask import abort, flash
from flask_login import current_user
from sqlalchemy import select

from learning.accounts.models import User
from learning.authoring import checks
from learning.authoring import services as authoring
from learning.authoring.completeness import Finding
from learning.authoring.messages import (
    ANOTHER_TRAINER,
    AT_LINE,
    AT_QUESTION,
    AT_SECTION,
    FINDINGS,
    GIFT,
    LANGUAGE,
    OTHER_QUESTION,
)
from learning.authoring.services import AuthoringError
from learning.courses.formats.reader import KNOWN_TERMS
from learning.courses.models import Edition
from learning.web import db, refuse, translated


def get_edition(edition_id: int) -> Edition:
    edition = db().get(Edition, edition_id)
    if edition is None:
        abort(404)
    return edition


def refused(error: AuthoringError) -> str:
    """Refuses the request (web.refuse: nothing kept, the refusal's audit entry written) and returns its
    message in the user's language, naming the other trainer on a conflict."""
    if error.code == "conflict":
        editor = db().get(User, error.params["editor_id"]) if error.params.get("editor_id") else None
        error.params["name"] = editor.name if editor else translated(ANOTHER_TRAINER)
    return refuse(error)


def finding_text(finding: Finding) -> str:
    """What keeps a draft from review, in the user's language."""
    number = finding.section if finding.section is not None else finding.question
    language = translated(LANGUAGE[finding.language]) if finding.language else ""
    params = {"number": number or 0, "language": language, "name": finding.name, "terms": KNOWN_TERMS}
    return translated(FINDINGS[finding.code], params)


def warning_text(finding) -> str:
    """An assessment warning about a draft (courses/formats/assessment.py), in the user's language, after the
    question or section it concerns."""
    params = dict(finding.params)
    if finding.language:
        params["language"] = translated(LANGUAGE[finding.language])
    if finding.other:
        params["other"] = translated(OTHER_QUESTION, {"id": params.get("other_id", ""), "slug": finding.other[0]})
    message = translated(finding.message, params)
    message = message[:1].upper() + message[1:]  # the file check's messages start in lower case, after file:line
    if finding.question is not None:
        return translated(AT_QUESTION, {"number": finding.question, "message": message})
    if finding.section is not None:
        return translated(AT_SECTION, {"number": finding.section, "message": message})
    return message


def warnings_of(module_id: int, spec) -> list[str]:
    """A draft's assessment warnings in the user's language, for the editor and the review page."""
    return [warning_text(f) for f in checks.draft_warnings(db(), module_id, spec)]


def content_problem_text(problem) -> str:
    """A module folder's problem in the user's language, after the file and line it names."""
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return f"{where}: {translated(problem.message, problem.params)}"


def gift_text(problem) -> str:
    """One GIFT problem with its line: "Line 12: …"."""
    message = translated(AT_LINE, {"line": problem.line, "message": translated(GIFT[problem.code])})
    return f"{message} ({problem.detail})" if problem.detail else message


def saved(step, success: str | None = None) -> bool:
    """Runs one authoring step in the request's transaction and says `success`, or says why it was refused
    (a stale revision names the other trainer) and keeps nothing of it. The pipeline commits."""
    try:
        step()
    except AuthoringError as error:
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
