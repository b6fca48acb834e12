"""Reads a module folder of content/ into plain data, collecting every problem as file:line: message.

Pure: no database, no Flask. The format is documented in content/README.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

LANGS = ("ja", "en")
KINDS = ("single", "multiple", "truefalse")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IMAGE_REFERENCE = re.compile(r"!\[[^\]]*\]\(images/([^)\s]+)")  # ![alt](images/name) in a section
SECTION_RE = re.compile(r"^(\d{2})-([a-z0-9-]+)\.(ja|en)\.md$")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_TEXT_BYTES = 512 * 1024
MODULE_KEYS = {"slug", "edition", "title", "summary", "minutes", "pass_mark", "draw", "tags"}
QUESTION_KEYS = {"id", "kind", "prompt", "explanation", "choices", "answer", "feedback", "tags"}
CHOICE_KEYS = {"text", "correct", "feedback"}
TRUE_FALSE_TEXT = ({"ja": "正しい", "en": "True"}, {"ja": "誤り", "en": "False"})


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogues (pybabel -k N_) and returns it unchanged.

    The message stays English here; it is translated where it is shown, e.g. in the browser.
    """
    return message


@dataclass
class Problem:
    file: str
    line: int
    message: str  # the English template marked with N_, e.g. "file is larger than %(kb)d KB"
    params: dict[str, object] = field(default_factory=dict)  # the values for its placeholders

    @property
    def text(self) -> str:
        """The message with its values filled in, in English."""
        return self.message % self.params if self.params else self.message

    def __str__(self) -> str:
        # Line 0 means the problem is the file or folder as a whole.
        return f"{self.file}:{self.line}: {self.text}" if self.line else f"{self.file}: {self.text}"


@dataclass
class ChoiceSpec:
    text: dict[str, str]
    correct: bool
    feedback: dict[str, str] | None


@dataclass
class QuestionSpec:
    key: str
    kind: str
    prompt: dict[str, str]
    explanation: dict[str, str]
    choices: list[ChoiceSpec]
    tags: list[str] = field(default_factory=list)  # e.g. the section a question tests ("section-2")


@dataclass
class SectionSpec:
    position: int
    title: dict[str, str]
    body: dict[str, str]


@dataclass
class ModuleSpec:
    slug: str
    edition_label: str
    title: dict[str, str]
    summary: dict[str, str]
    minutes: int
    pass_mark: int
    draw: int
    sections: list[SectionSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)  # topics for finding the module ("ids", "transfers")

    def content_hash(self) -> str:
        """SHA-256 over a canonical form of everything a learner sees; equal hash means unchanged."""
        data = asdict(self)
        if not data["tags"]:
            del data["tags"]  # modules from before tags existed keep their hash
        for question in data["questions"]:
            if not question["tags"]:
                del question["tags"]  # editions from before tags existed keep their hash
        data["images"] = {n: hashlib.sha256(b).hexdigest() for n, b in sorted(self.images.items())}
        canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class ContentError(Exception):
    """A module folder has problems; .problems lists every one of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _LineDict(dict):
    """A mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = _LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)
# YAML 1.1 reads yes/no/on/off as booleans, so an English choice "No" would vanish into False.
# Only true and false are booleans here, as in YAML 1.2.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Reader:
    """Collects problems for one module folder while reading it."""

    def __init__(self, folder: Path, shown_as: str):
        self.folder = folder
        self.shown_as = shown_as
        self.problems: list[Problem] = []

    def problem(self, path: Path, line: int, message: str, /, **params: object) -> None:
        """Records a problem; message is an N_ template, params fill its %(name)s placeholders."""
        shown = f"{self.shown_as}/{path.relative_to(self.folder).as_posix()}"
        self.problems.append(Problem(shown, line, message, params))

    def read_text(self, path: Path) -> str | None:
        if path.stat().st_size > MAX_TEXT_BYTES:
            self.problem(path, 1, N_("file is larger than %(kb)d KB"), kb=MAX_TEXT_BYTES // 1024)
            return None
        try:
            return path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            self.problem(path, line, N_("not valid UTF-8"))
            return None

    def load_yaml(self, path: Path):
        if not path.is_file():
            self.problem(path, 0, N_("file is missing"))
            return None
        text = self.read_text(path)
        if text is None:
            return None
        try:
            return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(path, mark.line + 1 if mark else 1, N_("invalid YAML: %(reason)s"), reason=reason)
            return None

    def bilingual(self, path: Path, mapping: _LineDict, key: str, required: bool = True) -> dict[str, str] | None:
        """Reads mapping[key] as {ja: text, en: text}; both languages, non-empty."""
        line = mapping.line_of(key)
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(path, line, N_("'%(key)s' is missing"), key=key)
            return None
        if not isinstance(value, dict):
            self.problem(path, line, N_("'%(key)s' must have 'ja' and 'en' texts"), key=key)
            return None
        result = {}
        for lang in LANGS:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(
                    path,
                    value.line_of(lang) if isinstance(value, _LineDict) else line,
                    N_("'%(key)s' has no '%(lang)s' text"),
                    key=key,
                    lang=lang,
                )
            else:
                result[lang] = text.strip()
        extra = set(value) - set(LANGS)
        if extra:
            languages = ", ".join(sorted(map(str, extra)))
            self.problem(path, line, N_("'%(key)s' has unknown languages: %(languages)s"), key=key, languages=languages)
        return result if len(result) == len(LANGS) else None

    def integer(self, path: Path, mapping: _LineDict, key: str, low: int, high: int) -> int | None:
        value = mapping.get(key)
        if key not in mapping:
            self.problem(path, mapping.line, N_("'%(key)s' is missing"), key=key)
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(
                path,
                mapping.line_of(key),
                N_("'%(key)s' must be a whole number from %(low)d to %(high)d"),
                key=key,
                low=low,
                high=high,
            )
            return None
        return value

    def unknown_keys(self, path: Path, mapping: _LineDict, allowed: set[str], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(path, mapping.line_of(key), N_("unknown key '%(key)s' in %(what)s"), key=key, what=what)


def read_module(folder: Path, shown_as: str | None = None) -> ModuleSpec:
    """Reads and validates one module folder; raises ContentError listing every problem."""
    folder = Path(folder)
    reader = _Reader(folder, shown_as or folder.as_posix())
    meta = _read_metadata(reader)
    sections = _read_sections(reader)
    questions = _read_questions(reader)
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
    folders = module_folders(path)
    if not folders:
        raise ContentError([Problem(Path(path).as_posix(), 0, N_("no module folder (with module.yaml) found"))])
    specs, problems = [], []
    for folder in folders:
        try:
            specs.append(read_module(folder))
        except ContentError as exc:
            problems.extend(exc.problems)
    seen: dict[str, Path] = {}
    for spec, folder in zip(specs, folders, strict=False):
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
    if problems:
        raise ContentError(problems)
    return specs


def _read_metadata(reader: _Reader) -> dict | None:
    path = reader.folder / "module.yaml"
    data = reader.load_yaml(path)
    if data is None:
        return None
    if not isinstance(data, _LineDict):
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
        "tags": _tags(reader, path, data),
    }


def _tags(reader: _Reader, path: Path, mapping: _LineDict) -> list[str]:
    tags = mapping.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and SLUG_RE.match(t) for t in tags):
        reader.problem(path, mapping.line_of("tags"), N_("'tags' must be a list of lowercase words with hyphens"))
        return []
    return tags


def _read_sections(reader: _Reader) -> list[SectionSpec]:
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
        text = reader.read_text(path)
        if text is None:
            continue
        first, _, body = text.partition("\n")
        if not first.startswith("# ") or not first[2:].strip():
            reader.problem(path, 1, N_("the first line must be the section title as '# Title'"))
            continue
        if not body.strip():
            reader.problem(path, 2, N_("the section has no body"))
            continue
        position, lang = int(match.group(1)), match.group(3)
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


def _read_questions(reader: _Reader) -> list[QuestionSpec] | None:
    path = reader.folder / "questions.yaml"
    data = reader.load_yaml(path)
    if data is None:
        return None
    if not isinstance(data, list) or not data:
        reader.problem(path, 1, N_("questions.yaml must be a list of questions"))
        return None
    questions, keys = [], {}
    for item in data:
        if not isinstance(item, _LineDict):
            reader.problem(path, 1, N_("each question must be a mapping (id, kind, prompt, …)"))
            continue
        question = _read_question(reader, path, item)
        if question is None:
            continue
        if question.key in keys:
            reader.problem(
                path,
                item.line_of("id"),
                N_("id '%(id)s' is also used on line %(first)d"),
                id=question.key,
                first=keys[question.key],
            )
        keys[question.key] = item.line_of("id")
        questions.append(question)
    return questions


def _read_question(reader: _Reader, path: Path, item: _LineDict) -> QuestionSpec | None:
    before = len(reader.problems)
    reader.unknown_keys(path, item, QUESTION_KEYS, "a question")
    key = item.get("id")
    if not isinstance(key, str) or not SLUG_RE.match(key) or len(key) > 60:
        reader.problem(path, item.line_of("id"), N_("'id' must be lowercase letters, digits and hyphens (up to 60)"))
    kind = item.get("kind")
    if kind not in KINDS:
        reader.problem(path, item.line_of("kind"), N_("'kind' must be one of %(kinds)s"), kinds=", ".join(KINDS))
    prompt = reader.bilingual(path, item, "prompt")
    explanation = reader.bilingual(path, item, "explanation")
    if kind == "truefalse":
        choices = _true_false_choices(reader, path, item)
    elif kind in KINDS:
        choices = _choices(reader, path, item, kind)
    else:
        choices = []
    tags = _tags(reader, path, item)
    if len(reader.problems) > before:
        return None
    return QuestionSpec(key, kind, prompt, explanation, choices, tags)


def _true_false_choices(reader: _Reader, path: Path, item: _LineDict) -> list[ChoiceSpec]:
    if "choices" in item:
        reader.problem(path, item.line_of("choices"), N_("a truefalse question has 'answer', not 'choices'"))
    answer = item.get("answer")
    if not isinstance(answer, bool):
        reader.problem(path, item.line_of("answer"), N_("'answer' must be true or false"))
        return []
    feedback = reader.bilingual(path, item, "feedback")
    true_text, false_text = TRUE_FALSE_TEXT
    return [
        ChoiceSpec(dict(true_text), answer, None if answer else feedback),
        ChoiceSpec(dict(false_text), not answer, feedback if answer else None),
    ]


def _choices(reader: _Reader, path: Path, item: _LineDict, kind: str) -> list[ChoiceSpec]:
    for key in ("answer", "feedback"):
        if key in item:
            reader.problem(
                path, item.line_of(key), N_("'%(key)s' belongs to truefalse questions; use 'choices'"), key=key
            )
    raw = item.get("choices")
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        reader.problem(path, item.line_of("choices"), N_("'choices' must list 2 to 6 choices"))
        return []
    choices = []
    for entry in raw:
        if not isinstance(entry, _LineDict):
            reader.problem(path, item.line_of("choices"), N_("each choice must be a mapping (text, correct, feedback)"))
            continue
        reader.unknown_keys(path, entry, CHOICE_KEYS, "a choice")
        correct = entry.get("correct")
        if not isinstance(correct, bool):
            reader.problem(path, entry.line_of("correct"), N_("'correct' must be true or false"))
            continue
        text = reader.bilingual(path, entry, "text")
        feedback = reader.bilingual(path, entry, "feedback", required=not correct)
        if text:
            choices.append(ChoiceSpec(text, correct, feedback))
    right = sum(c.correct for c in choices)
    if kind == "single" and right != 1:
        reader.problem(
            path,
            item.line_of("choices"),
            N_("a single-choice question needs exactly one correct choice, not %(count)d"),
            count=right,
        )
    if kind == "multiple" and right < 1:
        reader.problem(
            path, item.line_of("choices"), N_("a multiple-choice question needs at least one correct choice")
        )
    return choices


def _read_images(reader: _Reader) -> dict[str, bytes]:
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


def _check_images_referenced(reader: _Reader, sections: list[SectionSpec], images: dict[str, bytes]) -> None:
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
