"""Reads a module folder of content/ into a ModuleSpec, collecting every problem as file:line: message.

Pure: no database, no Flask. The format is documented in content/README.md; questions.yaml is read by
questions.py, and writing.py writes the format.
"""

from __future__ import annotations

import re
from pathlib import Path

from learning.courses.formats.questions import read_questions
from learning.courses.formats.reader import LineDict, Reader
from learning.courses.formats.spec import (
    IMAGE_REFERENCE,
    LANGS,
    MAX_IMAGE_BYTES,
    SLUG_RE,
    ContentError,
    ModuleSpec,
    Problem,
    SectionSpec,
    SourceSpec,
)
from learning.errors import N_

SECTION_RE = re.compile(r"^(\d{2})-([a-z0-9-]+)\.(ja|en)\.md$")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
MODULE_KEYS = {
    "slug",
    "edition",
    "title",
    "summary",
    "minutes",
    "pass_mark",
    "draw",
    "tags",
    "sources",
    "min_read_seconds",
}
SOURCE_KEYS = {"ja", "en", "url"}
URL_RE = re.compile(r"^https?://[^\s]+$")


def read_module(folder: Path, shown_as: str | None = None) -> ModuleSpec:
    """Reads and validates one module folder; raises ContentError listing every problem."""
    folder = Path(folder)
    reader = Reader(folder, shown_as or folder.as_posix())
    meta = _read_metadata(reader)
    sections = _read_sections(reader)
    questions = read_questions(reader)
    images = _read_images(reader)
    _check_images_referenced(reader, sections, images)
    bank_ok = questions is not None and not any(p.file.endswith("questions.yaml") for p in reader.problems)
    if meta and bank_ok and meta["draw"] is not None and len(questions) < meta["draw"]:
        reader.problem(
            folder / "module.yaml",
            meta["draw_line"],
            N_("'draw' is %(draw)d but the bank has only %(count)d questions"),
            draw=meta["draw"],
            count=len(questions),
        )
    if reader.problems:
        raise ContentError(reader.problems)
    return ModuleSpec(
        slug=meta["slug"],
        edition_label=meta["edition"],
        title=meta["title"],
        summary=meta["summary"],
        minutes=meta["minutes"],
        pass_mark=meta["pass_mark"],
        draw=meta["draw"],
        sections=sections,
        questions=questions or [],
        images=images,
        tags=meta["tags"],
        sources=meta["sources"],
        min_read_seconds=meta["min_read_seconds"],
    )


def module_folders(path: Path) -> list[Path]:
    """A module folder itself, or every module folder directly under a content directory."""
    path = Path(path)
    if (path / "module.yaml").exists():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and (p / "module.yaml").exists())


def read_tree(path: Path) -> list[ModuleSpec]:
    """Reads every module under path; raises ContentError with the problems of all of them."""
    read, problems = read_each(path)
    if problems:
        raise ContentError(problems)
    return [spec for _folder, spec in read]


def read_each(path: Path) -> tuple[list[tuple[Path, ModuleSpec]], list[Problem]]:
    """Every module under path that reads without error (with its folder), and the errors of the others."""
    folders = module_folders(path)
    if not folders:
        return [], [Problem(Path(path).as_posix(), 0, N_("no module folder (with module.yaml) found"))]
    read, problems = [], []
    for folder in folders:
        try:
            read.append((folder, read_module(folder)))
        except ContentError as exc:
            problems.extend(exc.problems)
    seen: dict[str, Path] = {}
    for folder, spec in read:
        if spec.slug in seen:
            problems.append(
                Problem(
                    f"{folder.as_posix()}/module.yaml",
                    1,
                    N_("slug '%(slug)s' is also used by %(other)s"),
                    {"slug": spec.slug, "other": seen[spec.slug].as_posix()},
                )
            )
        seen[spec.slug] = folder
    return read, problems


def _read_metadata(reader: Reader) -> dict | None:
    path = reader.folder / "module.yaml"
    data = reader.load_yaml(path)
    if data is None:
        return None
    if not isinstance(data, LineDict):
        reader.problem(path, 1, N_("module.yaml must be a mapping of keys to values"))
        return None
    reader.unknown_keys(path, data, MODULE_KEYS, "module.yaml")
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 60:
        reader.problem(
            path, data.line_of("slug"), N_("'slug' must be lowercase letters, digits and hyphens (up to 60)")
        )
    edition = data.get("edition")
    if edition is None or not str(edition).strip() or len(str(edition)) > 40:
        reader.problem(path, data.line_of("edition"), N_("'edition' must be a label of 1 to 40 characters"))
    return {
        "slug": slug,
        "edition": str(edition).strip() if edition is not None else None,
        "title": reader.bilingual(path, data, "title"),
        "summary": reader.bilingual(path, data, "summary"),
        "minutes": reader.integer(path, data, "minutes", 1, 240),
        "pass_mark": reader.integer(path, data, "pass_mark", 1, 100),
        "draw": reader.integer(path, data, "draw", 1, 100),
        "draw_line": data.line_of("draw"),
        "tags": reader.tags(path, data),
        "sources": _read_sources(reader, path, data),
        "min_read_seconds": (
            reader.integer(path, data, "min_read_seconds", 1, 600) if "min_read_seconds" in data else None
        ),
    }


def _read_sources(reader: Reader, path: Path, data: LineDict) -> list[SourceSpec]:
    """`sources`: a list of {ja, en, url?}: each a named source, in both languages, with its address if public."""
    value = data.get("sources", [])
    if not isinstance(value, list):
        reader.problem(path, data.line_of("sources"), N_("'sources' must be a list of sources with 'ja' and 'en'"))
        return []
    sources = []
    for number, entry in enumerate(value, 1):
        if not isinstance(entry, LineDict):
            reader.problem(path, data.line_of("sources"), N_("source %(n)d must have 'ja' and 'en' texts"), n=number)
            continue
        reader.unknown_keys(path, entry, SOURCE_KEYS, "a source")
        text = {}
        for lang in LANGS:
            if not isinstance(entry.get(lang), str) or not entry[lang].strip():
                reader.problem(
                    path, entry.line_of(lang), N_("source %(n)d has no '%(lang)s' text"), n=number, lang=lang
                )
            else:
                text[lang] = entry[lang].strip()
                reader.terms(path, entry.line_of(lang), entry[lang])
        url = entry.get("url")
        if url is not None and (not isinstance(url, str) or not URL_RE.match(url.strip()) or len(url) > 500):
            reader.problem(path, entry.line_of("url"), N_("source %(n)d: 'url' must be an http(s) address"), n=number)
            url = None
        if len(text) == len(LANGS):
            sources.append(SourceSpec(text, url.strip() if url else None))
    return sources


def _read_sections(reader: Reader) -> list[SectionSpec]:
    folder = reader.folder / "sections"
    if not folder.is_dir():
        reader.problem(folder, 0, N_("the sections/ folder is missing"))
        return []
    found: dict[int, dict[str, tuple[str, str]]] = {}
    for path in sorted(folder.iterdir()):
        match = SECTION_RE.match(path.name)
        if not match or not path.is_file():
            reader.problem(path, 0, N_("section files are named NN-name.ja.md or NN-name.en.md"))
            continue
        position, lang = int(match.group(1)), match.group(3)
        text = reader.read_text(path)
        if text is None:  # its problem is reported; the file is there, so "no 'en' file" would mislead
            found.setdefault(position, {}).setdefault(lang, ("", ""))
            continue
        for number, line in enumerate(text.splitlines(), 1):
            reader.terms(path, number, line)
        first, _, body = text.partition("\n")
        if not first.startswith("# ") or not first[2:].strip():
            reader.problem(path, 1, N_("the first line must be the section title as '# Title'"))
            continue
        if not body.strip():
            reader.problem(path, 2, N_("the section has no body"))
            continue
        if lang in found.setdefault(position, {}):
            reader.problem(path, 0, N_("section %(section)02d has two '%(lang)s' files"), section=position, lang=lang)
        found[position][lang] = (first[2:].strip(), body.strip())
    if not found:
        reader.problem(folder, 0, N_("a module needs at least one section"))
    expected = list(range(1, len(found) + 1))
    if found and sorted(found) != expected:
        reader.problem(folder, 0, N_("section numbers must run 01 to %(last)02d without gaps"), last=len(found))
    sections = []
    for position in sorted(found):
        langs = found[position]
        missing = [lang for lang in LANGS if lang not in langs]
        if missing:
            reader.problem(
                folder, 0, N_("section %(section)02d has no '%(lang)s' file"), section=position, lang=missing[0]
            )
            continue
        sections.append(SectionSpec(position, {lg: langs[lg][0] for lg in LANGS}, {lg: langs[lg][1] for lg in LANGS}))
    return sections


def _read_images(reader: Reader) -> dict[str, bytes]:
    folder = reader.folder / "images"
    images: dict[str, bytes] = {}
    if not folder.is_dir():
        return images
    for path in sorted(folder.iterdir()):
        if (
            path.suffix.lower() not in IMAGE_SUFFIXES
            or not re.match(r"^[A-Za-z0-9_.-]+$", path.name)
            or not path.is_file()
        ):
            reader.problem(path, 0, N_("images must be .png, .jpg, .gif or .webp with a plain ASCII name"))
        elif path.stat().st_size > MAX_IMAGE_BYTES:
            reader.problem(path, 0, N_("image is larger than 2 MB"))
        else:
            images[path.name] = path.read_bytes()
    return images


def _check_images_referenced(reader: Reader, sections: list[SectionSpec], images: dict[str, bytes]) -> None:
    for section in sections:
        for lang in LANGS:
            for name in IMAGE_REFERENCE.findall(section.body[lang]):
                if name not in images:
                    path = next((reader.folder / "sections").glob(f"{section.position:02d}-*.{lang}.md"))
                    line = next(
                        (
                            i
                            for i, text in enumerate(path.read_text("utf-8-sig").splitlines(), 1)
                            if f"images/{name}" in text
                        ),
                        1,
                    )
                    reader.problem(path, line, N_("image 'images/%(name)s' is not in the images/ folder"), name=name)
