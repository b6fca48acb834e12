"""The Reader of one module folder: YAML and text with line numbers, the common checks, every problem collected.

Pure: no database, no Flask.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from learning.courses.formats.spec import LANGS, MAX_TEXT_BYTES, SLUG_RE, Problem
from learning.courses.terms import TERM_NAMES, unknown_terms
from learning.errors import N_
from learning.inputs import CONTROL

MAX_CONTROL_PROBLEMS = 10  # lines reported per file: a file full of them needs no list of every line


def character_name(text: str) -> str:
    """A character as its code point, e.g. "U+0000": the character itself cannot be shown."""
    return f"U+{ord(text):04X}"


class LineDict(dict):
    """A mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = LineDict(super().construct_mapping(node, deep=True))
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


def load_with_lines(text: str):
    """YAML as read here: mappings are LineDicts (for finding a key's line again after reading)."""
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass


KNOWN_TERMS = ", ".join(f"{{{{{name}}}}}" for name in sorted(TERM_NAMES))


class Reader:
    """Collects problems for one module folder while reading it."""

    def __init__(self, folder: Path, shown_as: str):
        self.folder = folder
        self.shown_as = shown_as
        self.problems: list[Problem] = []

    def problem(self, path: Path, line: int, message: str, /, **params: object) -> None:
        """Records a problem; message is an N_ template, params fill its %(name)s placeholders."""
        shown = f"{self.shown_as}/{path.relative_to(self.folder).as_posix()}"
        self.problems.append(Problem(shown, line, message, params))

    def terms(self, path: Path, line: int, text: str) -> None:
        """Reports each {{…}} in `text` that is not a known organisation term (courses/terms.py)."""
        for term in unknown_terms(text):
            self.problem(path, line, N_("unknown term %(term)s; the terms are %(known)s"), term=term, known=KNOWN_TERMS)

    def read_text(self, path: Path) -> str | None:
        if path.stat().st_size > MAX_TEXT_BYTES:
            self.problem(path, 1, N_("file is larger than %(kb)d KB"), kb=MAX_TEXT_BYTES // 1024)
            return None
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            self.problem(path, line, N_("not valid UTF-8"))
            return None
        return None if self._control_characters(path, text) else text

    def _control_characters(self, path: Path, text: str) -> bool:
        """Reports each line (the first few) holding NUL or another control character; True if any did."""
        lines: set[int] = set()
        for match in CONTROL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            if line in lines:
                continue
            if len(lines) == MAX_CONTROL_PROBLEMS:
                break
            lines.add(line)
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            self.problem(
                path,
                line,
                N_(
                    "control character %(character)s in column %(column)d; text may not hold NUL or other control "
                    "characters"
                ),
                character=character_name(match.group()),
                column=column,
            )
        return bool(lines)

    def _control_in_values(self, path: Path, value, key: str | None, line: int) -> None:
        """Reports YAML values that hold a control character written as an escape ("\\0", "\\x01")."""
        if isinstance(value, LineDict):
            for inner_key, inner in value.items():
                where = value.line_of(inner_key)
                self._control_in_values(path, inner_key, None, where)
                self._control_in_values(path, inner, str(inner_key), where)
        elif isinstance(value, list):
            for item in value:
                self._control_in_values(path, item, key, item.line if isinstance(item, LineDict) else line)
        elif isinstance(value, str) and (match := CONTROL.search(value)):
            self.problem(
                path,
                line,
                N_(
                    "'%(key)s' holds control character %(character)s; text may not hold NUL or other control characters"
                ),
                key=CONTROL.sub("", key) if key is not None else "?",
                character=character_name(match.group()),
            )

    def load_yaml(self, path: Path):
        if not path.is_file():
            self.problem(path, 0, N_("file is missing"))
            return None
        text = self.read_text(path)
        if text is None:
            return None
        try:
            data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow (e.g. U+FFFE); no mark, a position
            line = text.count("\n", 0, exc.position) + 1
            character = character_name(chr(exc.character)) if isinstance(exc.character, int) else "?"
            self.problem(path, line, N_("character %(character)s is not allowed in YAML"), character=character)
            return None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(path, mark.line + 1 if mark else 1, N_("invalid YAML: %(reason)s"), reason=reason)
            return None
        before = len(self.problems)
        self._control_in_values(path, data, None, 1)
        return None if len(self.problems) > before else data

    def bilingual(self, path: Path, mapping: LineDict, key: str, required: bool = True) -> dict[str, str] | None:
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
                    value.line_of(lang) if isinstance(value, LineDict) else line,
                    N_("'%(key)s' has no '%(lang)s' text"),
                    key=key,
                    lang=lang,
                )
            else:
                result[lang] = text.strip()
                self.terms(path, value.line_of(lang) if isinstance(value, LineDict) else line, text)
        extra = set(value) - set(LANGS)
        if extra:
            languages = ", ".join(sorted(map(str, extra)))
            self.problem(path, line, N_("'%(key)s' has unknown languages: %(languages)s"), key=key, languages=languages)
        return result if len(result) == len(LANGS) else None

    def integer(self, path: Path, mapping: LineDict, key: str, low: int, high: int) -> int | None:
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

    def unknown_keys(self, path: Path, mapping: LineDict, allowed: set[str], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(path, mapping.line_of(key), N_("unknown key '%(key)s' in %(what)s"), key=key, what=what)

    def tags(self, path: Path, mapping: LineDict) -> list[str]:
        tags = mapping.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and SLUG_RE.match(t) for t in tags):
            self.problem(path, mapping.line_of("tags"), N_("'tags' must be a list of lowercase words with hyphens"))
            return []
        return tags
