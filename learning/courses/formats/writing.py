"""Writes a ModuleSpec as a module folder in the content/ format (the inverse of content.read_module).

Pure: no database, no Flask.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from learning.courses.formats.spec import LANGS, ModuleSpec, QuestionSpec


def write_module(spec: ModuleSpec, folder: Path) -> None:
    """Writes a module in the documented format (the inverse of read_module)."""
    folder = Path(folder)
    (folder / "sections").mkdir(parents=True, exist_ok=True)
    meta = {
        "slug": spec.slug,
        "edition": spec.edition_label,
        "title": spec.title,
        "summary": spec.summary,
        "minutes": spec.minutes,
        "pass_mark": spec.pass_mark,
        "draw": spec.draw,
    }
    if spec.tags:
        meta["tags"] = spec.tags
    if spec.min_read_seconds:
        meta["min_read_seconds"] = spec.min_read_seconds
    if spec.sources:
        meta["sources"] = [{**s.text, **({"url": s.url} if s.url else {})} for s in spec.sources]
    (folder / "module.yaml").write_text(_dump(meta), encoding="utf-8")
    for section in spec.sections:
        for lang in LANGS:
            path = folder / "sections" / f"{section.position:02d}-section.{lang}.md"
            path.write_text(f"# {section.title[lang]}\n\n{section.body[lang]}\n", encoding="utf-8")
    (folder / "questions.yaml").write_text(_dump([_question_data(q) for q in spec.questions]), encoding="utf-8")
    if spec.images:
        (folder / "images").mkdir(exist_ok=True)
        for name, data in spec.images.items():
            (folder / "images" / name).write_bytes(data)


def _question_data(question: QuestionSpec) -> dict:
    data = {"id": question.key, "kind": question.kind, "prompt": question.prompt, "explanation": question.explanation}
    if question.tags:
        data["tags"] = question.tags
    if question.kind == "truefalse":
        true_choice, false_choice = question.choices
        data["answer"] = true_choice.correct
        data["feedback"] = (false_choice if true_choice.correct else true_choice).feedback
    else:
        data["choices"] = [
            {"text": c.text, "correct": c.correct, **({"feedback": c.feedback} if c.feedback else {})}
            for c in question.choices
        ]
    return data


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so exported files stay readable and diffable."""


_BlockDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None),
)


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=1000)
