"""Trainer authoring, the drafts: a new module, a draft started from the newest edition, a draft saved.

A module has at most one edition in the works (status draft or review): the database holds it
(uq_editions_in_the_works), and starting a draft takes the module's row lock first, so that of two at
once the second waits, finds the first's draft and opens it. Every change is a whole new content of the
draft (a ModuleSpec) saved against the revision it was loaded at: a save naming an older revision is
refused (optimistic locking), so two trainers never overwrite each other unknowingly. What a
draft still lacks is completeness.py; review, four eyes and publishing are review.py; drafts from files
(GIFT banks, module zips) and image uploads are imports.py. Every step is audited. Pure of Flask.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import record
from learning.authoring.messages import ERRORS
from learning.courses.formats.spec import LANGS, SLUG_RE, ModuleSpec, QuestionSpec
from learning.courses.models import Choice, Edition, Module, ModuleImage, Question, Section
from learning.courses.services import edition_fields, lock_module, spec_from_edition, write_content
from learning.errors import DomainError

IN_THE_WORKS = ("draft", "review")


class AuthoringError(DomainError):
    """A refused authoring step; `code` names it for the message shown (authoring/messages.py)."""

    messages = ERRORS


def in_the_works(session: Session, module_id: int) -> Edition | None:
    return session.scalar(select(Edition).where(Edition.module_id == module_id, Edition.status.in_(IN_THE_WORKS)))


def new_module(session: Session, slug: str, title: dict[str, str], actor_id: int) -> Edition:
    """A new module with an empty first draft."""
    if not SLUG_RE.match(slug or "") or len(slug) > 60:
        raise AuthoringError("bad_slug")
    if session.scalar(select(Module.id).where(Module.slug == slug)):
        raise AuthoringError("slug_taken")
    now = clock.now()
    # The same ID created at the same moment by someone else: theirs stands, this one is refused as taken.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    module_id = session.scalar(
        dialect.insert(Module)
        .values(slug=slug, created_at=now)
        .on_conflict_do_nothing(index_elements=["slug"])
        .returning(Module.id)
    )
    if module_id is None:
        raise AuthoringError("slug_taken")
    # Labelled with the fiscal year (年度) it is written in, as the shipped modules are; the trainer may change it.
    label = str(clock.tokyo_date(clock.fiscal_year_start(clock.now())).year)
    spec = ModuleSpec(slug, label, dict(title), {lang: "" for lang in LANGS}, 15, 80, 5)
    edition = _new_edition(session, module_id, 1, spec, actor_id)
    record(session, "module_created", actor_id=actor_id, target=("module", module_id), details={"slug": slug})
    return edition


def start_draft(session: Session, module_id: int, actor_id: int) -> Edition:
    """The module's edition in the works, or a new draft copied from its newest edition."""
    lock_module(session, module_id)
    existing = in_the_works(session, module_id)
    if existing is not None:
        return existing
    newest = session.scalar(select(Edition).where(Edition.module_id == module_id).order_by(Edition.version.desc()))
    if newest is None:
        raise AuthoringError("no_module")
    spec = spec_from_edition(session, newest)
    edition = _new_edition(session, module_id, newest.version + 1, spec, actor_id)
    record(session, "draft_started", actor_id=actor_id, target=("edition", edition.id), details={"from": newest.id})
    return edition


def _new_edition(session: Session, module_id: int, version: int, spec: ModuleSpec, actor_id: int) -> Edition:
    now = clock.now()
    edition = Edition(
        module_id=module_id,
        version=version,
        status="draft",
        **edition_fields(spec),
        content_hash="",
        created_at=now,
        revision=1,
        edited_by_id=actor_id,
        edited_at=now,
    )
    session.add(edition)
    session.flush()
    write_content(session, edition, spec)
    return edition


def save_draft(session: Session, edition_id: int, revision: int, spec: ModuleSpec, actor_id: int) -> Edition:
    """Replaces the draft's content with `spec`; refused when the draft moved on since `revision`."""
    claimed = session.execute(
        update(Edition)
        .where(Edition.id == edition_id, Edition.revision == revision, Edition.status == "draft")
        .values(
            revision=Edition.revision + 1,
            edited_by_id=actor_id,
            edited_at=clock.now(),
            **edition_fields(spec),
        )
    )
    if claimed.rowcount != 1:
        edition = session.get(Edition, edition_id)
        if edition is None or edition.status != "draft":
            raise AuthoringError("not_a_draft")
        raise AuthoringError("conflict", editor_id=edition.edited_by_id)
    edition = session.get(Edition, edition_id)
    session.refresh(edition)
    session.execute(
        delete(Choice).where(Choice.question_id.in_(select(Question.id).where(Question.edition_id == edition_id)))
    )
    session.execute(delete(Question).where(Question.edition_id == edition_id))
    session.execute(delete(Section).where(Section.edition_id == edition_id))
    session.execute(delete(ModuleImage).where(ModuleImage.edition_id == edition_id))
    write_content(session, edition, spec)
    session.expire(edition, ["sections", "questions"])
    record(
        session, "draft_saved", actor_id=actor_id, target=("edition", edition_id), details={"revision": revision + 1}
    )
    return edition


def with_question(spec: ModuleSpec, index: int | None, question: QuestionSpec) -> ModuleSpec:
    """The spec with question `index` (0-based) replaced, or `question` appended when index is None."""
    questions = list(spec.questions)
    if index is None:
        questions.append(question)
    else:
        questions[index] = question
    return replace(spec, questions=questions)
