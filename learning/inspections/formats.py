"""The file format of a checklist template (content/inspections/*.yaml) and its check.

    slug: workplace-self-inspection
    title: {ja: …, en: …}
    intro: {ja: …, en: …}          # optional, Markdown
    items:
      - key: terminal-ledger       # stays the same across versions
        text: {ja: …, en: …}
        guidance: {ja: …, en: …}   # optional, Markdown
        evidence: true             # an evidence file is required (image or PDF)
        source: "…"                # the measure of the source document the item comes from

Every problem is reported with its file and line, as `content check` reports a module's; organisation
terms (`{{grid_company}}` …) are allowed and unknown ones refused. Pure: no database, no Flask.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from learning.courses.formats.reader import LineDict, Reader
from learning.courses.formats.spec import SLUG_RE, Problem
from learning.courses.markdown import removed_markup
from learning.errors import N_

MAX_ITEMS = 60
MAX_TEXT = 2000
MAX_GUIDANCE = 8000
MAX_TITLE = 200
TEMPLATE_KEYS = {"slug", "title", "intro", "items"}
ITEM_KEYS = {"key", "text", "guidance", "evidence", "source"}


@dataclass(frozen=True)
class ItemSpec:
    key: str
    text: dict[str, str]
    guidance: dict[str, str]
    evidence: bool
    source: str


@dataclass(frozen=True)
class TemplateSpec:
    slug: str
    title: dict[str, str]
    intro: dict[str, str]
    items: tuple[ItemSpec, ...]

    def content_hash(self) -> str:
        """SHA-256 of what the version says (not its slug): an unchanged file imports as unchanged."""
        data = {"title": self.title, "intro": self.intro, "items": [asdict(i) for i in self.items]}
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def read_file(path: Path, shown_as: str | None = None) -> tuple[TemplateSpec | None, list[Problem]]:
    """One template file: its spec, or None and every problem found (file and line)."""
    reader = Reader(path.parent, shown_as or path.parent.as_posix())
    data = reader.load_yaml(path)
    if data is None:
        return None, reader.problems
    if not isinstance(data, LineDict):
        reader.problem(path, 1, N_("the file must be a mapping with slug, title and items"))
        return None, reader.problems
    reader.unknown_keys(path, data, TEMPLATE_KEYS, "the template")
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 60:
        reader.problem(path, data.line_of("slug"), N_("'slug' must be lowercase words joined by hyphens"))
    title = reader.bilingual(path, data, "title")
    if title and any(len(t) > MAX_TITLE for t in title.values()):
        reader.problem(
            path, data.line_of("title"), N_("'%(key)s' is longer than %(n)d characters"), key="title", n=MAX_TITLE
        )
    intro = reader.bilingual(path, data, "intro", required=False) if "intro" in data else {"ja": "", "en": ""}
    _markup(reader, path, data, "intro", intro)
    items = _items(reader, path, data)
    if reader.problems:
        return None, reader.problems
    return TemplateSpec(slug, title, intro, tuple(items)), []


def _items(reader: Reader, path: Path, data: LineDict) -> list[ItemSpec]:
    raw = data.get("items")
    if not isinstance(raw, list) or not raw:
        reader.problem(path, data.line_of("items"), N_("'items' must be a list of at least one item"))
        return []
    if len(raw) > MAX_ITEMS:
        reader.problem(path, data.line_of("items"), N_("at most %(n)d items"), n=MAX_ITEMS)
    items, keys = [], set()
    for number, item in enumerate(raw, 1):
        if not isinstance(item, LineDict):
            reader.problem(path, data.line_of("items"), N_("item %(n)d must be a mapping"), n=number)
            continue
        reader.unknown_keys(path, item, ITEM_KEYS, f"item {number}")
        key = item.get("key")
        if not isinstance(key, str) or not SLUG_RE.match(key) or len(key) > 60:
            reader.problem(
                path, item.line_of("key"), N_("item %(n)d: 'key' must be lowercase words joined by hyphens"), n=number
            )
        elif key in keys:
            reader.problem(path, item.line_of("key"), N_("item %(n)d: key '%(key)s' is used twice"), n=number, key=key)
        keys.add(key)
        text = reader.bilingual(path, item, "text")
        if text and any(len(t) > MAX_TEXT for t in text.values()):
            reader.problem(
                path, item.line_of("text"), N_("'%(key)s' is longer than %(n)d characters"), key="text", n=MAX_TEXT
            )
        guidance = (
            reader.bilingual(path, item, "guidance", required=False) if "guidance" in item else {"ja": "", "en": ""}
        )
        if guidance and any(len(t) > MAX_GUIDANCE for t in guidance.values()):
            reader.problem(
                path,
                item.line_of("guidance"),
                N_("'%(key)s' is longer than %(n)d characters"),
                key="guidance",
                n=MAX_GUIDANCE,
            )
        _markup(reader, path, item, "guidance", guidance)
        evidence = item.get("evidence", False)
        if not isinstance(evidence, bool):
            reader.problem(path, item.line_of("evidence"), N_("item %(n)d: 'evidence' must be true or false"), n=number)
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            reader.problem(
                path,
                item.line_of("source"),
                N_("item %(n)d: 'source' must name the measure the item comes from"),
                n=number,
            )
        if text and guidance is not None and isinstance(source, str):
            items.append(ItemSpec(str(key), text, guidance, evidence is True, source.strip()))
    return items


def _markup(reader: Reader, path: Path, mapping: LineDict, key: str, texts: dict[str, str] | None) -> None:
    for lang, value in (texts or {}).items():
        if value and removed_markup(value):
            reader.problem(
                path,
                mapping.line_of(key),
                N_("'%(key)s' (%(lang)s) holds markup that is not allowed"),
                key=key,
                lang=lang,
            )


def read_tree(folder: Path) -> tuple[list[TemplateSpec], list[Problem]]:
    """Every *.yaml file of a folder (or one file), in name order; the specs read and every problem."""
    files = [folder] if folder.is_file() else sorted(folder.glob("*.yaml"))
    specs, problems = [], []
    slugs: dict[str, str] = {}
    for file in files:
        spec, found = read_file(file)
        problems += found
        if spec is None:
            continue
        if spec.slug in slugs:
            problems.append(
                Problem(
                    file.as_posix(),
                    1,
                    N_("slug '%(slug)s' is also used by %(other)s"),
                    {"slug": spec.slug, "other": slugs[spec.slug]},
                )
            )
            continue
        slugs[spec.slug] = file.as_posix()
        specs.append(spec)
    return specs, problems
