"""The desk's service level: an answer within SERVICE_LEVEL_DAYS business days of the day asked.

Per topic (category) for a period of days in Japan, usually a fiscal year (年度): how many questions were
asked, answered, answered within the level, are still open, are late, and the median business days to
the first answer. The desk statistics page and the annual report both read these figures, so they are
computed here once. Aggregates only: no asker, no text, no id leaves this module.

Everything is counted in days, never hours: an anonymous question keeps only the day it was asked
(services._start_of_day), so a finer measure would treat the two kinds differently.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.desk.calendar import business_days_between
from learning.desk.models import CATEGORIES, DeskQuestion

SERVICE_LEVEL_DAYS = 3
OPEN_STATUSES = ("new", "in_progress", "waiting")
# Late is the inbox's rule: while the desk waits for the asker the clock is the asker's, not the desk's.
LATE_STATUSES = ("new", "in_progress")
ALL = "all"  # the category of the total row


def is_late(status: str, business_days: int) -> bool:
    """Whether a question in `status`, asked `business_days` business days ago, is past the service level."""
    return status in LATE_STATUSES and business_days > SERVICE_LEVEL_DAYS


@dataclass(frozen=True)
class ServiceLevelRow:
    category: str  # a code of models.CATEGORIES, or ALL for the total
    asked: int  # questions asked in the period
    answered: int  # of those, answered (answered_at set: the first answer)
    within_level: int  # answered within SERVICE_LEVEL_DAYS business days of the day asked (days in Japan)
    still_open: int  # not answered yet and new / in progress / waiting, as of `now`
    late: int  # not answered, new or in progress, more than SERVICE_LEVEL_DAYS business days old as of `now`
    median_days: float | None  # median business days from the day asked to the first answer, of the answered

    @property
    def within_level_rate(self) -> float | None:
        return self.within_level / self.answered if self.answered else None


@dataclass(frozen=True)
class ServiceLevels:
    rows: list[ServiceLevelRow]  # one per category, in models.CATEGORIES order, empty ones with zeros
    total: ServiceLevelRow  # the sums; its median is over every answered question, not a median of medians


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    """The days of fiscal year `year` (年度, from 1 April): the first day and the first day of the next."""
    return date(year, 4, 1), date(year + 1, 4, 1)


def asked_between(start: date | None, end: date | None) -> list:
    """Conditions for questions whose day in Japan is in [start, end) (either end open when None)."""
    conditions = []
    if start is not None:
        conditions.append(DeskQuestion.asked_at >= _start_of_day(start))
    if end is not None:
        conditions.append(DeskQuestion.asked_at < _start_of_day(end))
    return conditions


def question_years(session: Session) -> list[int]:
    """The fiscal years in which questions were asked, newest first."""
    moments = session.scalars(select(DeskQuestion.asked_at).distinct())
    return sorted({clock.fiscal_year(clock.tokyo_date(moment)) for moment in moments}, reverse=True)


def span_of(years: list[int], today: date) -> tuple[date, date]:
    """The days of all these fiscal years, or of today's fiscal year when there are none."""
    if not years:
        return fiscal_year_bounds(clock.fiscal_year(today))
    return fiscal_year_bounds(min(years))[0], fiscal_year_bounds(max(years))[1]


@dataclass
class _Tally:
    asked: int = 0
    answered: int = 0
    within_level: int = 0
    still_open: int = 0
    late: int = 0
    days: list[int] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        for name in ("asked", "answered", "within_level", "still_open", "late"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days.extend(other.days)

    def row(self, category: str) -> ServiceLevelRow:
        median = float(statistics.median(self.days)) if self.days else None
        return ServiceLevelRow(
            category, self.asked, self.answered, self.within_level, self.still_open, self.late, median
        )


def service_levels(session: Session, start: date, end: date, now: datetime) -> ServiceLevels:
    """The service level per category of the questions asked on the days [start, end) in Japan, as of `now`.

    A question closed without an answer counts as asked only: it is neither answered nor open.
    """
    today = clock.tokyo_date(now)
    tallies = {category: _Tally() for category in CATEGORIES}
    rows = session.execute(
        select(DeskQuestion.category, DeskQuestion.status, DeskQuestion.asked_at, DeskQuestion.answered_at).where(
            *asked_between(start, end)
        )
    )
    for category, status, asked_at, answered_at in rows:
        tally = tallies.get(category, tallies["other"])  # a code no longer offered still counts in the total
        tally.asked += 1
        asked_day = clock.tokyo_date(asked_at)
        if answered_at is not None:
            days = business_days_between(asked_day, clock.tokyo_date(answered_at))
            tally.answered += 1
            tally.within_level += days <= SERVICE_LEVEL_DAYS
            tally.days.append(days)
        elif status in OPEN_STATUSES:
            tally.still_open += 1
            tally.late += is_late(status, business_days_between(asked_day, today))
    total = _Tally()
    for tally in tallies.values():
        total.add(tally)
    return ServiceLevels([tallies[c].row(c) for c in CATEGORIES], total.row(ALL))


def _start_of_day(day: date) -> datetime:
    """00:00 in Tokyo on `day`, as UTC (how asked_at is kept)."""
    return datetime.combine(day, time.min, clock.TOKYO).astimezone(UTC)
