"""The assessment rules on a draft, as `content check` applies them to files: section tags, the bank's cue
rules, and near-duplicate scenarios against the other modules' published editions. Warnings: they are shown
in the editor and do not keep a draft from review (completeness.py holds what does). Pure of Flask.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.courses.formats.assessment import Finding, duplicate_findings, module_findings
from learning.courses.formats.spec import ModuleSpec, QuestionSpec
from learning.courses.models import Edition, Module, Question


def draft_warnings(session: Session, module_id: int, spec: ModuleSpec) -> list[Finding]:
    """The warnings about a draft's spec; near-duplicates compare its prompts with the published banks."""
    banks = [(spec.slug, spec.questions), *published_prompts(session, module_id)]
    return module_findings(spec) + duplicate_findings(banks, only=spec.slug)


def published_prompts(session: Session, module_id: int) -> list[tuple[str, list[QuestionSpec]]]:
    """The Japanese prompts of every other module's published edition, in one statement (for similarity)."""
    rows = session.execute(
        select(Module.slug, Question.key, Question.kind, Question.prompt_ja)
        .join(Edition, Edition.module_id == Module.id)
        .join(Question, Question.edition_id == Edition.id)
        .where(Edition.status == "published", Module.id != module_id)
        .order_by(Module.slug, Question.position)
    )
    banks: dict[str, list[QuestionSpec]] = {}
    for slug, key, kind, prompt in rows:
        banks.setdefault(slug, []).append(QuestionSpec(key, kind, {"ja": prompt, "en": ""}, {}, []))
    return list(banks.items())
