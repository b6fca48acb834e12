"""An injectable "now": services ask the clock, tests and jobs can set it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def tokyo_date(moment: datetime) -> date:
    """The calendar day in Japan of an aware moment (reports and due dates count Japanese days)."""
    return moment.astimezone(TOKYO).date()


def freeze(at: datetime | None) -> None:
    """Pins now() to `at` (aware), or releases it with None. For tests and replayed jobs."""
    global _frozen
    _frozen = at


def fiscal_year(day: date) -> int:
    """The fiscal year (年度) a date belongs to: 2026-04-01 … 2027-03-31 is FY2026."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(moment: datetime) -> datetime:
    """00:00 in Tokyo on the 1 April that opened the fiscal year (年度) holding `moment`, as UTC."""
    return datetime(fiscal_year(tokyo_date(moment)), 4, 1, tzinfo=TOKYO).astimezone(UTC)
