from datetime import date

import pytest

from learning.campaigns.audience import covered_departments
from learning.campaigns.periods import add_months, end_of_day, fiscal_year, next_period, period_containing


@pytest.mark.parametrize(
    ("day", "recurrence", "expected"),
    [
        (date(2026, 4, 1), "yearly", (date(2026, 4, 1), date(2027, 4, 1))),
        (date(2027, 3, 31), "yearly", (date(2026, 4, 1), date(2027, 4, 1))),
        (date(2026, 11, 27), "half", (date(2026, 10, 1), date(2027, 4, 1))),
        (date(2027, 2, 1), "quarterly", (date(2027, 1, 1), date(2027, 4, 1))),
        (date(2026, 8, 15), "quarterly", (date(2026, 7, 1), date(2026, 10, 1))),
    ],
)
def test_fiscal_periods(day, recurrence, expected):
    assert period_containing(day, recurrence) == expected


def test_next_period_and_month_ends():
    assert next_period(date(2026, 4, 1), "yearly") == (date(2027, 4, 1), date(2028, 4, 1))
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert fiscal_year(date(2027, 3, 31)) == 2026 and fiscal_year(date(2027, 4, 1)) == 2027


def test_due_date_covers_the_whole_day_in_tokyo():
    assert end_of_day(date(2026, 6, 30)).isoformat() == "2026-06-30T14:59:59+00:00"


def test_audience_subtrees_with_exclusions():
    parents = {1: None, 2: 1, 3: 2, 4: 2, 5: 1, 6: None}
    assert covered_departments([2], [4], parents, whole_organisation=False) == {2, 3}
    assert covered_departments([], [5], parents, whole_organisation=True) == {1, 2, 3, 4, 6}
