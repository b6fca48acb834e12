"""An injectable "now": services ask the clock, tests and jobs can set it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Pins now() to `at` (aware), or releases it with None. For tests and replayed jobs."""
    global _frozen
    _frozen = at
