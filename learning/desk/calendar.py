"""Business days in Japan: weekends and national holidays (the `holidays` package) are not counted."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _japanese_holidays(year: int):
    return holidays.country_holidays("JP", years=year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _japanese_holidays(day.year)


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when end is not after start)."""
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        days += is_business_day(current)
    return days


def add_business_days(start: date, days: int) -> date:
    """The day `days` business days after `start` (so that business_days_between(start, it) == days)."""
    current = start
    for _ in range(days):
        current += timedelta(days=1)
        while not is_business_day(current):
            current += timedelta(days=1)
    return current
