"""What comes into authoring from files: a GIFT bank added to a module's draft, a module folder (an uploaded
zip) as a new draft, an uploaded image checked by its bytes. Audited. Pure of Flask.
"""

from __future__ import annotations

import mimetypes
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.audit.services import record
from learning.authoring.services import AuthoringError, in_the_works, new_module, save_draft, start_draft
from learning.courses.formats import gift, gift_parse
from learning.courses.formats.spec import LANGS, MAX_IMAGE_BYTES, ModuleSpec
from learning.courses.models import Edition, Module
from learning.courses.services import lock_module, spec_from_edition


def image_type(name: str, data: bytes) -> str:
    """The content type of an uploaded image, checked by its bytes; SVG is refused (it can carry script)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise AuthoringError("image_too_large")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    raise AuthoringError("image_type", guessed=mimetypes.guess_type(name)[0] or "")


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
    if module is not None:
        lock_module(session, module.id)  # so that of two uploads at once the second sees the first's draft
    if module is None:
        draft = new_module(session, spec.slug, spec.title, actor_id)
    elif in_the_works(session, module.id) is not None:
        raise AuthoringError("in_the_works")
    else:
        draft = start_draft(session, module.id, actor_id)
    draft = save_draft(session, draft.id, draft.revision, spec, actor_id)
    record(session, "module_uploaded", actor_id=actor_id, target=("edition", draft.id), details={"source": source})
    return draft
