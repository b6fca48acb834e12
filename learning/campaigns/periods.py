"""Campaign periods: fiscal years from 1 April (Japan), halves and quarters of them. Pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from learning.clock import TOKYO, fiscal_year, tokyo_date

__all__ = ["TOKYO", "fiscal_year", "tokyo_date"]  # re-exported: periods is where callers look for Japanese days
RECURRENCES = ("none", "yearly", "half", "quarterly")
MONTHS = {"yearly": 12, "half": 6, "quarterly": 3}


def start_of_day(day: date) -> datetime:
    """00:00 in Tokyo on `day`, as UTC."""
    return datetime.combine(day, time.min, TOKYO).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last second of `day` in Tokyo, as UTC: a due date includes the whole day."""
    return start_of_day(day + timedelta(days=1)) - timedelta(seconds=1)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    days_in_month = [
        31,
        29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return date(year, month, min(day.day, days_in_month))


def period_containing(day: date, recurrence: str) -> tuple[date, date]:
    """The period (first day, first day of the next) of the fiscal calendar that contains `day`.

    The fiscal year starts on 1 April; halves start in April and October, quarters in April, July,
    October and January.
    """
    months = MONTHS[recurrence]
    fiscal_start = date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    offset = ((day.year - fiscal_start.year) * 12 + day.month - 4) // months * months
    start = add_months(fiscal_start, offset)
    return start, add_months(start, months)


def next_period(start: date, recurrence: str) -> tuple[date, date]:
    months = MONTHS[recurrence]
    return add_months(start, months), add_months(start, 2 * months)
