"""The authoring steps' refusals and a draft's findings, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from learning.authoring.completeness import Finding
from learning.authoring.services import AuthoringError

LANGUAGE = {"ja": lambda: _("Japanese"), "en": lambda: _("English")}

ERRORS = {
    "bad_slug": lambda p: _("The module ID may hold only lower-case letters, digits and single hyphens (at most 60)."),
    "slug_taken": lambda p: _("A module with this ID exists already."),
    "no_module": lambda p: _("This module or edition does not exist."),
    "not_a_draft": lambda p: _("This edition is no longer a draft; it may have been sent to review or published."),
    "not_in_review": lambda p: _("This edition is not waiting for review."),
    "conflict": lambda p: _(
        "%(name)s saved this draft after you opened it. Your text is kept below and was not saved: "
        "copy what you need, reload the draft, and apply your changes again.",
        name=p.get("editor_name") or _("Another trainer"),
    ),
    "incomplete": lambda p: _("The draft is not complete yet; see the list of what is missing."),
    "comments_required": lambda p: _("Write what the authors should change before sending the draft back."),
    "own_draft": lambda p: _(
        "You edited or submitted this draft, so another trainer must approve it (four eyes). "
        "Your attempt has been recorded."
    ),
    "image_too_large": lambda p: _("The image is larger than 2 MB."),
    "image_type": lambda p: _("Only PNG and JPEG images can be uploaded (SVG can carry script and is refused)."),
    "zip_too_large": lambda p: _("The zip file is larger than 20 MB."),
    "gift_too_large": lambda p: _("The GIFT file is larger than 5 MB."),
    "not_utf8": lambda p: _("The file is not UTF-8 text. Save it as UTF-8 and upload it again."),
    "in_the_works": lambda p: _("This module already has a draft in the works; open it instead."),
}

FINDINGS = {
    "missing_title": lambda f: _("The title in %(language)s is missing.", language=LANGUAGE[f.language]()),
    "missing_summary": lambda f: _("The summary in %(language)s is missing.", language=LANGUAGE[f.language]()),
    "no_sections": lambda f: _("The module has no sections."),
    "missing_section_text": lambda f: _(
        "Section %(number)d: the title or text in %(language)s is missing.",
        number=f.section,
        language=LANGUAGE[f.language](),
    ),
    "missing_question_text": lambda f: _(
        "Question %(number)d: a text in %(language)s is missing (question, explanation, a choice, or the feedback "
        "of a wrong choice).",
        number=f.question,
        language=LANGUAGE[f.language](),
    ),
    "missing_image": lambda f: _(
        "Section %(number)d (%(language)s) shows images/%(name)s, which has not been uploaded.",
        number=f.section,
        language=LANGUAGE[f.language](),
        name=f.name,
    ),
    "choice_count": lambda f: _("Question %(number)d needs between 2 and 6 choices.", number=f.question),
    "single_needs_one": lambda f: _(
        "Question %(number)d: a single-choice or true/false question needs exactly one correct choice.",
        number=f.question,
    ),
    "multiple_needs_one": lambda f: _(
        "Question %(number)d: a multiple-choice question needs at least one correct choice.", number=f.question
    ),
    "too_few_questions": lambda f: _("The bank holds fewer questions than the quiz draws."),
}


def error_text(error: AuthoringError) -> str:
    return ERRORS[error.code](error.params)


def finding_text(finding: Finding) -> str:
    return FINDINGS[finding.code](finding)


GIFT = {
    "unsupported_description": lambda: _(
        "Text without an answer block is a description, not a question; not imported."
    ),
    "unsupported_essay": lambda: _("Essay questions ({}) are not supported; not imported."),
    "unsupported_matching": lambda: _("Matching questions (=a -> b) are not supported; not imported."),
    "unsupported_numerical": lambda: _("Numerical questions ({#...}) are not supported; not imported."),
    "unsupported_short_answer": lambda: _(
        "Short-answer questions (only = answers, no ~) are not supported; not imported."
    ),
    "unsupported_missing_word": lambda: _(
        "Missing-word questions (text after the answers) are not supported; not imported."
    ),
    "unclosed_title": lambda: _("The title has no closing '::'."),
    "empty_title": lambda: _("The title between '::' and '::' is empty."),
    "unclosed_brace": lambda: _("'{' is not closed by '}' before the next blank line."),
    "stray_brace": lambda: _("'}' without an opening '{' (write \\} for a literal brace)."),
    "extra_answer_block": lambda: _("A question has one answer block only (write \\{ for a literal brace)."),
    "empty_question": lambda: _("The question has no text."),
    "no_answers": lambda: _("The answer block has no answers; start each with = (right) or ~ (wrong)."),
    "text_before_answers": lambda: _("Text before the first = or ~ in the answer block."),
    "empty_answer": lambda: _("An answer has no text."),
    "too_few_answers": lambda: _("A choice question needs at least two answers."),
    "bad_weight": lambda: _("An answer weight must be ~%n% with n a number from -100 to 100 (= is always 100%)."),
    "no_correct_answer": lambda: _("No answer is right; mark one with = or give it a positive %weight%."),
    "control_character": lambda: _(
        "The line holds NUL or another control character, which text may not hold; remove it and upload again."
    ),
}


def content_problem_text(problem) -> str:
    """A module folder's problem in the reader's language, after the file and line it names."""
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return f"{where}: {_(problem.message, **problem.params)}"


def gift_text(problem) -> str:
    """One GIFT problem with its line: "Line 12: …"."""
    message = _("Line %(line)d: %(message)s", line=problem.line, message=GIFT[problem.code]())
    return f"{message} ({problem.detail})" if problem.detail else message
