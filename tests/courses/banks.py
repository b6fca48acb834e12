"""A question bank that passes every assessment rule, to break one rule at a time in the tests, and helpers
that write it as a content folder and find a line in it."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from learning.courses.formats.spec import ChoiceSpec, ModuleSpec, QuestionSpec, SectionSpec
from learning.courses.formats.writing import write_module

# Equal lengths in each language, so that no option is the longest; no word about asking or the desk.
OPTIONS = [("案アイウ", "Plan one"), ("案カキク", "Plan two"), ("案サシス", "Plan six"), ("案タチツ", "Plan ten")]


def choice(ja: str, en: str, correct: bool) -> ChoiceSpec:
    return ChoiceSpec({"ja": ja, "en": en}, correct, None if correct else {"ja": "違います。", "en": "No."})


def question(key: str, kind: str, section: int, prompt: str, correct: set[int], tags=("judgement",)) -> QuestionSpec:
    if kind == "truefalse":
        true = 0 in correct
        choices = [choice("正しい", "True", true), choice("誤り", "False", not true)]
    else:
        choices = [choice(ja, en, i in correct) for i, (ja, en) in enumerate(OPTIONS)]
    return QuestionSpec(
        key,
        kind,
        {"ja": prompt, "en": f"Situation {key}"},
        {"ja": "解説です。", "en": "Explanation."},
        choices,
        [f"section-{section}", *tags],
    )


def scenario(seed: str) -> str:
    """A prompt of 30 kanji drawn at random (seeded): no two share more than a chance bigram."""
    rng = random.Random(seed)
    return "".join(chr(0x4E00 + rng.randrange(0x5000)) for _ in range(30))


def good_spec(slug: str = "good-bank") -> ModuleSpec:
    """4 sections, 13 questions: 6 single, 4 true/false (2 true), 3 multiple (1, 2 and 3 correct); all judgement
    but one, one allowed; prompts distinct within and across modules."""

    def prompt(n: int) -> str:
        return scenario(f"{slug}-{n}")

    kinds = ["single"] * 6 + ["truefalse"] * 4 + ["multiple"] * 3
    corrects = [{0}, {1}, {2}, {3}, {0}, {1}, {0}, {1}, {0}, {1}, {0}, {0, 1}, {0, 1, 2}]
    questions = [
        question(f"q{n}", kind, n % 4 + 1, prompt(n), right, ("judgement", "allowed") if n == 1 else ("judgement",))
        for n, (kind, right) in enumerate(zip(kinds, corrects, strict=True), 1)
    ]
    questions[-1] = replace(questions[-1], tags=["section-4"])  # one recall item
    return ModuleSpec(
        slug=slug,
        edition_label="2026",
        title={"ja": "良い問題", "en": "A good bank"},
        summary={"ja": "概要です。", "en": "Summary."},
        minutes=10,
        pass_mark=80,
        draw=8,
        sections=[
            SectionSpec(p, {"ja": f"節{p}", "en": f"Section {p}"}, {"ja": f"本文{p}。", "en": f"Body {p}."})
            for p in range(1, 5)
        ],
        questions=questions,
    )


def write(tmp_path: Path, *specs: ModuleSpec) -> Path:
    """The specs as a content directory of numbered module folders."""
    root = tmp_path / "content"
    for number, spec in enumerate(specs, 1):
        write_module(spec, root / f"{number:02d}-{spec.slug}")
    return root


def line_of(path: Path, text: str, after: str | None = None) -> int:
    """The first line holding `text` (after the first line holding `after`, when given)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if text in line)
