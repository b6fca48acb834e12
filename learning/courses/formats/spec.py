"""A module as plain data (ModuleSpec and its parts), the format's constants and limits, and its problems.

Pure: no database, no Flask. The format is documented in content/README.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

LANGS = ("ja", "en")
KINDS = ("single", "multiple", "truefalse")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IMAGE_REFERENCE = re.compile(r"!\[[^\]]*\]\(images/([^)\s]+)")  # ![alt](images/name) in a section
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_TEXT_BYTES = 512 * 1024
TRUE_FALSE_TEXT = ({"ja": "正しい", "en": "True"}, {"ja": "誤り", "en": "False"})


@dataclass
class Problem:
    file: str
    line: int
    message: str  # the English template marked with N_, e.g. "file is larger than %(kb)d KB"
    params: dict[str, object] = field(default_factory=dict)  # the values for its placeholders
    severity: str = "error"  # an error stops an import; a warning (an assessment rule) does not

    @property
    def text(self) -> str:
        """The message with its values filled in, in English."""
        return self.message % self.params if self.params else self.message

    def __str__(self) -> str:
        # Line 0 means the problem is the file or folder as a whole.
        return f"{self.file}:{self.line}: {self.text}" if self.line else f"{self.file}: {self.text}"

    def labelled(self) -> str:
        """As `content check` prints it: file:line: error|warning: message."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.text}"


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
class SourceSpec:
    """A named public source a module's figures and claims come from, shown to learners at its end."""

    text: dict[str, str]  # the source as cited, in both languages
    url: str | None = None


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
    sources: list[SourceSpec] = field(default_factory=list)
    min_read_seconds: int | None = None  # the least time a learner spends on each section, when set

    def content_hash(self) -> str:
        """SHA-256 over a canonical form of everything a learner sees; equal hash means unchanged."""
        data = asdict(self)
        for key in ("tags", "sources", "min_read_seconds"):
            if not data[key]:
                del data[key]  # modules from before these keys existed keep their hash
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
