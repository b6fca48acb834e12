"""Importing content files into editions, and reading editions back for learners and export."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, selectinload

from learning import clock
from learning.audit.services import record
from learning.courses import search_feed
from learning.courses.formats.spec import LANGS, ChoiceSpec, ModuleSpec, QuestionSpec, SectionSpec, SourceSpec
from learning.courses.models import Choice, Edition, Module, ModuleImage, Question, Section


@dataclass(frozen=True)
class ImportOutcome:
    slug: str
    result: str  # "created", "new_edition", "unchanged" or "kept" (published through review; see import_modules)
    version: int


def import_modules(
    session: Session, specs: list[ModuleSpec], actor_id: int | None = None, keep_reviewed: bool = False
) -> list[ImportOutcome]:
    """Loads validated modules; unchanged ones are a no-op, changed ones become a new published edition.

    Earlier editions are retired, never altered, so assignments and certificates keep what they named.
    With `keep_reviewed` (the first-run import at every start), a module whose published edition came
    through the trainers' review is left as it is: the shipped files must not undo their work.
    """
    outcomes = [_import_one(session, spec, keep_reviewed) for spec in specs]
    changed = [o for o in outcomes if o.result in ("created", "new_edition")]
    if changed:
        record(
            session,
            "content_import",
            actor_id=actor_id,
            details={"modules": {o.slug: f"{o.result} v{o.version}" for o in changed}},
        )
    return outcomes


def lock_module(session: Session, module_id: int) -> None:
    """Takes the module's row lock until the transaction ends (PostgreSQL; SQLite's writers are serialised).

    Everything that adds an edition or changes an edition's status takes it first, so that of two at once
    the second reads what the first did: one edition in the works and one published per module (the
    database's partial unique indexes refuse a second), and the next version number taken once.
    """
    session.execute(select(Module.id).where(Module.id == module_id).with_for_update())


def _import_one(session: Session, spec: ModuleSpec, keep_reviewed: bool) -> ImportOutcome:
    now = clock.now()
    module = session.scalar(select(Module).where(Module.slug == spec.slug).with_for_update())
    if module is None:
        module = Module(slug=spec.slug, created_at=now)
        session.add(module)
        session.flush()
    current = session.scalar(select(Edition).where(Edition.module_id == module.id, Edition.status == "published"))
    content_hash = spec.content_hash()
    if current is not None and current.content_hash == content_hash:
        return ImportOutcome(spec.slug, "unchanged", current.version)
    if current is not None and keep_reviewed and current.reviewed_by_id is not None:
        return ImportOutcome(spec.slug, "kept", current.version)
    # Compared with the published edition, not the newest: a trainer's draft in the works is newer.
    newest = session.scalar(select(func.max(Edition.version)).where(Edition.module_id == module.id))
    if current is not None:
        current.status = "retired"
        session.flush()  # before the new one is inserted: the unique index is checked at each statement
    version = (newest or 0) + 1
    edition = Edition(
        module_id=module.id,
        version=version,
        status="published",
        **edition_fields(spec),
        content_hash=content_hash,
        created_at=now,
        published_at=now,
    )
    session.add(edition)
    session.flush()
    write_content(session, edition, spec)
    session.expire(edition, ["sections"])
    search_feed.index_edition(session, edition)
    return ImportOutcome(spec.slug, "new_edition" if newest else "created", version)


def edition_fields(spec: ModuleSpec) -> dict:
    """The edition's own columns that a spec sets (its content goes through write_content)."""
    return {
        "label": spec.edition_label,
        "title_ja": spec.title["ja"],
        "title_en": spec.title["en"],
        "summary_ja": spec.summary["ja"],
        "summary_en": spec.summary["en"],
        "minutes": spec.minutes,
        "pass_mark": spec.pass_mark,
        "draw": spec.draw,
        "tags": ",".join(spec.tags),
        "sources": [{**s.text, "url": s.url} for s in spec.sources],
        "min_read_seconds": spec.min_read_seconds,
    }


def write_content(session: Session, edition: Edition, spec: ModuleSpec) -> None:
    """Sections, questions with their choices, and images of `spec` into the (new or emptied) edition."""
    for s in spec.sections:
        session.add(
            Section(
                edition_id=edition.id,
                position=s.position,
                title_ja=s.title["ja"],
                title_en=s.title["en"],
                body_ja=s.body["ja"],
                body_en=s.body["en"],
            )
        )
    # Questions and choices go in as two bulk INSERTs, not object by object: a 5 MB GIFT bank (about 19,000
    # questions, 57,000 choices) took 47 s flushing question by question. The questions' ids are read back by
    # position (RETURNING in parameter order would make SQLite insert row by row).
    rows = [
        {
            "edition_id": edition.id,
            "key": q.key,
            "position": position,
            "kind": q.kind,
            "prompt_ja": q.prompt["ja"],
            "prompt_en": q.prompt["en"],
            "explanation_ja": q.explanation["ja"],
            "explanation_en": q.explanation["en"],
            "tags": ",".join(q.tags),
        }
        for position, q in enumerate(spec.questions, 1)
    ]
    if rows:
        session.execute(insert(Question), rows)
        by_position = dict(
            session.execute(select(Question.position, Question.id).where(Question.edition_id == edition.id)).all()
        )
        ids = [by_position[row["position"]] for row in rows]
        choices = [
            {
                "question_id": question_id,
                "position": c_position,
                "text_ja": c.text["ja"],
                "text_en": c.text["en"],
                "correct": c.correct,
                "feedback_ja": (c.feedback or {}).get("ja"),
                "feedback_en": (c.feedback or {}).get("en"),
            }
            for question_id, q in zip(ids, spec.questions, strict=True)
            for c_position, c in enumerate(q.choices, 1)
        ]
        if choices:
            session.execute(insert(Choice), choices)
    session.expire(edition, ["questions"])  # written past the identity map: read them afresh
    for name, data in spec.images.items():
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        session.add(ModuleImage(edition_id=edition.id, name=name, content_type=content_type, data=data))
    session.flush()


def published_editions(session: Session) -> list[Edition]:
    """The current edition of every module, in the order the modules were first imported (folder order)."""
    return list(session.scalars(select(Edition).join(Module).where(Edition.status == "published").order_by(Module.id)))


def edition_image(session: Session, edition_id: int, name: str) -> ModuleImage | None:
    return session.scalar(select(ModuleImage).where(ModuleImage.edition_id == edition_id, ModuleImage.name == name))


def content_loaded():
    """Loader options that read an edition's sections, questions and their choices in one statement each,
    where going through the relationships would read the choices once per question."""
    return selectinload(Edition.sections), selectinload(Edition.questions).selectinload(Question.choices)


def with_content(session: Session, edition: Edition) -> Edition:
    """`edition` with its sections, questions and choices loaded, for a page or an export that reads them all.

    The edition is selected again with the eager loaders; SQLAlchemy fills its collections (and its
    questions' choices) on the object already in the session."""
    if edition.id is not None:  # an edition not yet flushed has nothing stored to load
        session.scalars(select(Edition).where(Edition.id == edition.id).options(*content_loaded())).all()
    return edition


def current_edition(session: Session, slug: str) -> Edition | None:
    """The module's published edition, or its newest when none is published (a module still in draft)."""
    return session.scalar(
        select(Edition)
        .join(Module)
        .where(Module.slug == slug)
        .options(*content_loaded())
        .order_by((Edition.status == "published").desc(), Edition.version.desc())
        .limit(1)
    )


def edition_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Edition))


def spec_from_edition(session: Session, edition: Edition) -> ModuleSpec:
    """The edition as a ModuleSpec, for export back to files (the round trip keeps the hash)."""
    with_content(session, edition)
    images = {
        img.name: img.data for img in session.scalars(select(ModuleImage).where(ModuleImage.edition_id == edition.id))
    }
    return ModuleSpec(
        slug=edition.module.slug,
        edition_label=edition.label,
        title=edition.titles,
        summary=edition.summaries,
        minutes=edition.minutes,
        pass_mark=edition.pass_mark,
        draw=edition.draw,
        sections=[SectionSpec(s.position, s.titles, s.bodies) for s in edition.sections],
        questions=question_specs(edition),
        images=images,
        tags=[t for t in edition.tags.split(",") if t],
        sources=source_specs(edition),
        min_read_seconds=edition.min_read_seconds,
    )


def source_specs(edition: Edition) -> list[SourceSpec]:
    return [SourceSpec({lang: s[lang] for lang in LANGS}, s.get("url")) for s in edition.sources or []]


def question_specs(edition: Edition) -> list[QuestionSpec]:
    """The edition's questions as specs (for a GIFT export: no sections, no images read). Load them with
    with_content first, or each question's choices are a statement of their own."""
    return [
        QuestionSpec(
            q.key,
            q.kind,
            q.prompts,
            q.explanations,
            [ChoiceSpec(c.texts, c.correct, c.feedbacks) for c in q.choices],
            [t for t in q.tags.split(",") if t],
        )
        for q in edition.questions
    ]
