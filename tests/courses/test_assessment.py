"""The assessment rules: each fires on a crafted bank with the right file, line and figure, and stays quiet on
a good one; the shipped banks pass them (the test issue 15 names)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from learning.courses.formats import assessment as rules
from learning.courses.formats.checking import check
from learning.courses.formats.content import read_tree
from learning.courses.formats.cues import bank_stats, similarities
from learning.firstrun import CONTENT_DIR
from tests.courses.banks import choice, good_spec, line_of, question, scenario, write


def shown(problems) -> list[str]:
    return [p.labelled() for p in problems]


def test_a_good_bank_and_its_neighbour_have_no_finding(tmp_path):
    assert shown(check(write(tmp_path, good_spec(), good_spec("other-bank")))) == []


def test_longest_correct_share_with_its_figure(tmp_path):
    spec = good_spec()
    questions = list(spec.questions)
    for n in range(3):  # the correct option alone made longer in three of the six single-choice items
        q = questions[n]
        choices = [
            replace(c, text={"ja": c.text["ja"] + "す", "en": c.text["en"] + "s"}) if c.correct else c
            for c in q.choices
        ]
        questions[n] = replace(q, choices=choices)
    root = write(tmp_path, replace(spec, questions=questions))
    bank = root / "01-good-bank" / "questions.yaml"
    figure = "in 3 of 6 single-choice items (50%), threshold 40%: q1, q2, q3"
    assert shown(check(root)) == [
        f"{bank}:1: warning: correct option longest (ja) {figure}",
        f"{bank}:1: warning: correct option longest (en) {figure}",
    ]


def test_the_threshold_is_chance_plus_a_margin_when_that_is_lower():
    # Five options: chance is 20%, so the limit is 35%, not 40%.
    five = [question(f"q{n}", "single", 1, scenario(str(n)), {0}) for n in range(1, 5)]
    five = [replace(q, choices=[*q.choices, choice("案ナニヌ", "Plan xii", False)]) for q in five]
    assert rules.longest_limit(bank_stats(five)) == pytest.approx(0.35)


def test_unequal_options_and_a_correct_option_that_stands_out(tmp_path):
    spec = good_spec()
    q = spec.questions[1]  # q2: the second option is correct
    long = {"ja": "案カキク" + "とても長い説明を加えた選択肢", "en": "Plan two"}
    choices = [replace(c, text=long) if c.correct else c for c in q.choices]
    root = write(
        tmp_path, replace(spec, questions=[spec.questions[0], replace(q, choices=choices), *spec.questions[2:]])
    )
    bank = root / "01-good-bank" / "questions.yaml"
    line = line_of(bank, "choices:", after="id: q2")
    assert shown(check(root)) == [
        f"{bank}:{line}: warning: question 'q2' (ja): the longest option has 18 characters, the shortest 4; keep the "
        "longest within 2.5 times the shortest",
        f"{bank}:{line}: warning: question 'q2' (ja): the correct option has 18 characters, the longest wrong one 4; "
        "the correct one stands out beyond 1.5 times",
    ]


def test_true_false_balance(tmp_path):
    spec = good_spec()
    # q7 and q9 were the two "true" answers: all four are "false" now.
    questions = [
        replace(q, choices=[choice("正しい", "True", False), choice("誤り", "False", True)])
        if q.key in ("q7", "q9")
        else q
        for q in spec.questions
    ]
    root = write(tmp_path, replace(spec, questions=questions))
    assert shown(check(root)) == [
        f"{root}/01-good-bank/questions.yaml:1: warning: 0 of 4 true/false answers are 'true' (0%); keep between 35% "
        "and 65%"
    ]


def test_the_same_number_of_correct_options_in_every_multiple_select_item(tmp_path):
    spec = good_spec()
    questions = [
        replace(q, choices=[choice(c.text["ja"], c.text["en"], i < 2) for i, c in enumerate(q.choices)])
        if q.kind == "multiple"
        else q
        for q in spec.questions
    ]
    root = write(tmp_path, replace(spec, questions=questions))
    assert shown(check(root)) == [
        f"{root}/01-good-bank/questions.yaml:1: warning: 3 of 3 multiple-select items have exactly 2 correct options "
        "(100%); vary the number (the most common at most 67%)"
    ]


def test_a_key_word_cue(tmp_path):
    spec = good_spec()
    desk = {"ja": "窓口相談", "en": "The desk"}  # in every correct single-choice option, as long as the others
    questions = [
        replace(q, choices=[replace(c, text=desk) if c.correct else c for c in q.choices]) if q.kind == "single" else q
        for q in spec.questions
    ]
    root = write(tmp_path, replace(spec, questions=questions))
    bank = root / "01-good-bank" / "questions.yaml"
    assert shown(check(root)) == [
        f"{bank}:1: warning: 6 of 12 correct options (50%) but 0 of 24 wrong ones (0%) mention asking, reporting or "
        "the desk (ja): a gap above 20 points is a cue",
        f"{bank}:1: warning: 6 of 12 correct options (50%) but 0 of 24 wrong ones (0%) mention asking, reporting or "
        "the desk (en): a gap above 20 points is a cue",
    ]


def test_too_few_judgement_items_no_allowed_item_and_always_ask(tmp_path):
    spec = good_spec()
    questions = [
        replace(q, tags=[t for t in q.tags if t in ("section-1", "section-2", "section-3", "section-4")])
        for q in spec.questions
    ]
    questions[0] = replace(questions[0], tags=[*questions[0].tags, "judgement"])
    questions[0] = replace(
        questions[0],
        choices=[replace(c, text={"ja": "上司報告", "en": "Report"}) if c.correct else c for c in questions[0].choices],
    )
    root = write(tmp_path, replace(spec, questions=questions))
    bank = root / "01-good-bank" / "questions.yaml"
    messages = [p.text for p in check(root)]
    assert "1 of 13 questions are tagged judgement (8%); at least 60% should apply a rule to a situation" in messages
    assert (
        "no question is tagged allowed: the bank should include items whose right answer is 'that is allowed'"
        in messages
    )
    assert (
        "in every judgement question the right answer is to ask the desk or to report: include situations the "
        "learner can settle by applying the rule"
    ) in messages
    assert {p.file for p in check(root)} == {str(bank)}


def test_section_tags(tmp_path):
    spec = good_spec()
    questions = list(spec.questions)
    questions[2] = replace(questions[2], tags=["judgement"])  # q3 tested section 4: untagged now
    questions[6] = replace(questions[6], tags=["section-3", "section-4", "judgement"])  # q7: two sections
    questions[10] = replace(questions[10], tags=["section-9", "judgement"])  # q11: no such section
    questions[12] = replace(questions[12], tags=["section-1"])  # q13 tested section 4 too: no question does now
    root = write(tmp_path, replace(spec, questions=questions, draw=2))
    folder = root / "01-good-bank"
    bank = folder / "questions.yaml"
    assert shown(check(root)) == [
        f"{folder}/module.yaml:{line_of(folder / 'module.yaml', 'draw:')}: warning: 'draw' is 2, fewer than the 3 "
        "sections the questions test: a quiz cannot cover them all",
        f"{bank}:{line_of(bank, 'tags:', after='id: q3')}: warning: question 'q3' has no section-N tag",
        f"{bank}:{line_of(bank, 'tags:', after='id: q7')}: warning: question 'q7' has more than one section tag: "
        "section-3, section-4",
        f"{bank}:{line_of(bank, 'tags:', after='id: q11')}: warning: question 'q11' is tagged section-9, but the "
        "module has 4 sections",
        f"{next((folder / 'sections').glob('04-*.ja.md'))}:1: warning: no question tests section 4",
    ]


def test_a_question_without_tags_is_found_on_its_id_line(tmp_path):
    spec = good_spec()
    root = write(tmp_path, replace(spec, questions=[replace(spec.questions[0], tags=[]), *spec.questions[1:]]))
    bank = root / "01-good-bank" / "questions.yaml"
    assert f"{bank}:1: warning: question 'q1' has no section-N tag" in shown(check(root))


def test_near_duplicate_scenarios_name_both_files_and_lines(tmp_path):
    one, other = good_spec(), good_spec("other-bank")
    reworded = one.questions[3].prompt["ja"][:26] + "どうしますか"  # the same scenario, its ending reworded
    other = replace(
        other,
        questions=[
            *other.questions[:8],
            replace(other.questions[8], prompt={"ja": reworded, "en": "x"}),
            *other.questions[9:],
        ],
    )
    root = write(tmp_path, one, other)
    first, second = root / "01-good-bank" / "questions.yaml", root / "02-other-bank" / "questions.yaml"
    [problem] = check(root)
    line, other_line = line_of(first, "ja:", after="id: q4"), line_of(second, "ja:", after="id: q9")
    assert problem.labelled().startswith(
        f"{first}:{line}: warning: question 'q4' repeats the scenario of {second}:{other_line} (similarity 0."
    )
    assert problem.labelled().endswith(", threshold 0.40)")
    assert problem.params["score"] >= rules.DUPLICATE


def test_similarity_ignores_punctuation_and_spacing_but_not_the_situation():
    texts = ["同僚が、端末を貸してと言った。", "同僚が 端末を貸してと言った", "顧客が料金の内訳を尋ねてきた。"]
    scores = similarities(texts)
    assert scores[0][1] == pytest.approx(1.0)
    assert scores[0].get(2, 0.0) == 0.0


def test_unknown_terms_are_errors_with_their_lines(tmp_path):
    spec = good_spec()
    spec = replace(
        spec,
        sections=[
            replace(spec.sections[0], body={"ja": "一行目。\n\n{{grid_compnay}}の話。", "en": "Body."}),
            *spec.sections[1:],
        ],
    )
    q = spec.questions[0]
    choices = [replace(q.choices[0], text={"ja": "案{{desk}}", "en": "Plan {{deks}}"}), *q.choices[1:]]
    spec = replace(spec, questions=[replace(q, choices=choices), *spec.questions[1:]])
    root = write(tmp_path, spec)
    folder = root / "01-good-bank"
    meta = folder / "module.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8") + "sources:\n- ja: 出典\n  en: 'Source of {{regulaton}}'\n", encoding="utf-8"
    )
    problems = check(root)
    known = (
        "{{asking_policy}}, {{compliance_contact}}, {{compliance_office}}, {{desk}}, {{desk_contact}}, "
        "{{grid_company}}, {{group}}, {{regulation}}, {{retail_company}}, {{whistleblowing_contact}}, "
        "{{whistleblowing_line}}"
    )
    bank, section = folder / "questions.yaml", next((folder / "sections").glob("01-*.ja.md"))
    section_line = line_of(section, "grid_compnay")
    assert sorted(shown(problems)) == sorted(
        [
            f"{meta}:{line_of(meta, 'Source of')}: error: unknown term {{{{regulaton}}}}; the terms are {known}",
            f"{section}:{section_line}: error: unknown term {{{{grid_compnay}}}}; the terms are {known}",
            f"{bank}:{line_of(bank, 'Plan {{deks}}')}: error: unknown term {{{{deks}}}}; the terms are {known}",
        ]
    )
    assert all(p.severity == "error" for p in problems)


def test_a_known_term_is_measured_as_the_learner_reads_it():
    # {{desk}} is 行為規制相談窓口 on the page: it mentions 相談 and 窓口, and is 8 characters, not 8 + braces.
    q = question("q1", "single", 1, "場面", {0})
    q = replace(q, choices=[replace(q.choices[0], text={"ja": "{{desk}}", "en": "{{desk}}"}), *q.choices[1:]])
    stats = bank_stats([q])
    assert stats.keywords["ja"].correct_with == 1 and stats.keywords["en"].correct_with == 1
    assert stats.longest["ja"] == ["q1"]  # 8 characters against 4


def test_cue_guesser_and_random_guesser():
    single = question("s", "single", 1, "場面", {0})
    single = replace(
        single,
        choices=[replace(single.choices[0], text={"ja": "長い長い案", "en": "Longer plan"}), *single.choices[1:]],
    )
    false = question("f", "truefalse", 1, "場面", {1})
    multiple = question("m", "multiple", 1, "場面", {0, 1, 2})  # four options of equal length: 3 of 4 tied
    stats = bank_stats([single, false, multiple])
    # Longest: right; "false": right; 3 longest of 4 tied: 1 chance in 4.
    assert stats.expected("ja") == pytest.approx((1 + 1 + 0.25) / 3)
    assert stats.expected() == pytest.approx((1 / 4 + 1 / 2 + 1 / 15) / 3)


def test_keyword_guesser_and_the_scores_kind_by_kind():
    """The guesser who picks what names the desk: one of two such options in a single-choice item (one right),
    the exact set in a multiple-select item (right here), chance where no option names it."""

    def asking(q, indices):
        texts = {i: {"ja": "窓口に聞く", "en": "Ask the desk"} for i in indices}
        return replace(q, choices=[replace(c, text=texts.get(i, c.text)) for i, c in enumerate(q.choices)])

    single = asking(question("s", "single", 1, "場面", {0}), {0, 1})
    multiple = asking(question("m", "multiple", 1, "場面", {2, 3}), {2, 3})
    silent = question("n", "single", 1, "場面", {0})
    false = question("f", "truefalse", 1, "場面", {1})
    stats = bank_stats([single, multiple, silent, false])
    assert stats.kinds == {"single": 2, "multiple": 1, "truefalse": 1}
    for lang in ("ja", "en"):
        assert stats.expected_of(("single", "multiple"), lang, keyword=True) == pytest.approx((1 / 2 + 1 + 1 / 4) / 3)
        assert stats.expected_of(("truefalse",), lang) == 1.0  # "false" on a false item
    assert stats.expected_of(("single", "multiple")) == pytest.approx((1 / 4 + 1 / 15 + 1 / 4) / 3)
    assert stats.expected_of(("truefalse",)) == 0.5
    assert stats.expected_of(("multiple",), "ja") == 0.0  # the 3 longest of 4: never the 2 that are right


def test_resolution_document_carries_the_computed_statistics():
    """docs/content-review-resolution.md shows the tables `content stats --markdown content/` prints now."""
    from learning.courses.formats.checking import stats_markdown

    document = (CONTENT_DIR.parent / "docs" / "content-review-resolution.md").read_text("utf-8")
    begin, end = "<!-- stats: begin -->\n", "<!-- stats: end -->"
    shown_now = document.split(begin, 1)[1].split(end, 1)[0].strip()
    assert shown_now == "\n".join(stats_markdown(read_tree(CONTENT_DIR)))


def test_shipped_content_passes_content_check_strictly():
    """`content check --strict content/`: no error and no warning."""
    assert shown(check(CONTENT_DIR)) == []


@pytest.mark.parametrize("spec", read_tree(CONTENT_DIR), ids=lambda spec: spec.slug)
def test_shipped_bank_cue_statistics_within_the_documented_thresholds(spec):
    """The figures behind each rule, per shipped bank, against content/README.md's thresholds."""
    stats = bank_stats(spec.questions)
    for lang in ("ja", "en"):
        assert stats.share_longest(lang) <= rules.longest_limit(stats), lang
        assert stats.keywords[lang].gap <= rules.KEYWORD_GAP, lang
    if stats.truefalse >= rules.MIN_TRUEFALSE:
        assert rules.TRUE_LOW <= stats.share_true() <= rules.TRUE_HIGH
    if stats.multiple() >= rules.MIN_MULTIPLE:
        assert stats.modal_count()[1] <= rules.MODAL_SHARE * stats.multiple()
    assert stats.judgement >= rules.JUDGEMENT_SHARE * stats.questions
    assert stats.allowed >= 1 and stats.judgement_not_asking >= 1
    assert stats.expected("ja") < spec.pass_mark / 100 and stats.expected("en") < spec.pass_mark / 100
