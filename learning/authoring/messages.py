"""The authoring room's message templates (English; translated where shown, see learning/errors.py):
the refusals of authoring steps, a draft's findings, and GIFT problems. The pages fill and translate them
(authoring/pages.py)."""

from learning.errors import N_

# A language's name, to fill %(language)s.
LANGUAGE = {
    "ja": N_("Japanese"),
    "en": N_("English"),
}

# Why an authoring step was refused (AuthoringError.code).
ERRORS = {
    "bad_slug": N_("The module ID may hold only lower-case letters, digits and single hyphens (at most 60)."),
    "slug_taken": N_("A module with this ID exists already."),
    "no_module": N_("This module or edition does not exist."),
    "not_a_draft": N_("This edition is no longer a draft; it may have been sent to review or published."),
    "not_in_review": N_("This edition is not waiting for review."),
    "conflict": N_(
        "%(name)s saved this draft after you opened it. Your text is kept below and was "
        "not saved: copy what you need, reload the draft, and apply your changes again."
    ),
    "incomplete": N_("The draft is not complete yet; see the list of what is missing."),
    "comments_required": N_("Write what the authors should change before sending the draft back."),
    "own_draft": N_(
        "You edited or submitted this draft, so another trainer must approve it (four "
        "eyes). Your attempt has been recorded."
    ),
    "image_too_large": N_("The image is larger than 2 MB."),
    "image_type": N_("Only PNG and JPEG images can be uploaded (SVG can carry script and is refused)."),
    "zip_too_large": N_("The zip file is larger than 20 MB."),
    "gift_too_large": N_("The GIFT file is larger than 5 MB."),
    "not_utf8": N_("The file is not UTF-8 text. Save it as UTF-8 and upload it again."),
    "in_the_works": N_("This module already has a draft in the works; open it instead."),
}

# What keeps a draft from review; %(number)d is the section or question.
FINDINGS = {
    "missing_title": N_("The title in %(language)s is missing."),
    "missing_summary": N_("The summary in %(language)s is missing."),
    "no_sections": N_("The module has no sections."),
    "missing_section_text": N_("Section %(number)d: the title or text in %(language)s is missing."),
    "missing_question_text": N_(
        "Question %(number)d: a text in %(language)s is missing (question, explanation, "
        "a choice, or the feedback of a wrong choice)."
    ),
    "missing_image": N_("Section %(number)d (%(language)s) shows images/%(name)s, which has not been uploaded."),
    "choice_count": N_("Question %(number)d needs between 2 and 6 choices."),
    "single_needs_one": N_(
        "Question %(number)d: a single-choice or true/false question needs exactly one correct choice."
    ),
    "multiple_needs_one": N_("Question %(number)d: a multiple-choice question needs at least one correct choice."),
    "too_few_questions": N_("The bank holds fewer questions than the quiz draws."),
    "unknown_term_module": N_(
        "The title, summary or a source (%(language)s) uses %(name)s, which is not a known term. The terms are "
        "%(terms)s."
    ),
    "unknown_term_section": N_(
        "Section %(number)d (%(language)s) uses %(name)s, which is not a known term. The terms are %(terms)s."
    ),
    "unknown_term_question": N_(
        "Question %(number)d (%(language)s) uses %(name)s, which is not a known term. The terms are %(terms)s."
    ),
}

# Where an assessment warning is (courses/formats/assessment.py), before its message.
AT_QUESTION = N_("Question %(number)d: %(message)s")
AT_SECTION = N_("Section %(number)d: %(message)s")
# A near-duplicate's other question, in another module's published edition.
OTHER_QUESTION = N_("question '%(id)s' of module %(slug)s")

# GIFT problems, by code (courses/formats/gift_result.py).
GIFT = {
    "unsupported_description": N_("Text without an answer block is a description, not a question; not imported."),
    "unsupported_essay": N_("Essay questions ({}) are not supported; not imported."),
    "unsupported_matching": N_("Matching questions (=a -> b) are not supported; not imported."),
    "unsupported_numerical": N_("Numerical questions ({#...}) are not supported; not imported."),
    "unsupported_short_answer": N_("Short-answer questions (only = answers, no ~) are not supported; not imported."),
    "unsupported_missing_word": N_("Missing-word questions (text after the answers) are not supported; not imported."),
    "unclosed_title": N_("The title has no closing '::'."),
    "empty_title": N_("The title between '::' and '::' is empty."),
    "unclosed_brace": N_("'{' is not closed by '}' before the next blank line."),
    "stray_brace": N_("'}' without an opening '{' (write \\} for a literal brace)."),
    "extra_answer_block": N_("A question has one answer block only (write \\{ for a literal brace)."),
    "empty_question": N_("The question has no text."),
    "no_answers": N_("The answer block has no answers; start each with = (right) or ~ (wrong)."),
    "text_before_answers": N_("Text before the first = or ~ in the answer block."),
    "empty_answer": N_("An answer has no text."),
    "too_few_answers": N_("A choice question needs at least two answers."),
    "bad_weight": N_("An answer weight must be ~%n% with n a number from -100 to 100 (= is always 100%)."),
    "no_correct_answer": N_("No answer is right; mark one with = or give it a positive %weight%."),
    "control_character": N_(
        "The line holds NUL or another control character, which text may not hold; remove it and upload again."
    ),
}

# Where a GIFT problem is.
AT_LINE = N_("Line %(line)d: %(message)s")

# Who saved a draft first, when that person cannot be named.
ANOTHER_TRAINER = N_("Another trainer")
