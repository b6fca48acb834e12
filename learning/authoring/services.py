"""Trainer authoring: draft editions written in the browser, reviewed by a second trainer, then published.

A module has at most one edition in the works (status draft or review). Every change is a whole new
content of the draft (a ModuleSpec) saved against the revision it was loaded at: a save naming an older
revision is refused (optimistic locking), so two trainers never overwrite each other unknowingly. The
draft's last editor may not approve it (four eyes). Published editions are never changed; publishing
retires the previous one. Every step is audited. Pure of Flask.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import Entry, record
from learning.courses.formats import gift, gift_parse
from learning.courses.formats.spec import IMAGE_REFERENCE, LANGS, MAX_IMAGE_BYTES, SLUG_RE, ModuleSpec, QuestionSpec
from learning.courses.models import Choice, Edition, Module, ModuleImage, Question, Section
from learning.courses.services import edition_fields, spec_from_edition, write_content
from learning.courses.signals import edition_published
from learning.errors import DomainError

IN_THE_WORKS = ("draft", "review")
MAX_CHOICES = 6


class AuthoringError(DomainError):
    """A refused authoring step; `code` names it for the message shown (authoring/messages.py)."""


@dataclass(frozen=True)
class Finding:
    """Something that keeps a draft from review: `code`, and where (section or question number, language)."""

    code: str
    section: int | None = None
    question: int | None = None
    language: str | None = None
    name: str | None = None  # the image a section refers to that the module does not hold


def in_the_works(session: Session, module_id: int) -> Edition | None:
    return session.scalar(select(Edition).where(Edition.module_id == module_id, Edition.status.in_(IN_THE_WORKS)))


def new_module(session: Session, slug: str, title: dict[str, str], actor_id: int) -> Edition:
    """A new module with an empty first draft."""
    if not SLUG_RE.match(slug or "") or len(slug) > 60:
        raise AuthoringError("bad_slug")
    if session.scalar(select(Module.id).where(Module.slug == slug)):
        raise AuthoringError("slug_taken")
    now = clock.now()
    module = Module(slug=slug, created_at=now)
    session.add(module)
    session.flush()
    # Labelled with the fiscal year (年度) it is written in, as the shipped modules are; the trainer may change it.
    label = str(clock.tokyo_date(clock.fiscal_year_start(clock.now())).year)
    spec = ModuleSpec(slug, label, dict(title), {lang: "" for lang in LANGS}, 15, 80, 5)
    edition = _new_edition(session, module.id, 1, spec, actor_id)
    record(session, "module_created", actor_id=actor_id, target=("module", module.id), details={"slug": slug})
    return edition


def start_draft(session: Session, module_id: int, actor_id: int) -> Edition:
    """The module's edition in the works, or a new draft copied from its newest edition."""
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


def findings(spec: ModuleSpec) -> list[Finding]:
    """What keeps the draft from review: every text in both languages, sound questions, enough of them."""
    found: list[Finding] = []
    for lang in LANGS:
        if not spec.title[lang].strip():
            found.append(Finding("missing_title", language=lang))
        if not spec.summary[lang].strip():
            found.append(Finding("missing_summary", language=lang))
    if not spec.sections:
        found.append(Finding("no_sections"))
    for number, section in enumerate(spec.sections, 1):
        for lang in LANGS:
            if not section.title[lang].strip() or not section.body[lang].strip():
                found.append(Finding("missing_section_text", section=number, language=lang))
            for name in IMAGE_REFERENCE.findall(section.body[lang]):
                if name not in spec.images:
                    found.append(Finding("missing_image", section=number, language=lang, name=name))
    for number, question in enumerate(spec.questions, 1):
        found.extend(_question_findings(question, number))
    if len(spec.questions) < spec.draw:
        found.append(Finding("too_few_questions"))
    return found


def _question_findings(question: QuestionSpec, number: int) -> list[Finding]:
    found = []
    for lang in LANGS:
        texts = [question.prompt[lang], question.explanation[lang]] + [c.text[lang] for c in question.choices]
        # A wrong answer explains why it is wrong (as in the content format).
        texts += [(c.feedback or {}).get(lang, "") for c in question.choices if not c.correct]
        if any(not t.strip() for t in texts):
            found.append(Finding("missing_question_text", question=number, language=lang))
    return found + question_problems(question, number)


def question_problems(question: QuestionSpec, number: int) -> list[Finding]:
    """What makes a question unanswerable as written (the editor refuses to save these)."""
    found = []
    right = sum(c.correct for c in question.choices)
    if not 2 <= len(question.choices) <= MAX_CHOICES:
        found.append(Finding("choice_count", question=number))
    elif question.kind in ("single", "truefalse") and right != 1:
        found.append(Finding("single_needs_one", question=number))
    elif question.kind == "multiple" and right < 1:
        found.append(Finding("multiple_needs_one", question=number))
    return found


def submit(session: Session, edition_id: int, revision: int, actor_id: int, change_note: str, substantive: bool):
    """Sends a complete draft to review; refused with the findings when anything is missing."""
    edition = _edition(session, edition_id, "draft")
    if edition.revision != revision:
        raise AuthoringError("conflict", editor_id=edition.edited_by_id)
    problems = findings(spec_from_edition(session, edition))
    if problems:
        raise AuthoringError("incomplete", findings=problems)
    edition.status, edition.submitted_by_id = "review", actor_id
    edition.change_note, edition.substantive, edition.review_note = change_note.strip(), substantive, None
    edition.revision += 1
    record(
        session,
        "draft_submitted",
        actor_id=actor_id,
        target=("edition", edition.id),
        details={"substantive": substantive},
    )
    return edition


def send_back(session: Session, edition_id: int, actor_id: int, comments: str) -> Edition:
    """Returns a draft in review to its authors with the reviewer's comments."""
    if not comments.strip():
        raise AuthoringError("comments_required")
    edition = _edition(session, edition_id, "review")
    edition.status, edition.review_note, edition.reviewed_by_id = "draft", comments.strip(), actor_id
    edition.revision += 1
    record(session, "draft_sent_back", actor_id=actor_id, target=("edition", edition.id))
    return edition


def is_own_draft(edition: Edition, actor_id: int) -> bool:
    """Four eyes: the draft's last editor and its submitter may not approve it."""
    return actor_id in (edition.edited_by_id, edition.submitted_by_id)


def approve(session: Session, edition_id: int, actor_id: int) -> tuple[Edition, Edition | None]:
    """Publishes a reviewed draft and retires the edition it replaces; returns (new, replaced).

    The last editor of the draft may not approve it: refused and audited.
    """
    edition = _edition(session, edition_id, "review")
    if is_own_draft(edition, actor_id):
        entry = Entry("draft_approved", actor_id, target=("edition", edition.id), outcome="denied")
        raise AuthoringError("own_draft", audit=entry)
    replaced = session.scalar(
        select(Edition).where(Edition.module_id == edition.module_id, Edition.status == "published")
    )
    if replaced is not None:
        replaced.status = "retired"
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
    return edition, replaced


def _edition(session: Session, edition_id: int, status: str) -> Edition:
    edition = session.get(Edition, edition_id, with_for_update=True)
    if edition is None:
        raise AuthoringError("no_module")
    if edition.status != status:
        raise AuthoringError("not_a_draft" if status == "draft" else "not_in_review")
    return edition


def image_type(name: str, data: bytes) -> str:
    """The content type of an uploaded image, checked by its bytes; SVG is refused (it can carry script)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise AuthoringError("image_too_large")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    raise AuthoringError("image_type", guessed=mimetypes.guess_type(name)[0] or "")


def with_question(spec: ModuleSpec, index: int | None, question: QuestionSpec) -> ModuleSpec:
    """The spec with question `index` (0-based) replaced, or `question` appended when index is None."""
    questions = list(spec.questions)
    if index is None:
        questions.append(question)
    else:
        questions[index] = question
    return replace(spec, questions=questions)


def import_gift(session: Session, slug: str, text: str, language: str, actor_id: int | None):
    """Adds the questions of a GIFT file (written in `language`) to the module's draft, creating the module
    when it does not exist. Syntax errors: AuthoringError("gift_errors") and nothing written. Question
    types the product lacks are left out and reported in the result's `skipped`, by line."""
    result = gift_parse.parse(text)
    if result.errors:
        raise AuthoringError("gift_errors", result=result)
    module = session.scalar(select(Module).where(Module.slug == slug))
    if module is None:
        draft = new_module(session, slug, {lang: slug if lang == language else "" for lang in LANGS}, actor_id)
    else:
        draft = start_draft(session, module.id, actor_id)
    spec = spec_from_edition(session, draft)
    added = gift.to_specs(result.questions, language, {q.key for q in spec.questions})
    draft = save_draft(session, draft.id, draft.revision, replace(spec, questions=spec.questions + added), actor_id)
    record(
        session,
        "gift_imported",
        actor_id=actor_id,
        target=("edition", draft.id),
        details={"language": language, "questions": len(added), "skipped": len(result.skipped)},
    )
    return draft, added, result


def draft_from_spec(session: Session, spec: ModuleSpec, actor_id: int, source: str) -> Edition:
    """A module folder (an uploaded zip) as a new draft, of a new module or of an existing one. Refused
    while the module has a draft in the works, so nobody's unsent work is replaced."""
    module = session.scalar(select(Module).where(Module.slug == spec.slug))
    if module is None:
        draft = new_module(session, spec.slug, spec.title, actor_id)
    elif in_the_works(session, module.id) is not None:
        raise AuthoringError("in_the_works")
    else:
        draft = start_draft(session, module.id, actor_id)
    draft = save_draft(session, draft.id, draft.revision, spec, actor_id)
    record(session, "module_uploaded", actor_id=actor_id, target=("edition", draft.id), details={"source": source})
    return draft
