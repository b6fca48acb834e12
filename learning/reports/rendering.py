"""The report charts with their words in the reader's language: titles, axes, hover labels, the names of a
series' periods, and plotly.js's own words (its modebar and notices). The figures are built in charts.py,
which knows no Flask; the words are put in here."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask_babel import format_date
from flask_babel import gettext as _

from learning.campaigns.models import Campaign
from learning.campaigns.periods import fiscal_year
from learning.errors import N_
from learning.i18n import current_locale
from learning.reports import charts
from learning.reports.completion import DepartmentRow

# What plotly.js (the served bundle, 4.x) writes itself on our charts: the English text is its dictionary's key.
PLOTLY_WORDS = (
    N_("Autoscale"),
    N_("Double-click on legend to isolate one trace"),
    N_("Double-click to zoom back out"),
    N_("Download plot"),
    N_("Download plot as a PNG"),
    N_("Pan"),
    N_("Reset axes"),
    N_("Image download succeeded"),
    N_("Preparing image - this may take a few seconds"),
    N_("Sorry, there was a problem downloading your image!"),
    N_("Zoom"),
    N_("Zoom in"),
    N_("Zoom out"),
)


def chart_locale() -> dict:
    """plotly.js's words and date names for the reader (charts.js hands them to every plot)."""
    return charts.plotly_locale(current_locale(), {word: _(word) for word in PLOTLY_WORDS})


def allow_chart_styles(response):
    """A chart page's policy (a blueprint's after_request): plotly.js writes style attributes as it draws;
    scripts stay 'self' only."""
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
    return response


def chart_words() -> dict:
    """A chart page's template words (a blueprint's context processor)."""
    return {"chart_locale": chart_locale}


def period_label(period: Campaign) -> str:
    """A period of a series as people name it: 2026年度 / FY2026, its halves and quarters; else its first day."""
    start, year = period.period_start, fiscal_year(period.period_start)
    months = (start.year - year) * 12 + start.month - 4  # since the fiscal year began on 1 April
    if period.recurrence == "yearly":
        return _("FY%(year)d", year=year)
    if period.recurrence == "half":
        return _("FY%(year)d first half", year=year) if months < 6 else _("FY%(year)d second half", year=year)
    if period.recurrence == "quarterly":
        return _("FY%(year)d Q%(quarter)d", year=year, quarter=months // 3 + 1)
    return format_date(start)


def period_labels(periods: list[Campaign]) -> list[str]:
    """One label per period, each different (a series whose recurrence changed falls back to first days)."""
    labels = [period_label(p) for p in periods]
    return labels if len(set(labels)) == len(labels) else [format_date(p.period_start) for p in periods]


def completion_charts(rows: list[DepartmentRow], days: list[date], shares: list[float], due_on: date):
    """The campaign page's two charts: completion by department, and completion over the window."""
    bar = charts.completion_bar(
        rows,
        title=_("Completion by department"),
        x_title=_("Department"),
        y_title=_("Completion rate"),
        count_title=_("Completed / counted"),
    )
    curve = charts.completion_over_time(
        days,
        shares,
        due_on,
        locale=current_locale(),
        title=_("Completion over the campaign"),
        x_title=_("Date"),
        y_title=_("Completed so far"),
        due_label=_("Due date"),
    )
    return bar, curve


def comprehension_heatmap(rows: list[DepartmentRow], modules: list[tuple[int, str]], cells) -> dict:
    return charts.score_heatmap(
        rows,
        modules,
        cells,
        title=_("Average best score"),
        x_title=_("Module"),
        value_title=_("Average best score"),
    )


def trend_chart(periods: list[Campaign], running: set[int], lines: dict[str, list[float | None]]) -> dict:
    """Completion per period of the series, every period plotted, the running ones marked."""
    return charts.trend_lines(
        period_labels(periods),
        lines,
        [p.id in running for p in periods],
        title=_("Completion rate by period"),
        x_title=_("Period"),
        y_title=_("Completion rate"),
        running_label=_("Running: figures still grow"),
    )


def inspection_trend_chart(starts: list[date], frequency: str, rates, findings, running: list[bool]) -> dict:
    """A round's completion rate and findings per period, the running periods marked."""
    periods = [SimpleNamespace(period_start=start, recurrence=frequency) for start in starts]
    return charts.rate_and_counts(
        period_labels(periods),
        rates,
        findings,
        running,
        title=_("Submissions and findings by period"),
        x_title=_("Period"),
        rate_title=_("Submission rate"),
        count_title=_("Findings"),
        running_label=_("Running: figures still grow"),
    )
