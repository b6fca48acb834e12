"""GIFT below the questions: escapes held while parsing, [html] made plain text, the file split into blocks.

Pure: no Flask, no database. Used by gift_parse.py; the rules are described there.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass

import nh3

from learning.inputs import CONTROL

SNIPPET_LENGTH = 80

# --- escapes -------------------------------------------------------------------------------------------------

# While the structure is parsed, an escaped character is held as a Unicode noncharacter (never valid in
# interchanged text), so "\~" is never taken for an answer marker; it becomes the literal character at the end.
_ESCAPED = {"\\": "\\", "~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n"}
_HOLD = {char: chr(0xFDD0 + i) for i, char in enumerate(_ESCAPED)}
_RELEASE = str.maketrans({held: _ESCAPED[char] for char, held in _HOLD.items()})
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_NONCHARACTER_RE = re.compile("[\ufdd0-\ufdef]")


def _hold(line: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _HOLD[m.group(1)], line)


def release(text: str) -> str:
    return text.translate(_RELEASE)


def snippet_of(text: str) -> str:
    flat = " ".join(release(text).split())
    return flat if len(flat) <= SNIPPET_LENGTH else flat[: SNIPPET_LENGTH - 1] + "…"


# --- [html] to plain text ------------------------------------------------------------------------------------

_DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "svg",
    "math",
}
# Where HTML starts a new line, a space keeps the words on either side apart once the tags are gone.
_LINE_BREAK_TAG_RE = re.compile(r"<(?:br|/?p|/div|/li|/h[1-6]|/tr|/td|/th)\b[^>]*>", re.IGNORECASE)


def html_to_text(markup: str) -> tuple[str, bool]:
    """Plain text of an HTML fragment, and whether any markup (tag, comment, dropped content) was removed."""
    spaced = _LINE_BREAK_TAG_RE.sub(lambda m: m.group(0) + " ", markup)
    text = html.unescape(nh3.clean(spaced, tags=set(), clean_content_tags=_DROP_WITH_CONTENT))
    # Text without markup only has its entities unescaped; anything else means something was taken out.
    removed = text.split() != html.unescape(markup).split()
    return " ".join(text.split()), removed


# --- reading blocks ------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One question's lines (comments left out, escapes held) joined by newlines, with their file lines."""

    text: str
    starts: list[int]
    lines: list[int]

    @classmethod
    def of(cls, numbered: list[tuple[int, str]]) -> Block:
        starts, offset = [], 0
        for _, line in numbered:
            starts.append(offset)
            offset += len(line) + 1
        return cls("\n".join(line for _, line in numbered), starts, [number for number, _ in numbered])

    def line_at(self, position: int) -> int:
        return self.lines[bisect_right(self.starts, position) - 1]


_SLASH = "\ufdef"  # a literal "/" in a category name while the path is split; noncharacters are not in the input


def _category_tags(path: str) -> list[str]:
    """Tags from a Moodle category path: '$course$/top/a//b' -> ['top', 'a/b']."""
    names = [name.replace(_SLASH, "/").strip() for name in path.strip().replace("//", _SLASH).split("/")]
    if names and re.fullmatch(r"\$\w*\$", names[0]):
        names = names[1:]
    return [name for name in names if name]


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", _NONCHARACTER_RE.sub("", text.removeprefix("\ufeff")))


def control_characters(text: str) -> list[tuple[int, str]]:
    """(line, first control character) of each line but comments that holds NUL or another control character.

    Looked for before the lines are stripped, which would drop some of them unseen.
    """
    found = ((number, CONTROL.search(raw)) for number, raw in enumerate(_lines(text), start=1))
    return [(number, match.group()) for number, match in found if match and not match.string.strip().startswith("//")]


def read_blocks(text: str) -> list[tuple[Block, list[str]]]:
    """Splits the file into question blocks, each with the tags of the category in force."""
    blocks: list[tuple[Block, list[str]]] = []
    pending: list[tuple[int, str]] = []
    tags: list[str] = []
    for number, raw in enumerate(_lines(text), start=1):
        line = raw.strip()
        if line.startswith("//"):
            continue
        if not line or line.startswith("$CATEGORY:"):
            if pending:
                blocks.append((Block.of(pending), tags))
                pending = []
            if line:
                tags = _category_tags(line.removeprefix("$CATEGORY:"))
            continue
        pending.append((number, _hold(line)))
    if pending:
        blocks.append((Block.of(pending), tags))
    return blocks
