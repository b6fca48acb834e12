"""What keeps a draft from review: every text in both languages, sound questions, enough of them, and no
unknown organisation term (a {{…}} that terms.py does not know, which `content check` refuses too).

Pure: no database, no Flask. The editor refuses to save a question with question_problems; submitting a
draft (review.py) is refused while findings lists anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from learning.courses.formats.spec import IMAGE_REFERENCE, LANGS, ModuleSpec, QuestionSpec
from learning.courses.terms import unknown_terms

MAX_CHOICES = 6


@dataclass(frozen=True)
class Finding:
    """Something that keeps a draft from review: `code`, and where (section or question number, language)."""

    code: str
    section: int | None = None
    question: int | None = None
    language: str | None = None
    name: str | None = None  # the image a section refers to that the module does not hold, or the unknown term


def findings(spec: ModuleSpec) -> list[Finding]:
    """What keeps the draft from review: every text in both languages, sound questions, enough of them."""
    found: list[Finding] = []
    for lang in LANGS:
        if not spec.title[lang].strip():
            found.append(Finding("missing_title", language=lang))
        if not spec.summary[lang].strip():
            found.append(Finding("missing_summary", language=lang))
    if not spec.sections:
        found.append(Finding("no_sections"))
    for number, section in enumerate(spec.sections, 1):
        for lang in LANGS:
            if not section.title[lang].strip() or not section.body[lang].strip():
                found.append(Finding("missing_section_text", section=number, language=lang))
            for name in IMAGE_REFERENCE.findall(section.body[lang]):
                if name not in spec.images:
                    found.append(Finding("missing_image", section=number, language=lang, name=name))
    for number, question in enumerate(spec.questions, 1):
        found.extend(_question_findings(question, number))
    if len(spec.questions) < spec.draw:
        found.append(Finding("too_few_questions"))
    return found + term_findings(spec)


def term_findings(spec: ModuleSpec) -> list[Finding]:
    """Every {{…}} that is not a known term, with the section or question it is in."""
    found = []
    for lang in LANGS:
        texts = [spec.title[lang], spec.summary[lang], *(s.text.get(lang, "") for s in spec.sources)]
        found += [Finding("unknown_term_module", language=lang, name=t) for text in texts for t in unknown_terms(text)]
    for number, section in enumerate(spec.sections, 1):
        for lang in LANGS:
            for term in unknown_terms(section.title[lang] + "\n" + section.body[lang]):
                found.append(Finding("unknown_term_section", section=number, language=lang, name=term))
    for number, question in enumerate(spec.questions, 1):
        for lang in LANGS:
            texts = [question.prompt[lang], question.explanation[lang]]
            texts += [text for c in question.choices for text in (c.text[lang], (c.feedback or {}).get(lang, ""))]
            for term in unknown_terms("\n".join(texts)):
                found.append(Finding("unknown_term_question", question=number, language=lang, name=term))
    return found


def _question_findings(question: QuestionSpec, number: int) -> list[Finding]:
    found = []
    for lang in LANGS:
        texts = [question.prompt[lang], question.explanation[lang]] + [c.text[lang] for c in question.choices]
        # A wrong answer explains why it is wrong (as in the content format).
        texts += [(c.feedback or {}).get(lang, "") for c in question.choices if not c.correct]
        if any(not t.strip() for t in texts):
            found.append(Finding("missing_question_text", question=number, language=lang))
    return found + question_problems(question, number)


def question_problems(question: QuestionSpec, number: int) -> list[Finding]:
    """What makes a question unanswerable as written (the editor refuses to save these)."""
    found = []
    right = sum(c.correct for c in question.choices)
    if not 2 <= len(question.choices) <= MAX_CHOICES:
        found.append(Finding("choice_count", question=number))
    elif question.kind in ("single", "truefalse") and right != 1:
        found.append(Finding("single_needs_one", question=number))
    elif question.kind == "multiple" and right < 1:
        found.append(Finding("multiple_needs_one", question=number))
    return found
