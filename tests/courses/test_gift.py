"""GIFT import and export: every construct of the fixture, skipped types, syntax errors, [html], keys, round trip."""

from pathlib import Path

import pytest
from markupsafe import escape

from learning.courses.formats import gift_result
from learning.courses.formats.gift import export, to_specs
from learning.courses.formats.gift_parse import parse
from learning.courses.formats.gift_result import CODES, GiftProblem, GiftQuestion
from learning.courses.formats.spec import SLUG_RE, TRUE_FALSE_TEXT, ChoiceSpec, QuestionSpec

FIXTURE = (Path(__file__).parent / "fixtures" / "every_construct.gift").read_text(encoding="utf-8")
GIFTS = ["top", "Conduct rules", "Gifts"]
ESCAPES = ["top", "Special/Escapes"]
FORMATS = ["top", "Formats"]


def line_of(marker: str, text: str = FIXTURE) -> int:
    """1-based line of the only line of text containing marker."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert len(found) == 1, marker
    return found[0]


def gift_escape(text: str) -> str:
    return text.translate(str.maketrans({char: "\\" + char for char in "\\~=#{}:"}))


def tf(answer: bool, true_feedback: str | None = None, false_feedback: str | None = None):
    return [("True", answer, true_feedback), ("False", not answer, false_feedback)]


def question(marker: str, title, kind, prompt, choices, tags, explanation="", markup_removed=False) -> GiftQuestion:
    return GiftQuestion(line_of(marker), title, kind, prompt, choices, explanation, tags, markup_removed)


EXPECTED = [
    question(
        "Gifts from suppliers must",
        None,
        "truefalse",
        "Gifts from suppliers must be recorded in the register.",
        tf(True),
        [],
    ),
    question(
        "::Gift limit::",
        "Gift limit",
        "single",
        "What is the most you may accept\nfrom a supplier without approval?",
        [
            ("3,000 yen", True, "Right: up to 3,000 yen is allowed."),
            ("10,000 yen", False, "No: that needs approval."),
            ("Any amount", False, None),
        ],
        GIFTS,
        explanation="See the gifts policy, section 2.",
    ),
    question(
        "::Weighted::",
        "Weighted",
        "multiple",
        "Which of these are gifts?",
        [
            ("A bottle of wine", True, "Yes."),
            ("Concert tickets", True, None),
            ("Your salary", False, "No, that is pay."),
        ],
        GIFTS,
    ),
    question(
        "::Thirds::",
        "Thirds",
        "multiple",
        "Pick the three primary colours.",
        [
            ("Red", True, None),
            ("Blue", True, None),
            ("Yellow", True, None),
            ("Green", False, None),
            ("Purple", False, None),
        ],
        GIFTS,
    ),
    question(
        "::Two equals::",
        "Two equals",
        "multiple",
        "Which are allowed?",
        [("Coffee", True, None), ("Lunch", True, None), ("A watch", False, None)],
        GIFTS,
    ),
    question(
        "::Partial credit::",
        "Partial credit",
        "single",
        "Where must you report a gift?",
        [("The register", True, None), ("Your manager", False, None), ("Nowhere", False, None)],
        GIFTS,
    ),
    question("::Long false::", "Long false", "truefalse", "Cash gifts are acceptable.", tf(False), GIFTS),
    # {TRUE#wrong#right}: the right answer is True, so True gets the second feedback, False the first.
    question(
        "::TF feedback::",
        "TF feedback",
        "truefalse",
        "You may accept a small gift.",
        tf(True, "Correct.", "Small gifts are fine."),
        GIFTS,
    ),
    question(
        "::tf lower case::",
        "tf lower case",
        "truefalse",
        "Cash is a gift.",
        tf(False, "It is a gift, and never allowed.", "Right, cash is never allowed."),
        GIFTS,
        explanation="Cash is always a gift.",
    ),
    question("::Short F::", "Short F", "truefalse", "Hospitality is never a gift.", tf(False), GIFTS),
    question(
        "::Escapes",
        "Escapes: all::",
        "single",
        # "\+" is no GIFT escape, so its backslash stays, as in Moodle.
        "1 \\+ 1 = 2? Braces {x}, tilde ~, hash #, backslash \\, colon: end\nsecond line",
        [("Yes = right", True, "Correct # indeed"), ("No ~ wrong", False, "Wrong: see {rules}")],
        ESCAPES,
        explanation="Escaped #### is not general feedback",
    ),
    question(
        "::HTML::",
        "HTML",
        "single",
        "Is this & safe? Second paragraph",
        [("Yes <really>", True, "Good"), ("<b>No</b>", False, "<kept>")],
        FORMATS,
        markup_removed=True,
    ),
    question("::Entities only::", "Entities only", "truefalse", "Is 1 < 2 && 3 > 2?", tf(True), FORMATS),
    question(
        "::Markdown::",
        "Markdown",
        "single",
        "Is **this** _markdown_?",
        [("Yes, **kept**", True, None), ("No", False, None)],
        FORMATS,
    ),
    question("::Plain::", "Plain", "truefalse", "Is <b>this</b> plain?", tf(False), FORMATS),
    # The general feedback is [html], so its tags are removed.
    question(
        "::Moodle::",
        "Moodle",
        "truefalse",
        "Is <i>this</i> Moodle format?",
        tf(True),
        FORMATS,
        explanation="General feedback",
        markup_removed=True,
    ),
    question(
        "::Unknown format::",
        "Unknown format",
        "single",
        "[xyz] Is this text?",
        [("Yes", True, None), ("No", False, None)],
        FORMATS,
    ),
    question(
        "::贈答品::",
        "贈答品",
        "single",
        "取引先からの贈答品はどうしますか？",
        [("登録簿に記録する", True, "正解です。"), ("黙って受け取る", False, "誤りです。")],
        [],
        explanation="贈答品は必ず記録します。",
    ),
]


def test_fixture_has_no_errors():
    result = parse(FIXTURE)
    assert result.errors == []
    assert [q.line for q in result.questions] == [q.line for q in EXPECTED]


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda q: q.title or "untitled")
def test_fixture_question_field_by_field(expected):
    [actual] = [q for q in parse(FIXTURE).questions if q.line == expected.line]
    assert actual.title == expected.title
    assert actual.kind == expected.kind
    assert actual.prompt == expected.prompt
    assert actual.choices == expected.choices
    assert actual.explanation == expected.explanation
    assert actual.tags == expected.tags
    assert actual.markup_removed == expected.markup_removed


def test_fixture_unsupported_types_are_skipped_by_line_and_not_imported():
    result = parse(FIXTURE)
    assert result.skipped == [
        GiftProblem(line_of("::Essay::"), gift_result.UNSUPPORTED_ESSAY, "Essay"),
        GiftProblem(line_of("::Matching::"), gift_result.UNSUPPORTED_MATCHING, "Matching"),
        GiftProblem(line_of("::Numerical::"), gift_result.UNSUPPORTED_NUMERICAL, "Numerical"),
        GiftProblem(line_of("::Short answer::"), gift_result.UNSUPPORTED_SHORT_ANSWER, "Short answer"),
        GiftProblem(line_of("::Missing word::"), gift_result.UNSUPPORTED_MISSING_WORD, "Missing word"),
        GiftProblem(
            line_of("::Description::"),
            gift_result.UNSUPPORTED_DESCRIPTION,
            "This text has no answers, so it is a description.",
        ),
    ]
    titles = {q.title for q in result.questions}
    assert titles.isdisjoint({"Essay", "Matching", "Numerical", "Short answer", "Missing word", "Description"})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Capital of France? {=Paris}", gift_result.UNSUPPORTED_SHORT_ANSWER),  # one = and no ~ is short answer
        ("Capital of France? {=%100%Paris#Yes =%50%paris}", gift_result.UNSUPPORTED_SHORT_ANSWER),
        ("Two plus {=two =2} equals four.", gift_result.UNSUPPORTED_SHORT_ANSWER),  # the type wins over missing word
        ("Tell us. {####General feedback only}", gift_result.UNSUPPORTED_ESSAY),
        ("A number from 1 to 5? {#1..5}", gift_result.UNSUPPORTED_NUMERICAL),
        ("Pi? {#=%100%3.14:0.005 =%50%3.1:0.05 ~#No}", gift_result.UNSUPPORTED_NUMERICAL),
        ("Match. {=cat -> cat food =dog -> dog food}", gift_result.UNSUPPORTED_MATCHING),
        ("Grant is {T} buried in the tomb.", gift_result.UNSUPPORTED_MISSING_WORD),
        ("{=entombed ~buried} is the word.", gift_result.UNSUPPORTED_MISSING_WORD),
        ("::Only text:: no braces at all", gift_result.UNSUPPORTED_DESCRIPTION),
    ],
)
def test_other_forms_of_unsupported_types(text, code):
    result = parse(f"// leading comment\n\n{text}\n")
    assert result.questions == [] and result.errors == []
    assert [(p.line, p.code) for p in result.skipped] == [(3, code)]


ERRORS_FILE = """\
// A file with one syntax error per question; lines are counted from 1, comments and blank lines included.
::Unclosed:: Where? {
=Here
~There

::Fine:: This one is valid. {T}

::Stray:: Where } is the brace?

::::Empty title? {T}

::Unclosed title Where? {T}

::No answers:: Capital of France? {Paris}

::Empty answer:: Which? {=Right ~ }

::One answer:: Which? {~Only}

::Lead:: Which? {some text ~a =b}

::Bad weight:: Which?
{
~%50%a
~%abc%b
}

::Too big:: Which? {~%150%a ~b}

::Weighted equals:: Which? {=%50%a ~b}

::Nobody right:: Which? {~a ~b}

::All negative:: Which? {~%-50%a ~%0%b}

::Blank::
{T}

::Two blocks:: Which? {=a ~b} and {T}

::Stray after:: Which? {=a ~b} }

::Only html:: [html]<script>x</script> {T}

::Nested:: Which? {=a {x} ~b}
"""


def test_syntax_errors_each_with_its_line():
    result = parse(ERRORS_FILE)
    assert [(e.line, e.code) for e in result.errors] == [
        (2, gift_result.UNCLOSED_BRACE),
        (8, gift_result.STRAY_BRACE),
        (10, gift_result.EMPTY_TITLE),
        (12, gift_result.UNCLOSED_TITLE),
        (14, gift_result.NO_ANSWERS),
        (16, gift_result.EMPTY_ANSWER),
        (18, gift_result.TOO_FEW_ANSWERS),
        (20, gift_result.TEXT_BEFORE_ANSWERS),
        (25, gift_result.BAD_WEIGHT),  # the line of the bad answer, not of the question
        (28, gift_result.BAD_WEIGHT),
        (30, gift_result.BAD_WEIGHT),
        (32, gift_result.NO_CORRECT_ANSWER),
        (34, gift_result.NO_CORRECT_ANSWER),
        (36, gift_result.EMPTY_QUESTION),
        (39, gift_result.EXTRA_ANSWER_BLOCK),
        (41, gift_result.STRAY_BRACE),
        (43, gift_result.EMPTY_QUESTION),
        (45, gift_result.UNCLOSED_BRACE),
    ]
    # Valid questions are still read, but with errors the caller imports nothing.
    assert [q.title for q in result.questions] == ["Fine"]
    assert result.skipped == []


def test_error_details_are_short_snippets():
    errors = {e.line: e for e in parse(ERRORS_FILE).errors}
    assert errors[25].detail == "~%abc%"
    assert errors[28].detail == "~%150%"
    assert errors[30].detail == "=%50%"
    assert errors[14].detail == "Paris"
    long = parse("::Long:: Q? {" + "x" * 200 + "}").errors[0]
    assert len(long.detail) == 80 and long.detail.endswith("…")


def test_problem_reads_as_a_line_of_the_command_line():
    assert str(GiftProblem(7, gift_result.BAD_WEIGHT, "~%abc%")) == f"line 7: {CODES[gift_result.BAD_WEIGHT]}: ~%abc%"
    assert str(GiftProblem(3, gift_result.UNSUPPORTED_ESSAY)) == f"line 3: {CODES[gift_result.UNSUPPORTED_ESSAY]}"


def test_codes_are_a_fixed_described_set():
    assert set(CODES) == {
        "unsupported_description",
        "unsupported_essay",
        "unsupported_matching",
        "unsupported_numerical",
        "unsupported_short_answer",
        "unsupported_missing_word",
        "unclosed_title",
        "empty_title",
        "unclosed_brace",
        "stray_brace",
        "extra_answer_block",
        "empty_question",
        "no_answers",
        "text_before_answers",
        "empty_answer",
        "too_few_answers",
        "bad_weight",
        "no_correct_answer",
        "control_character",
    }
    for code, description in CODES.items():
        assert getattr(gift_result, code.upper()) == code
        assert description and description.isascii()


@pytest.mark.parametrize(
    ("answers", "kind", "right"),
    [
        ("=a ~b ~c", "single", [True, False, False]),
        ("=a =b ~c", "multiple", [True, True, False]),  # several = answers
        ("=a ~%50%b ~c", "single", [True, False, False]),  # partial credit is not a right answer
        ("=a ~%100%b ~c", "multiple", [True, True, False]),
        ("~%100%a ~b", "multiple", [True, False]),  # no =: Moodle's several-answer question
        ("~%50%a ~%50%b ~%-100%c", "multiple", [True, True, False]),
    ],
)
def test_which_answers_are_right(answers, kind, right):
    [question] = parse(f"Q? {{{answers}}}").questions
    assert question.kind == kind
    assert [correct for _, correct, _ in question.choices] == right


def test_weights_accept_decimals_and_the_range_ends():
    result = parse("Q? {~%100%a ~%-100%b ~%.5%c ~%+0.0%d ~%-33.33333%e}")
    assert result.errors == []
    assert [correct for _, correct, _ in result.questions[0].choices] == [True, False, True, False, False]


def test_percent_sign_in_answer_text_is_not_a_weight():
    [question] = parse("Q? {=%d of 100% ~none}").questions  # Moodle's %weight% has no spaces
    assert question.choices[0] == ("%d of 100%", True, None)


def test_crlf_bom_and_url_in_text():
    result = parse("\ufeff// c\r\n::A:: See http://example.com {T}\r\n\r\n::B:: B? {F}\r\n")
    assert [(q.line, q.title, q.prompt) for q in result.questions] == [
        (2, "A", "See http://example.com"),
        (4, "B", "B?"),
    ]


def test_comment_between_questions_without_blank_line_is_an_error_as_in_moodle():
    # Only blank lines separate questions, so these two are one question with two answer blocks.
    result = parse("::A:: A? {T}\n// next\n::B:: B? {F}\n")
    assert [(e.line, e.code) for e in result.errors] == [(3, gift_result.EXTRA_ANSWER_BLOCK)]


def test_moodle_export_sample_is_read():
    text = (
        "// question: 0  name: Switch category to $course$/top/Default for Course\n"
        "$CATEGORY: $course$/top/Default for Course\n\n\n"
        "// question: 12  name: Q1\n"
        "::Q1::[html]<p>Who\\: which?</p>{\n"
        "\t=<p>A</p>#<p>Yes</p>\n"
        "\t~%-50%<p>B</p>\n"
        "\t~%100%<p>C</p>\n"
        "\t####<p>General</p>\n"
        "}\n"
    )
    [question] = parse(text).questions
    assert question.tags == ["top", "Default for Course"]
    assert (question.line, question.kind, question.prompt) == (6, "multiple", "Who: which?")
    assert question.choices == [("A", True, "Yes"), ("B", False, None), ("C", True, None)]
    assert question.explanation == "General" and question.markup_removed


# --- [html] sanitising ---------------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="//evil"></iframe>',
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<style>*{}</style>",
    '<div style="background:url(javascript:alert(1))">',
    "<scr<script>ipt>alert(1)</script>",
    "<!-- <script>alert(1)</script> -->",
]
MARKUP = ("<", "script", "javascript:", "onerror", "onload", "iframe")


def html_question(payload: str) -> GiftQuestion:
    """A question with payload as [html] prompt, answer and feedback (GIFT-escaped, as Moodle exports)."""
    p = gift_escape(payload)
    result = parse(f"::X::[html]Before {p} after {{=ok {p} #fb {p} ~no####gen {p}}}")
    assert result.errors == [] and result.skipped == []
    return result.questions[0]


def texts_of(question: GiftQuestion) -> list[str]:
    return [question.prompt, question.explanation] + [t for text, _, fb in question.choices for t in (text, fb or "")]


@pytest.mark.parametrize("payload", XSS)
def test_html_markup_does_not_survive(payload):
    question = html_question(payload)
    for text in texts_of(question):
        assert not any(bad in text.lower() for bad in MARKUP), text
    # An unclosed <svg> is dropped with everything after it: safe, if thorough.
    assert question.prompt.startswith("Before")
    assert question.markup_removed


def test_all_xss_at_once_leaves_plain_words():
    question = html_question(" ".join(XSS))
    assert question.prompt.startswith("Before") and question.prompt.endswith("after")
    assert "<" not in question.prompt and "script" not in question.prompt
    assert question.markup_removed


def test_entity_escaped_markup_is_plain_text_not_markup():
    # &lt;script&gt; in HTML means the characters "<script>": that is the plain text, and nothing was removed.
    # Prompts are plain text, escaped when rendered, so it shows as text and never runs.
    question = html_question("&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;")
    assert question.prompt == "Before <script>alert(1)</script> <b> after"
    assert not question.markup_removed
    assert "<script>" not in str(escape(question.prompt))


def test_markdown_plain_and_moodle_texts_are_not_sanitised():
    for name in ("markdown", "plain", "moodle"):
        [question] = parse(f"[{name}] Is <b>x</b> ok? {{T}}").questions
        assert question.prompt == "Is <b>x</b> ok?" and not question.markup_removed


# --- to_specs ------------------------------------------------------------------------------------------------


def gq(title, kind="single", choices=None, prompt="P", explanation="E") -> GiftQuestion:
    choices = choices or [("A", True, "fa"), ("B", False, None)]
    return GiftQuestion(1, title, kind, prompt, choices, explanation, [], False)


def test_specs_fill_the_given_language_and_leave_the_other_empty():
    [spec] = to_specs([gq("Gift limit")], "ja")
    assert spec == QuestionSpec(
        "gift-limit",
        "single",
        {"ja": "P", "en": ""},
        {"ja": "E", "en": ""},
        [
            ChoiceSpec({"ja": "A", "en": ""}, True, {"ja": "fa", "en": ""}),
            ChoiceSpec({"ja": "B", "en": ""}, False, None),
        ],
    )
    [spec] = to_specs([gq("Gift limit")], "en")
    assert spec.prompt == {"ja": "", "en": "P"} and spec.choices[0].text == {"ja": "", "en": "A"}


def test_specs_of_truefalse_use_the_product_texts_in_both_languages():
    [spec] = to_specs([gq("T", "truefalse", [("True", False, "no"), ("False", True, None)])], "en")
    assert [c.text for c in spec.choices] == [TRUE_FALSE_TEXT[0], TRUE_FALSE_TEXT[1]]
    assert [c.correct for c in spec.choices] == [False, True]
    assert spec.choices[0].feedback == {"ja": "", "en": "no"} and spec.choices[1].feedback is None
    spec.choices[0].text["en"] = "changed"
    assert TRUE_FALSE_TEXT[0]["en"] == "True"  # a copy, not the shared constant


def test_keys_are_slugs_or_numbered_and_never_clash():
    titles = ["Gift limit", "Gift limit", None, "贈答品", "Café Rules!", "--", "gift-limit-2", "X" * 100]
    keys = [s.key for s in to_specs([gq(t) for t in titles], "en", existing_keys={"gift-1", "cafe-rules"})]
    assert keys == [
        "gift-limit",
        "gift-limit-2",
        "gift-2",
        "gift-3",
        "cafe-rules-2",
        "gift-4",
        "gift-limit-2-2",
        "x" * 60,
    ]
    assert all(SLUG_RE.match(key) and len(key) <= 60 for key in keys)


def test_keys_of_long_clashing_titles_stay_within_60_characters():
    keys = [s.key for s in to_specs([gq("a" * 80), gq("a" * 80)], "en")]
    assert keys == ["a" * 60, "a" * 58 + "-2"]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        to_specs([gq("x")], "fr")
    with pytest.raises(ValueError, match="language"):
        export([], "fr")


def test_fixture_becomes_specs():
    specs = to_specs(parse(FIXTURE).questions, "en")
    assert len({s.key for s in specs}) == len(specs)
    assert [s.key for s in specs][:3] == ["gift-1", "gift-limit", "weighted"]
    assert {s.kind for s in specs} == {"single", "multiple", "truefalse"}


# --- export --------------------------------------------------------------------------------------------------


def bi(en: str, ja: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


def choice(en: str, ja: str, correct: bool, feedback: dict[str, str] | None = None) -> ChoiceSpec:
    return ChoiceSpec(bi(en, ja), correct, feedback)


def true_false(answer: bool, wrong: dict[str, str] | None = None, right: dict[str, str] | None = None):
    return [
        ChoiceSpec(dict(TRUE_FALSE_TEXT[0]), answer, right if answer else wrong),
        ChoiceSpec(dict(TRUE_FALSE_TEXT[1]), not answer, wrong if answer else right),
    ]


SPECIAL = "a~b=c#d{e}f:g \\ h"
SPECS = [
    QuestionSpec(
        "special-chars",
        "single",
        bi(f"Which one? {SPECIAL}\nsecond line", f"どれですか？ {SPECIAL}"),
        bi("Because ####.", "理由：#### です。"),
        [
            choice(f"Right {SPECIAL}", f"正解 {SPECIAL}", True, bi("fb = yes", "フィードバック：はい")),
            choice("%50% looks like a weight", "%50% は重みではない", False, bi("[html]<b>not html</b>", "いいえ")),
            choice("[markdown] looks like a format", "[html] は形式ではない", False),
            choice("::not a title::", "：：題名ではない：：", False),
        ],
    ),
    QuestionSpec(
        "multiple-three",
        "multiple",
        bi("[html]<i>Pick</i> the gifts", "贈答品を選んでください"),
        bi("", ""),
        [
            choice("Wine", "ワイン", True, bi("Yes", "はい")),
            choice("Tickets", "チケット", True),
            choice("Lunch", "昼食", True),
            choice("Salary", "給与", False, bi("No", "いいえ")),
            choice("Bonus", "賞与", False),
        ],
    ),
    QuestionSpec(
        "multiple-one-right",
        "multiple",
        bi("Only one is right here", "正解は一つ"),
        bi("E", "解説"),
        [choice("A", "甲", True), choice("B", "乙", False)],
    ),
    QuestionSpec(
        "tf-true-both",
        "truefalse",
        bi("True?", "正しい？"),
        bi("E", "解説"),
        true_false(True, bi("wrong #1", "誤り"), bi("right {2}", "正解")),
    ),
    QuestionSpec(
        "tf-false-right-only",
        "truefalse",
        bi("False?", "誤り？"),
        bi("", ""),
        true_false(False, None, bi("right", "正解")),
    ),
    QuestionSpec(
        "tf-false-wrong-only",
        "truefalse",
        bi("False again?", "再び誤り？"),
        bi("Ex", "解説"),
        true_false(False, bi("wrong", "誤り"), None),
    ),
]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_export_then_parse_gives_the_same_questions(language):
    result = parse(export(SPECS, language, category="Conduct/Gifts"))
    assert result.errors == [] and result.skipped == []
    back = to_specs(result.questions, language)
    assert [s.key for s in back] == [s.key for s in SPECS]
    for original, read in zip(SPECS, back, strict=True):
        assert read.kind == original.kind
        assert read.prompt[language] == original.prompt[language]
        assert read.explanation[language] == original.explanation[language]
        assert [c.correct for c in read.choices] == [c.correct for c in original.choices]
        assert [c.text[language] for c in read.choices] == [c.text[language] for c in original.choices]
        assert [(c.feedback or {}).get(language) for c in read.choices] == [
            (c.feedback or {}).get(language) for c in original.choices
        ]
    assert all(q.tags == ["Conduct", "Gifts"] and not q.markup_removed for q in result.questions)


def test_export_layout_and_weight_convention():
    text = export(SPECS[1:5], "en", category="$course$/top/Gifts")
    blocks = text.split("\n\n")
    assert blocks[0] == "$CATEGORY: $course$/top/Gifts"
    assert blocks[1] == (
        "::multiple-three:: [plain][html]<i>Pick</i> the gifts {\n"
        "\t~%33.33333%Wine #Yes\n"
        "\t~%33.33333%Tickets\n"
        "\t~%33.33333%Lunch\n"
        "\t~%-50%Salary #No\n"
        "\t~%-50%Bonus\n"
        "}"
    )
    assert blocks[2] == "::multiple-one-right:: [plain]Only one is right here {\n\t~%100%A\n\t~%-100%B\n\t####E\n}"
    assert blocks[3] == "::tf-true-both:: [plain]True? {TRUE#wrong \\#1#right \\{2\\}####E}"
    assert blocks[4] == "::tf-false-right-only:: [plain]False? {FALSE##right}\n"
    assert len(blocks) == 5


def test_export_escapes_special_characters():
    line = export(SPECS[:1], "en").splitlines()[0]
    assert line == "::special-chars:: [plain]Which one? a\\~b\\=c\\#d\\{e\\}f\\:g \\\\ h\\nsecond line {"


def test_export_without_category_starts_with_the_first_question():
    assert export(SPECS[3:4], "ja").startswith("::tf-true-both:: [plain]正しい？ {TRUE#誤り#正解####解説}")
    assert export([], "en") == "\n"


def test_a_control_character_in_a_question_is_an_error_on_its_line():
    text = "::A:: Fine {=a ~b}\n\n::B:: Q\x00? {=a ~b}\n\n// a comment may hold \x00\n::C:: ok {\n=a\n~b\x1f\n}\n"
    result = parse(text)
    assert [(e.line, e.code, e.detail) for e in result.errors] == [
        (3, gift_result.CONTROL_CHARACTER, "U+0000"),
        (8, gift_result.CONTROL_CHARACTER, "U+001F"),  # stripping the line would have dropped it unseen
    ]
    assert [q.title for q in result.questions] == ["A"]
    assert str(result.errors[0]) == f"line 3: {CODES[gift_result.CONTROL_CHARACTER]}: U+0000"


def test_a_control_character_in_a_category_line_is_an_error():
    result = parse("$CATEGORY: $course$/top/a\x01b\n\n::A:: Q? {=a ~b}\n")
    assert [(e.line, e.code) for e in result.errors] == [(1, gift_result.CONTROL_CHARACTER)]
