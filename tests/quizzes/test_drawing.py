"""The fair draw, without an app: every section in each quiz, spread evenly, a retry of unseen questions."""

import random
from collections import Counter

import pytest

from learning.quizzes.drawing import fair_draw, section_of


def bank(sizes: dict[int | None, int]) -> list[tuple[str, int | None]]:
    """Questions "s<section>-<n>" for each section (None: untagged) with that many questions."""
    return [(f"s{section}-{n}", section) for section, count in sizes.items() for n in range(count)]


def sections_in(drawn, questions) -> Counter:
    where = dict(questions)
    return Counter(where[key] for key in drawn)


def test_section_of_reads_the_first_section_tag():
    assert section_of("judgement,section-3,allowed") == 3
    assert section_of(["section-12", "section-2"]) == 12
    assert section_of("judgement") is None and section_of("") is None
    assert section_of("section-x,sections-2") is None


@pytest.mark.parametrize("seed", range(200))
def test_every_section_is_covered_and_the_rest_spread_evenly(seed):
    questions = bank({1: 4, 2: 3, 3: 2, 4: 4, 5: 3})  # the shipped shape: 16 questions, 5 sections
    drawn = fair_draw(questions, 8, set(), random.Random(seed))
    assert len(drawn) == len(set(drawn)) == 8
    per_section = sections_in(drawn, questions)
    assert set(per_section) == {1, 2, 3, 4, 5}
    assert max(per_section.values()) - min(per_section.values()) <= 1  # 8 over 5: two each for three


@pytest.mark.parametrize("seed", range(50))
def test_untagged_questions_are_a_group_of_their_own(seed):
    questions = bank({1: 3, 2: 3, None: 3})
    per_section = sections_in(fair_draw(questions, 3, set(), random.Random(seed)), questions)
    assert per_section == Counter({1: 1, 2: 1, None: 1})


def test_a_draw_smaller_than_the_sections_takes_one_each_from_sections_chosen_at_random():
    questions = bank({1: 2, 2: 2, 3: 2, 4: 2, 5: 2})
    chosen = set()
    for seed in range(60):
        per_section = sections_in(fair_draw(questions, 3, set(), random.Random(seed)), questions)
        assert sorted(per_section.values()) == [1, 1, 1]
        chosen |= set(per_section)
    assert chosen == {1, 2, 3, 4, 5}  # not always the first three


def test_a_small_section_gives_what_it_has_and_the_others_take_the_rest():
    questions = bank({1: 1, 2: 6, 3: 6})
    for seed in range(50):
        per_section = sections_in(fair_draw(questions, 9, set(), random.Random(seed)), questions)
        assert per_section == Counter({1: 1, 2: 4, 3: 4})


def test_the_whole_bank_when_the_draw_is_larger():
    questions = bank({1: 2, 2: 1})
    assert sorted(fair_draw(questions, 8, set(), random.Random(1))) == ["s1-0", "s1-1", "s2-0"]


@pytest.mark.parametrize("seed", range(100))
def test_a_retry_draws_only_unseen_questions_when_the_bank_is_large_enough(seed):
    rng = random.Random(seed)
    questions = bank({1: 4, 2: 4, 3: 4, 4: 4, 5: 4})
    first = fair_draw(questions, 8, set(), rng)
    second = fair_draw(questions, 8, set(first), rng)
    assert set(second).isdisjoint(first)  # at most two of each section's four were seen
    assert set(sections_in(second, questions)) == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("seed", range(100))
def test_a_retry_in_the_shipped_shape_is_all_new_but_where_a_section_ran_out(seed):
    rng = random.Random(seed)
    questions = bank({1: 4, 2: 3, 3: 2, 4: 4, 5: 3})
    first = fair_draw(questions, 8, set(), rng)
    second = fair_draw(questions, 8, set(first), rng)
    # A section whose every question was drawn the first time gives one of them again; nothing else repeats.
    where = dict(questions)
    exhausted = {s for s in (1, 2, 3, 4, 5) if all(k in first for k, g in questions if g == s)}
    assert {where[k] for k in set(second) & set(first)} == exhausted
    assert len(set(second) & set(first)) == len(exhausted)
    assert set(sections_in(second, questions)) == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("seed", range(100))
def test_a_retry_falls_back_to_seen_questions_only_where_a_section_has_too_few(seed):
    rng = random.Random(seed)
    questions = bank({1: 1, 2: 5, 3: 5})
    first = fair_draw(questions, 6, set(), rng)
    second = fair_draw(questions, 6, set(first), rng)
    assert "s1-0" in first and "s1-0" in second  # the only question of section 1: seen again, but covered
    assert len(set(second) & set(first)) == 1  # every other one is new (sections 2 and 3 have enough)
    assert sections_in(second, questions)[1] == 1


def test_the_draw_is_not_always_the_same():
    questions = bank({1: 4, 2: 4})
    assert len({tuple(sorted(fair_draw(questions, 4, set(), random.Random(s)))) for s in range(20)}) > 1
