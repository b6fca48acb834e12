"""What changed between two editions of a module, section by section and question by question.

Pure: standard library and the content_format dataclasses only. Questions pair by key. Sections have no
stable key: identical sections pair first wherever they are (so a reordering shows as "moved"); if as many
old as new sections are then left, those pair by position, otherwise by equal Japanese title, then by the
most similar titles and bodies (SequenceMatcher ratio >= 0.5); unpaired sections are added or removed.
A paired item with equal content is "moved" only when its order among the paired items changed, so an
insertion or removal does not report every later item as moved.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import zip_longest
from typing import TypeVar

from learning.courses.formats.spec import LANGS, ModuleSpec, QuestionSpec, SectionSpec

CONTEXT = 2  # unchanged lines kept on each side of a change
LABEL_CHARS = 80
_TOKEN = re.compile(r"[A-Za-z0-9]+|\S")
SIMILAR = 0.5  # the SequenceMatcher ratio from which two sections count as one edited section

Item = TypeVar("Item", SectionSpec, QuestionSpec)


@dataclass(frozen=True)
class TextChange:
    """One text that differs, as a line diff of ("same" | "added" | "removed", line) tuples."""

    field: str
    language: str | None
    lines: list[tuple[str, str]]
    number: int | None = None


@dataclass(frozen=True)
class ValueChange:
    """One non-text value that differs: minutes, kind, correct, tags, the number of choices…"""

    field: str
    old: object
    new: object
    number: int | None = None


Change = TextChange | ValueChange


@dataclass(frozen=True)
class ItemDiff:
    """One section or question that was added, removed, changed or moved."""

    status: str
    old_number: int | None
    new_number: int | None
    label: dict[str, str]
    changes: list[Change]
    key: str | None = None


@dataclass(frozen=True)
class EditionDiff:
    """Everything that differs between two editions; unchanged sections and questions are only counted."""

    module: list[Change]
    sections: list[ItemDiff]
    questions: list[ItemDiff]
    images: list[tuple[str, str]]
    unchanged_sections: int
    unchanged_questions: int

    @property
    def empty(self) -> bool:
        """True when nothing differs."""
        return not (self.module or self.sections or self.questions or self.images)


def diff_editions(old: ModuleSpec | None, new: ModuleSpec) -> EditionDiff:
    """Compares two editions of one module; old=None reports everything in new as added."""
    old_sections, old_questions = (old.sections, old.questions) if old else ([], [])
    section_pairs = _pair_sections(old_sections, new.sections)
    sections, same_sections = _items(old_sections, new.sections, section_pairs, _section_changes)
    new_index = {q.key: j for j, q in enumerate(new.questions)}
    question_pairs = [(i, new_index[q.key]) for i, q in enumerate(old_questions) if q.key in new_index]
    questions, same_questions = _items(old_questions, new.questions, question_pairs, _question_changes)
    old_images = old.images if old else {}
    images = [
        (name, "added" if name not in old_images else "removed" if name not in new.images else "changed")
        for name in sorted(old_images.keys() | new.images.keys())
        if old_images.get(name) != new.images.get(name)
    ]
    return EditionDiff(_module_changes(old, new), sections, questions, images, same_sections, same_questions)


def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Line diff of two texts; long unchanged runs keep CONTEXT lines next to each change around one "…"."""
    a, b = old.splitlines(), new.splitlines()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    lines: list[tuple[str, str]] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            lines += [("removed", line) for line in a[i1:i2]] + [("added", line) for line in b[j1:j2]]
            continue
        same = a[i1:i2]
        head = same[:CONTEXT] if n > 0 else []
        tail = same[-CONTEXT:] if n < len(opcodes) - 1 else []
        if len(head) + len(tail) < len(same):
            same = [*head, "…", *tail]
        lines += [("same", line) for line in same]
    return lines


def _text(field: str, language: str | None, old: str, new: str, number: int | None = None) -> list[Change]:
    """A TextChange when old and new differ."""
    return [TextChange(field, language, line_diff(old, new), number)] if old != new else []


def _texts(
    field: str, old: dict[str, str] | None, new: dict[str, str] | None, number: int | None = None
) -> list[Change]:
    """One TextChange per language whose text differs; a missing text counts as empty."""
    old, new = old or {}, new or {}
    return [change for lang in LANGS for change in _text(field, lang, old.get(lang, ""), new.get(lang, ""), number)]


def _value(field: str, old: object, new: object, number: int | None = None) -> list[Change]:
    """A ValueChange when old and new differ."""
    return [ValueChange(field, old, new, number)] if old != new else []


def _module_changes(old: ModuleSpec | None, new: ModuleSpec) -> list[Change]:
    """Label, title, summary, minutes, pass_mark, draw and tags, in that order."""
    return [
        *_text("label", None, old.edition_label if old else "", new.edition_label),
        *_texts("title", old.title if old else None, new.title),
        *_texts("summary", old.summary if old else None, new.summary),
        *_value("minutes", old.minutes if old else None, new.minutes),
        *_value("pass_mark", old.pass_mark if old else None, new.pass_mark),
        *_value("draw", old.draw if old else None, new.draw),
        *_value("tags", ", ".join(old.tags) if old else "", ", ".join(new.tags)),
    ]


def _section_changes(old: SectionSpec | None, new: SectionSpec | None) -> list[Change]:
    """Title and body changes; a missing side counts as empty."""
    return [
        *_texts("title", old.title if old else None, new.title if new else None),
        *_texts("body", old.body if old else None, new.body if new else None),
    ]


def _question_changes(old: QuestionSpec | None, new: QuestionSpec | None) -> list[Change]:
    """Prompt, explanation, kind, tags and every choice; a missing side counts as empty."""
    olds, news = (old.choices if old else []), (new.choices if new else [])
    changes = [
        *_texts("prompt", old.prompt if old else None, new.prompt if new else None),
        *_texts("explanation", old.explanation if old else None, new.explanation if new else None),
        *_value("kind", old.kind if old else None, new.kind if new else None),
        *_value("tags", ", ".join(old.tags) if old else "", ", ".join(new.tags) if new else ""),
        *_value("choices", len(olds), len(news)),
    ]
    # Choices have no key of their own: they pair by number, as learners see them.
    for n, (a, b) in enumerate(zip_longest(olds, news), 1):
        changes += [
            *_texts("choice", a.text if a else None, b.text if b else None, n),
            *_texts("feedback", a.feedback if a else None, b.feedback if b else None, n),
            *_value("correct", a.correct if a else None, b.correct if b else None, n),
        ]
    return changes


def _label(item: SectionSpec | QuestionSpec) -> dict[str, str]:
    """A section's title, or a question's prompt on one line shortened to LABEL_CHARS, in both languages."""
    if isinstance(item, SectionSpec):
        return dict(item.title)
    flat = {lang: " ".join(text.split()) for lang, text in item.prompt.items()}
    return {lang: t if len(t) <= LABEL_CHARS else t[: LABEL_CHARS - 1] + "…" for lang, t in flat.items()}


def _items(
    olds: list[Item],
    news: list[Item],
    pairs: list[tuple[int, int]],
    changes_of: Callable[[Item | None, Item | None], list[Change]],
) -> tuple[list[ItemDiff], int]:
    """ItemDiffs for items that differ (new order, then removed ones) and the number of unchanged items."""
    old_of = {j: i for i, j in pairs}
    # Ranks among paired items only: shifts caused by insertions and removals are not moves.
    old_rank = {i: r for r, i in enumerate(sorted(old_of.values()))}
    new_rank = {j: r for r, j in enumerate(sorted(old_of))}
    items: list[ItemDiff] = []
    for j, item in enumerate(news):
        i = old_of.get(j)
        changes = changes_of(olds[i] if i is not None else None, item)
        status = "added" if i is None else "changed" if changes else "moved" if old_rank[i] != new_rank[j] else None
        if status:
            number = None if i is None else i + 1
            items.append(ItemDiff(status, number, j + 1, _label(item), changes, getattr(item, "key", None)))
    for i, item in enumerate(olds):
        if i not in old_rank:
            changes = changes_of(item, None)
            items.append(ItemDiff("removed", i + 1, None, _label(item), changes, getattr(item, "key", None)))
    return items, len(pairs) - sum(item.status in ("changed", "moved") for item in items)


def _pair_sections(old: list[SectionSpec], new: list[SectionSpec]) -> list[tuple[int, int]]:
    """(old index, new index) of sections that are the same section in both editions (module docstring)."""
    pairs: dict[int, int] = {}  # new index -> old index

    def pair(candidates: Iterable[tuple[int, int]]) -> None:
        for j, i in candidates:
            if j not in pairs and i not in pairs.values():
                pairs[j] = i

    every = [(j, i) for j in range(len(new)) for i in range(len(old))]
    pair((j, i) for j, i in every if (old[i].title, old[i].body) == (new[j].title, new[j].body))
    free_new = [j for j in range(len(new)) if j not in pairs]
    free_old = [i for i in range(len(old)) if i not in pairs.values()]
    if len(free_new) == len(free_old):
        pair(zip(free_new, free_old, strict=True))
    else:
        pair((j, i) for j, i in every if old[i].title.get("ja") == new[j].title.get("ja"))
        free = [(j, i) for j, i in every if j not in pairs and i not in pairs.values()]
        scores = sorted((-_similarity(old[i], new[j]), j, i) for j, i in free)
        pair((j, i) for score, j, i in scores if -score >= SIMILAR)
    return sorted((i, j) for j, i in pairs.items())


def _similarity(a: SectionSpec, b: SectionSpec) -> float:
    """SequenceMatcher ratio over the titles and bodies of two sections in both languages."""
    # Latin words and single other characters (Japanese) as tokens: far faster than characters, and without
    # autojunk, which would discard every common token of a long text.
    texts = [_TOKEN.findall("\n".join([*s.title.values(), *s.body.values()])) for s in (a, b)]
    matcher = difflib.SequenceMatcher(None, *texts, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= SIMILAR else 0.0  # quick_ratio: a cheap upper bound
