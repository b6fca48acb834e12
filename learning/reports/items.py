"""Item analysis: how each quiz question performs. Pure: attempt scores and marks in, figures out.

Facility is the share of correct answers. Discrimination compares the share correct among the top 27%
of the attempts that drew the question (by attempt score) with the bottom 27%: a good question is
answered better by those who understood the module as a whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

GROUP_SHARE = 0.27
MIN_DRAWN_FOR_FLAGS = 10
TOO_EASY, TOO_HARD = 0.9, 0.3


@dataclass(frozen=True)
class ItemFigures:
    question_id: int
    drawn: int
    facility: float | None
    discrimination: float | None

    @property
    def flags(self) -> list[str]:
        if self.drawn < MIN_DRAWN_FOR_FLAGS or self.facility is None:
            return []
        flags = []
        if self.facility > TOO_EASY:
            flags.append("too_easy")
        if self.facility < TOO_HARD:
            flags.append("too_hard")
        if self.discrimination is not None and self.discrimination < 0:
            flags.append("negative")
        return flags


def analyse(scores: dict[int, int], marks: list[tuple[int, int, bool]]) -> dict[int, ItemFigures]:
    """`scores`: attempt id -> score; `marks`: (attempt id, question id, answered correctly)."""
    by_question: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for attempt_id, question_id, correct in marks:
        by_question[question_id].append((scores[attempt_id], attempt_id, bool(correct)))
    figures = {}
    for question_id, results in by_question.items():
        drawn = len(results)
        facility = sum(c for _, _, c in results) / drawn
        # Ranked by score, ties by attempt: the groups must not depend on the order the database returned the rows
        # in (PostgreSQL's differs between the report page's query and the annual report's).
        ranked = sorted(results, key=lambda r: (r[0], r[1]))
        size = int(drawn * GROUP_SHARE)
        discrimination = None
        if size >= 1:
            bottom, top = ranked[:size], ranked[-size:]
            discrimination = sum(c for _, _, c in top) / size - sum(c for _, _, c in bottom) / size
        figures[question_id] = ItemFigures(question_id, drawn, facility, discrimination)
    return figures
