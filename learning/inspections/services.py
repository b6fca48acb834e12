"""Checklist templates and their versions: a new template, drafts edited item by item, review with four eyes,
publishing; the shipped templates imported from their files. Every step is audited, in the caller's
transaction (never committed here). Pure of Flask.

Every step that adds a version or changes one's status takes the template's row lock first
(`lock_template`), so that of two at once the second reads what the first did; the database holds one
version in the works and one published per template (partial unique indexes) and four eyes (a CHECK).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import Entry, record
from learning.courses.formats.reader import KNOWN_TERMS
from learning.courses.formats.spec import SLUG_RE
from learning.courses.markdown import removed_markup
from learning.courses.terms import unknown_terms
from learning.errors import DomainError
from learning.inspections import messages
from learning.inspections.formats import MAX_GUIDANCE, MAX_ITEMS, MAX_TEXT, MAX_TITLE, ItemSpec, TemplateSpec
from learning.inspections.models import InspectionItem, InspectionTemplate, InspectionVersion

LANGS = ("ja", "en")


class InspectionError(DomainError):
    messages = messages.MESSAGES


@dataclass(frozen=True)
class ImportOutcome:
    slug: str
    result: str  # created, updated, unchanged, kept (a reviewed version, on the first run)
    version: int


def lock_template(session: Session, template_id: int) -> None:
    """The template's row lock until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    session.execute(select(InspectionTemplate.id).where(InspectionTemplate.id == template_id).with_for_update())


def in_the_works(session: Session, template_id: int) -> InspectionVersion | None:
    return session.scalar(
        select(InspectionVersion).where(
            InspectionVersion.template_id == template_id, InspectionVersion.status.in_(("draft", "review"))
        )
    )


def published(session: Session, template_id: int) -> InspectionVersion | None:
    return session.scalar(
        select(InspectionVersion).where(
            InspectionVersion.template_id == template_id, InspectionVersion.status == "published"
        )
    )


def overview(session: Session) -> list[tuple[InspectionTemplate, InspectionVersion | None, InspectionVersion | None]]:
    """Every template with its published version and its version in the works (either may be None)."""
    templates = list(session.scalars(select(InspectionTemplate).order_by(InspectionTemplate.slug)))
    versions = session.scalars(
        select(InspectionVersion).where(InspectionVersion.status.in_(("draft", "review", "published")))
    ).all()
    by = {(v.template_id, v.status in ("draft", "review")): v for v in versions}
    return [(t, by.get((t.id, False)), by.get((t.id, True))) for t in templates]


def versions_of(session: Session, template_id: int) -> list[InspectionVersion]:
    return list(
        session.scalars(
            select(InspectionVersion)
            .where(InspectionVersion.template_id == template_id)
            .order_by(InspectionVersion.version.desc())
        )
    )


# Checking what a person typed -------------------------------------------------------------------------


def _texts(texts: dict[str, str], code: str, field: str, limit: int, required: bool = True) -> dict[str, str]:
    # A browser's text area sends CRLF: kept as LF, as the files have it (else every save looks like a change).
    cleaned = {lang: (texts.get(lang) or "").replace("\r\n", "\n").strip() for lang in LANGS}
    if required and not all(cleaned.values()):
        raise InspectionError(code, field=field)
    for lang, text in cleaned.items():
        if len(text) > limit:
            raise InspectionError("too_long", field=f"{field}_{lang}", n=limit)
        unknown = unknown_terms(text)
        if unknown:
            raise InspectionError("unknown_term", field=f"{field}_{lang}", term=unknown[0], known=KNOWN_TERMS)
    return cleaned


def _markdown(texts: dict[str, str], field: str) -> dict[str, str]:
    for lang, text in texts.items():
        if text and removed_markup(text):
            raise InspectionError("markup", field=f"{field}_{lang}")
    return texts


@dataclass(frozen=True)
class ItemInput:
    text: dict[str, str]
    guidance: dict[str, str]
    evidence: bool
    source: str = ""


def _checked_item(item: ItemInput) -> ItemInput:
    text = _texts(item.text, "text_required", "text", MAX_TEXT)
    guidance = _markdown(_texts(item.guidance, "text_required", "guidance", MAX_GUIDANCE, required=False), "guidance")
    if len(item.source) > MAX_TEXT:
        raise InspectionError("too_long", field="source", n=MAX_TEXT)
    return ItemInput(text, guidance, bool(item.evidence), item.source.replace("\r\n", "\n").strip())


# Templates and drafts ---------------------------------------------------------------------------------


def new_template(session: Session, slug: str, title: dict[str, str], actor_id: int) -> InspectionVersion:
    """A new checklist and its first draft (no items yet)."""
    slug = slug.strip()
    if not SLUG_RE.match(slug) or len(slug) > 60:
        raise InspectionError("slug", field="slug")
    title = _texts(title, "title_required", "title", MAX_TITLE)
    if session.scalar(select(InspectionTemplate.id).where(InspectionTemplate.slug == slug)) is not None:
        raise InspectionError("slug_taken", field="slug")
    now = clock.now()
    template = InspectionTemplate(slug=slug, created_at=now)
    session.add(template)
    session.flush()
    version = _version(template.id, 1, "draft", title, {"ja": "", "en": ""}, now)
    version.edited_by_id, version.edited_at = actor_id, now
    session.add(version)
    session.flush()
    record(
        session,
        "inspection_template_created",
        actor_id=actor_id,
        target=("inspection_template", template.id),
        details={"slug": slug},
    )
    return version


def _version(template_id: int, number: int, status: str, title: dict, intro: dict, now) -> InspectionVersion:
    return InspectionVersion(
        template_id=template_id,
        version=number,
        status=status,
        title_ja=title["ja"],
        title_en=title["en"],
        intro_ja=intro.get("ja", ""),
        intro_en=intro.get("en", ""),
        created_at=now,
    )


def _next_number(session: Session, template_id: int) -> int:
    newest = session.scalar(
        select(func.max(InspectionVersion.version)).where(InspectionVersion.template_id == template_id)
    )
    return (newest or 0) + 1


def start_draft(session: Session, template_id: int, actor_id: int) -> InspectionVersion:
    """A draft copied from the published version; the draft already in the works if there is one."""
    lock_template(session, template_id)
    if session.get(InspectionTemplate, template_id) is None:
        raise InspectionError("no_template")
    existing = in_the_works(session, template_id)
    if existing is not None:
        return existing
    base = published(session, template_id)
    if base is None:
        raise InspectionError("no_published")
    now = clock.now()
    draft = _version(template_id, _next_number(session, template_id), "draft", base.titles, base.intros, now)
    draft.edited_by_id, draft.edited_at = actor_id, now
    session.add(draft)
    session.flush()
    for item in base.items:
        session.add(_item_row(draft.id, item.position, item.key, _input_of(item)))
    session.flush()
    session.refresh(draft)
    record(
        session,
        "inspection_draft_started",
        actor_id=actor_id,
        target=("inspection_version", draft.id),
        details={"from": base.id},
    )
    return draft


def _input_of(item: InspectionItem) -> ItemInput:
    return ItemInput(item.texts, item.guidances, item.evidence_required, item.source)


def _item_row(version_id: int, position: int, key: str, item: ItemInput) -> InspectionItem:
    return InspectionItem(
        version_id=version_id,
        position=position,
        key=key,
        text_ja=item.text["ja"],
        text_en=item.text["en"],
        guidance_ja=item.guidance.get("ja", ""),
        guidance_en=item.guidance.get("en", ""),
        evidence_required=item.evidence,
        source=item.source,
    )


def draft(session: Session, version_id: int, status: str = "draft") -> InspectionVersion:
    """The version under its row lock, refused unless it has `status` (read again: the page loaded it before)."""
    version = session.get(InspectionVersion, version_id, with_for_update=True, populate_existing=True)
    if version is None:
        raise InspectionError("no_template")
    if version.status != status:
        raise InspectionError("not_a_draft" if status == "draft" else "not_in_review")
    return version


def _edited(session: Session, version: InspectionVersion, actor_id: int, change: str, **details) -> None:
    version.edited_by_id, version.edited_at = actor_id, clock.now()
    session.flush()
    session.expire(version, ["items"])
    record(
        session,
        "inspection_draft_edited",
        actor_id=actor_id,
        target=("inspection_version", version.id),
        details={"change": change, **details},
    )


def save_header(
    session: Session, version_id: int, title: dict[str, str], intro: dict[str, str], actor_id: int
) -> InspectionVersion:
    version = draft(session, version_id)
    title = _texts(title, "title_required", "title", MAX_TITLE)
    intro = _markdown(_texts(intro, "title_required", "intro", MAX_GUIDANCE, required=False), "intro")
    version.title_ja, version.title_en = title["ja"], title["en"]
    version.intro_ja, version.intro_en = intro["ja"], intro["en"]
    _edited(session, version, actor_id, "header")
    return version


def add_item(session: Session, version_id: int, item: ItemInput, actor_id: int) -> InspectionItem:
    version = draft(session, version_id)
    item = _checked_item(item)
    if len(version.items) >= MAX_ITEMS:
        raise InspectionError("too_many_items", n=MAX_ITEMS)
    keys = {i.key for i in version.items}
    number = len(version.items) + 1
    while f"item-{number}" in keys:
        number += 1
    row = _item_row(version.id, len(version.items) + 1, f"item-{number}", item)
    session.add(row)
    _edited(session, version, actor_id, "item_added", item=row.key)
    return row


def _item(version: InspectionVersion, item_id: int) -> InspectionItem:
    found = next((i for i in version.items if i.id == item_id), None)
    if found is None:
        raise InspectionError("no_item")
    return found


def update_item(session: Session, version_id: int, item_id: int, item: ItemInput, actor_id: int) -> InspectionItem:
    version = draft(session, version_id)
    row = _item(version, item_id)
    item = _checked_item(item)
    row.text_ja, row.text_en = item.text["ja"], item.text["en"]
    row.guidance_ja, row.guidance_en = item.guidance["ja"], item.guidance["en"]
    row.evidence_required, row.source = item.evidence, item.source
    _edited(session, version, actor_id, "item_changed", item=row.key)
    return row


def _renumber(session: Session, items: list[InspectionItem]) -> None:
    """Positions 1..n in the given order; through negative ones, so that (version, position) stays unique."""
    for number, item in enumerate(items, 1):
        item.position = -number
    session.flush()
    for number, item in enumerate(items, 1):
        item.position = number
    session.flush()


def move_item(session: Session, version_id: int, item_id: int, step: int, actor_id: int) -> None:
    """Moves an item one place up (step -1) or down (+1); at either end nothing moves."""
    version = draft(session, version_id)
    items = list(version.items)
    row = _item(version, item_id)
    index = items.index(row)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        _renumber(session, items)
    _edited(session, version, actor_id, "item_moved", item=row.key)


def remove_item(session: Session, version_id: int, item_id: int, actor_id: int) -> None:
    version = draft(session, version_id)
    row = _item(version, item_id)
    rest = [i for i in version.items if i.id != row.id]
    session.delete(row)
    session.flush()
    _renumber(session, rest)
    _edited(session, version, actor_id, "item_removed", item=row.key)


# Review and publishing --------------------------------------------------------------------------------


def submit(session: Session, version_id: int, actor_id: int) -> InspectionVersion:
    template_id = session.scalar(select(InspectionVersion.template_id).where(InspectionVersion.id == version_id))
    if template_id is not None:
        lock_template(session, template_id)
    version = draft(session, version_id)
    if not version.items:
        raise InspectionError("no_items")
    version.status, version.submitted_by_id, version.submitted_at = "review", actor_id, clock.now()
    version.review_note = None
    record(session, "inspection_submitted", actor_id=actor_id, target=("inspection_version", version.id))
    return version


def is_own(version: InspectionVersion, actor_id: int) -> bool:
    """Four eyes: the version's last editor and its submitter may not approve it."""
    return actor_id in (version.edited_by_id, version.submitted_by_id)


def send_back(session: Session, version_id: int, actor_id: int, comments: str) -> InspectionVersion:
    if not comments.strip():
        raise InspectionError("comments_required", field="comments")
    template_id = session.scalar(select(InspectionVersion.template_id).where(InspectionVersion.id == version_id))
    if template_id is not None:
        lock_template(session, template_id)
    version = draft(session, version_id, "review")
    version.status, version.review_note = "draft", comments.strip()
    record(session, "inspection_sent_back", actor_id=actor_id, target=("inspection_version", version.id))
    return version


def approve(session: Session, version_id: int, actor_id: int) -> tuple[InspectionVersion, InspectionVersion | None]:
    """Publishes a version in review and retires the one it replaces (retired first: one published at every
    statement); refused and audited when the approver edited or submitted it."""
    template_id = session.scalar(select(InspectionVersion.template_id).where(InspectionVersion.id == version_id))
    if template_id is not None:
        lock_template(session, template_id)
    version = draft(session, version_id, "review")
    if is_own(version, actor_id):
        entry = Entry("inspection_published", actor_id, target=("inspection_version", version.id), outcome="denied")
        raise InspectionError("own_version", audit=entry)
    replaced = published(session, version.template_id)
    if replaced is not None:
        replaced.status = "retired"
        session.flush()
    version.content_hash = spec_of(version).content_hash()
    version.status, version.approved_by_id, version.published_at = "published", actor_id, clock.now()
    session.flush()
    record(
        session,
        "inspection_published",
        actor_id=actor_id,
        target=("inspection_version", version.id),
        details={"replaces": replaced.id if replaced else None},
    )
    return version, replaced


# The shipped templates --------------------------------------------------------------------------------


def spec_of(version: InspectionVersion) -> TemplateSpec:
    items = tuple(
        ItemSpec(i.key, i.texts, i.guidances, i.evidence_required, i.source)
        for i in sorted(version.items, key=lambda i: i.position)
    )
    return TemplateSpec(version.template.slug, version.titles, version.intros, items)


def import_templates(
    session: Session, specs: list[TemplateSpec], actor_id: int | None = None, keep_reviewed: bool = False
) -> list[ImportOutcome]:
    """Each file's template published as it says (the shipped content is reviewed in the repository): created,
    updated (a new version, the old one retired) or unchanged. With `keep_reviewed` (the first run, at every
    start), a template whose published version came through compliance's review is kept: the shipped file must
    not undo their work. A version in the works stays as it is."""
    outcomes = [_import_one(session, spec, keep_reviewed) for spec in specs]
    changed = [o for o in outcomes if o.result in ("created", "updated")]
    if changed:
        record(
            session,
            "inspection_templates_imported",
            actor_id=actor_id,
            details={"changed": {o.slug: f"{o.result} v{o.version}" for o in changed}},
        )
    return outcomes


def _import_one(session: Session, spec: TemplateSpec, keep_reviewed: bool) -> ImportOutcome:
    now = clock.now()
    template = session.scalar(select(InspectionTemplate).where(InspectionTemplate.slug == spec.slug).with_for_update())
    created = template is None
    if created:
        template = InspectionTemplate(slug=spec.slug, created_at=now)
        session.add(template)
        session.flush()
    current = published(session, template.id)
    digest = spec.content_hash()
    if current is not None and current.content_hash == digest:
        return ImportOutcome(spec.slug, "unchanged", current.version)
    if current is not None and keep_reviewed and current.approved_by_id is not None:
        return ImportOutcome(spec.slug, "kept", current.version)
    if current is not None:
        current.status = "retired"
        session.flush()
    version = _version(template.id, _next_number(session, template.id), "published", spec.title, spec.intro, now)
    version.content_hash, version.published_at = digest, now
    session.add(version)
    session.flush()
    for position, item in enumerate(spec.items, 1):
        session.add(
            _item_row(version.id, position, item.key, ItemInput(item.text, item.guidance, item.evidence, item.source))
        )
    session.flush()
    return ImportOutcome(spec.slug, "created" if created else "updated", version.version)
