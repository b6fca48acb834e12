import random

import pytest

from learning.quizzes.grading import TamperedAnswers, grade, parse_answers, shuffled


def test_shuffled_keeps_every_choice():
    assert sorted(shuffled([5, 6, 7, 8], random.Random(3))) == [5, 6, 7, 8]


OFFERED = {10: ("single", [1, 2, 3]), 11: ("multiple", [4, 5, 6]), 12: ("truefalse", [7, 8])}


def test_parse_answers_reads_and_reports_unanswered():
    check = parse_answers({"q10": ["2"], "q11": ["4", "6"], "csrf_token": ["t"]}, OFFERED, {"csrf_token"})
    assert check.answers == {10: {2}, 11: {4, 6}}
    assert check.unanswered == [3]


@pytest.mark.parametrize(
    "form",
    [
        {"q99": ["1"]},  # a question not in this attempt
        {"q10": ["4"]},  # a choice of another question
        {"q10": ["1", "2"]},  # two answers to a single-choice question
        {"q10": ["abc"]},  # not a choice id at all
        {"score": ["100"]},  # an injected score
        {"q10": ["1"], "passed": ["true"]},
    ],
)
def test_tampered_forms_are_refused(form):
    with pytest.raises(TamperedAnswers):
        parse_answers(form, OFFERED, {"csrf_token"})


def test_grade_requires_the_exact_set():
    keys = {10: {1}, 11: {4, 6}, 12: {8}}
    result = grade({10: {1}, 11: {4}, 12: {8}}, keys, pass_mark=60)
    assert result.correct == {10: True, 11: False, 12: True}
    assert (result.correct_count, result.question_count, result.score, result.passed) == (2, 3, 66, True)
    assert not grade({10: {1}, 11: {4, 5, 6}, 12: {7}}, keys, pass_mark=60).passed


def test_pass_mark_is_inclusive():
    keys = {i: {1} for i in range(10)}
    answers = {i: {1} for i in range(8)}
    assert grade(answers, keys, pass_mark=80).passed
    assert not grade(answers, keys, pass_mark=81).passed
