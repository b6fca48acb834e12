"""Cue statistics of a question bank: what a test-wise learner could score without knowing the rules.

A bank can be passed on cues rather than understanding (CONTENT-REVIEW.md, Critical 7): the correct option
is the longest, true/false answers lean one way, multiple-select items always have the same number of
correct options, the key names the desk. These are the figures behind the assessment rules
(assessment.py) and `flask content stats`. Texts are measured as a learner reads them: with the terms
substituted by their defaults (a `{{desk}}` is 行為規制相談窓口 on the page, not eleven braces and letters).

Pure: no database, no Flask.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from math import comb, log, sqrt

from learning.courses.formats.spec import LANGS, QuestionSpec
from learning.courses.terms import substitute

# Words that point at asking or reporting: the answer the old banks always rewarded.
KEYWORDS = {
    "ja": re.compile("窓口|報告|相談|上司"),
    "en": re.compile(r"\b(?:desk|report\w*|ask\w*|manager\w*|supervisor\w*)\b", re.IGNORECASE),
}
GUESSED_MULTIPLE = 3  # the cue-guesser's count for multiple-select items: the old banks' "3 of 5"


def shown(text: str, lang: str) -> str:
    """The text as a learner reads it (terms substituted with their defaults), without outer whitespace."""
    return substitute(text, lang).strip()


def mentions_asking(text: str, lang: str) -> bool:
    return bool(KEYWORDS[lang].search(shown(text, lang)))


def _lengths(question: QuestionSpec, lang: str) -> list[int]:
    return [len(shown(c.text[lang], lang)) for c in question.choices]


def correct_is_longest(question: QuestionSpec, lang: str) -> bool:
    """The correct option is strictly longer than every other (a tie is no cue)."""
    lengths = _lengths(question, lang)
    right = [n for n, c in zip(lengths, question.choices, strict=True) if c.correct]
    wrong = [n for n, c in zip(lengths, question.choices, strict=True) if not c.correct]
    return bool(right and wrong) and min(right) > max(wrong)


def has_tag(question: QuestionSpec, tag: str) -> bool:
    return tag in question.tags


def answer_asks(question: QuestionSpec) -> bool:
    """The right answer involves asking the desk or reporting, in either language.

    A choice item: a correct option mentions it. A true/false item: the statement judged does (whether it is
    true or false, the answer is then about asking)."""
    if question.kind == "truefalse":
        return any(mentions_asking(question.prompt[lang], lang) for lang in LANGS)
    return any(mentions_asking(c.text[lang], lang) for c in question.choices if c.correct for lang in LANGS)


@dataclass
class KeywordShare:
    """How many correct and how many wrong options of the choice items mention asking or reporting."""

    correct_with: int = 0
    correct: int = 0
    wrong_with: int = 0
    wrong: int = 0

    @property
    def gap(self) -> float:
        """Share of correct options that mention it minus the share of wrong ones (0 when either is empty)."""
        if not self.correct or not self.wrong:
            return 0.0
        return self.correct_with / self.correct - self.wrong_with / self.wrong


@dataclass
class BankStats:
    """The cue figures of one bank (or of several banks together)."""

    questions: int = 0
    single: list[str] = field(default_factory=list)  # keys of single-choice items
    longest: dict[str, list[str]] = field(default_factory=lambda: {lang: [] for lang in LANGS})
    chance_longest: float = 0.0  # the share a bank would show if option lengths were random: mean of 1/k
    truefalse: int = 0
    true_answers: int = 0
    multiple_counts: Counter = field(default_factory=Counter)  # number of correct options -> items
    keywords: dict[str, KeywordShare] = field(default_factory=lambda: {lang: KeywordShare() for lang in LANGS})
    judgement: int = 0
    allowed: int = 0
    judgement_not_asking: int = 0
    cue_score: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LANGS, 0.0))  # sums over items
    chance_score: float = 0.0  # sum over items
    # The same guessers item kind by item kind (kind -> sum over its items), and the guesser who picks what
    # mentions asking or reporting (choice items only): each strategy beside chance on the items it applies to.
    kinds: Counter = field(default_factory=Counter)  # kind -> items
    cue_by_kind: dict[str, Counter] = field(default_factory=lambda: {lang: Counter() for lang in LANGS})
    keyword_by_kind: dict[str, Counter] = field(default_factory=lambda: {lang: Counter() for lang in LANGS})
    chance_by_kind: Counter = field(default_factory=Counter)

    def share_longest(self, lang: str) -> float:
        return len(self.longest[lang]) / len(self.single) if self.single else 0.0

    def share_true(self) -> float:
        return self.true_answers / self.truefalse if self.truefalse else 0.0

    def multiple(self) -> int:
        return sum(self.multiple_counts.values())

    def modal_count(self) -> tuple[int, int]:
        """(the most common number of correct options, how many multiple-select items have it)."""
        return self.multiple_counts.most_common(1)[0] if self.multiple_counts else (0, 0)

    def expected(self, lang: str | None = None) -> float:
        """The expected score of the cue-guesser (lang given) or of a random guesser, as a share of items."""
        if not self.questions:
            return 0.0
        return (self.cue_score[lang] if lang else self.chance_score) / self.questions

    def expected_of(self, kinds: tuple[str, ...], lang: str | None = None, keyword: bool = False) -> float:
        """The expected share right on the items of `kinds`: the length/"false" guesser (lang given), the
        keyword guesser (keyword=True, lang given) or a random guesser (no lang)."""
        items = sum(self.kinds[k] for k in kinds)
        if not items:
            return 0.0
        sums = (self.keyword_by_kind if keyword else self.cue_by_kind)[lang] if lang else self.chance_by_kind
        return sum(sums[k] for k in kinds) / items


def sound(question: QuestionSpec) -> bool:
    """A question a learner could answer as written (a draft may hold others; completeness.py names them)."""
    right = sum(c.correct for c in question.choices)
    if question.kind == "multiple":
        return len(question.choices) >= 2 and right >= 1
    return len(question.choices) >= 2 and right == 1 and (question.kind != "truefalse" or len(question.choices) == 2)


def bank_stats(questions: list[QuestionSpec]) -> BankStats:
    """The figures of a bank; questions that are not sound yet (in a draft) are left out."""
    questions = [q for q in questions if sound(q)]
    stats = BankStats(questions=len(questions))
    chances = []
    for question in questions:
        stats.judgement += has_tag(question, "judgement")
        stats.allowed += has_tag(question, "allowed")
        stats.judgement_not_asking += has_tag(question, "judgement") and not answer_asks(question)
        chance = _random_score(question)
        stats.chance_score += chance
        stats.kinds[question.kind] += 1
        stats.chance_by_kind[question.kind] += chance
        for lang in LANGS:
            cue = _cue_score(question, lang)
            stats.cue_score[lang] += cue
            stats.cue_by_kind[lang][question.kind] += cue
            if question.kind != "truefalse":
                stats.keyword_by_kind[lang][question.kind] += _keyword_score(question, lang)
        if question.kind == "truefalse":
            stats.truefalse += 1
            stats.true_answers += question.choices[0].correct  # the first choice is "true" (questions.py)
            continue
        for lang in LANGS:
            share = stats.keywords[lang]
            for choice in question.choices:
                said = mentions_asking(choice.text[lang], lang)
                if choice.correct:
                    share.correct, share.correct_with = share.correct + 1, share.correct_with + said
                else:
                    share.wrong, share.wrong_with = share.wrong + 1, share.wrong_with + said
        if question.kind == "single":
            stats.single.append(question.key)
            chances.append(1 / len(question.choices))
            for lang in LANGS:
                if correct_is_longest(question, lang):
                    stats.longest[lang].append(question.key)
        else:
            stats.multiple_counts[sum(c.correct for c in question.choices)] += 1
    stats.chance_longest = sum(chances) / len(chances) if chances else 0.0
    return stats


def _cue_score(question: QuestionSpec, lang: str) -> float:
    """The chance that "pick the longest, answer false, pick the 3 longest" gets the item right.

    Ties in length are broken at random, so a tie gives the guesser a fraction."""
    if question.kind == "truefalse":
        return 0.0 if question.choices[0].correct else 1.0
    lengths = _lengths(question, lang)
    correct = {i for i, c in enumerate(question.choices) if c.correct}
    picks = 1 if question.kind == "single" else min(GUESSED_MULTIPLE, len(lengths))
    boundary = sorted(lengths, reverse=True)[picks - 1]
    above = {i for i, n in enumerate(lengths) if n > boundary}  # always picked
    tied = {i for i, n in enumerate(lengths) if n == boundary}  # picks - len(above) of these, at random
    if len(correct) != picks or not above <= correct or not correct - above <= tied:
        return 0.0
    return 1 / comb(len(tied), picks - len(above))


def _keyword_score(question: QuestionSpec, lang: str) -> float:
    """The chance that "pick what mentions the desk, asking or reporting" gets a choice item right.

    Single choice: one of the options that mention it, at random (any option when none does). Multiple select:
    exactly the options that mention it (a random guess when none does)."""
    said = {i for i, c in enumerate(question.choices) if mentions_asking(c.text[lang], lang)}
    correct = {i for i, c in enumerate(question.choices) if c.correct}
    if not said:
        return _random_score(question)
    if question.kind == "single":
        return len(said & correct) / len(said)
    return 1.0 if said == correct else 0.0


def _random_score(question: QuestionSpec) -> float:
    """A random guesser: one option of k, one of two, or any non-empty subset of k options."""
    if question.kind == "multiple":
        return 1 / (2 ** len(question.choices) - 1)
    return 1 / len(question.choices)


# Near-duplicate scenarios. Character bigrams, because Japanese has no spaces to split words on; weighted by
# TF-IDF and compared by cosine, because plain overlap (Jaccard, difflib) is dominated by what every scenario
# shares (送配電会社, どうすべきですか, the company's name) and ranked the old banks' repeated scenarios below
# unrelated recall items. Measured on the pre-issue-15 banks, the repeats CONTENT-REVIEW.md lists come first.
_DROPPED = {"Z", "P", "S", "C"}  # separators, punctuation, symbols, controls (unicodedata category initials)
GRAM = 2


def grams(text: str, lang: str = "ja") -> Counter:
    """The character bigrams of a text as shown, NFKC-folded, without spaces and punctuation."""
    folded = unicodedata.normalize("NFKC", shown(text, lang)).lower()
    letters = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in _DROPPED)
    return Counter(letters[i : i + GRAM] for i in range(len(letters) - GRAM + 1))


def similarities(texts: list[str], lang: str = "ja") -> list[dict[int, float]]:
    """For each text, its cosine similarity to every other text sharing a bigram (TF-IDF weights, the IDF
    smoothed so that a bigram in every text still counts a little, as in scikit-learn)."""
    counted = [grams(t, lang) for t in texts]
    frequency = Counter(g for c in counted for g in c)
    total = len(texts)
    idf = {g: log((1 + total) / (1 + n)) + 1 for g, n in frequency.items()}
    vectors = []
    for counts in counted:
        weights = {g: (1 + log(n)) * idf[g] for g, n in counts.items()}
        norm = sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({g: w / norm for g, w in weights.items()})
    holders: dict[str, list[int]] = {}
    for index, vector in enumerate(vectors):
        for g in vector:
            holders.setdefault(g, []).append(index)
    result: list[dict[int, float]] = [{} for _ in texts]
    for index, vector in enumerate(vectors):
        scores = result[index]
        for g, weight in vector.items():
            for other in holders[g]:
                if other != index:
                    scores[other] = scores.get(other, 0.0) + weight * vectors[other][g]
    return result
