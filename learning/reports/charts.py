"""Plotly figures for the report pages, built on the server; the page's script only draws them.

Each figure is written as plotly's JSON (`{"data": [...], "layout": {...}}`) directly. plotly's
`graph_objects` validate every property as a figure is built and then serialise it again: about 25 ms for
one completion curve, on a page that a department head opens at the deadline with three charts on it. The
dicts below cost a fraction of a millisecond; tests/reports/test_charts.py validates each of them with
`graph_objects`, so a misspelt property still fails, in the suite rather than on every view.

Flask-free: the view passes every word a figure shows, already in the reader's language, and the reader's
locale, which picks how dates are written (`DATE_FORMATS`) and what plotly.js says itself (`plotly_locale`:
the served bundle knows English only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import plotly.io as pio
from babel.dates import get_day_names, get_month_names
from plotly.colors import get_colorscale
from plotly.utils import PlotlyJSONEncoder

from learning.reports.completion import DepartmentRow

# One colour per line, the whole scope first in the portal's blue; distinct on white and in print.
COLOURS = ("#1d4e89", "#c2410c", "#15803d", "#7e22ce", "#b45309", "#0e7490", "#be185d", "#4d7c0f", "#475569")
RUNNING_FILL = "#fde68a"


@dataclass(frozen=True)
class DateFormat:
    """How a date axis writes its ticks at each zoom level, and a day in a hover label (as the pages do)."""

    time: str
    day: str
    month: str
    year: str
    hover: str


DATE_FORMATS = {
    "ja": DateFormat("%-m月%-d日 %H:%M", "%-m月%-d日", "%Y年%-m月", "%Y年", "%Y/%m/%d"),
    "en": DateFormat("%b %-d %H:%M", "%b %-d", "%b %Y", "%Y", "%b %-d, %Y"),
}
DEFAULT_LOCALE = "ja"


def date_format(locale: str) -> DateFormat:
    return DATE_FORMATS.get(locale, DATE_FORMATS[DEFAULT_LOCALE])


def date_axis(locale: str, **settings) -> dict:
    """A date axis in the reader's way of writing dates, whatever the zoom (plotly's own ticks are English)."""
    f = date_format(locale)
    stops = [(None, 86400000, f.time), (86400000, "M1", f.day), ("M1", "M12", f.month), ("M12", None, f.year)]
    return {
        "type": "date",
        "hoverformat": f.hover,
        "tickformatstops": [{"dtickrange": [low, high], "value": value} for low, high, value in stops],
        **settings,
    }


def plotly_locale(locale: str, dictionary: dict[str, str]) -> dict:
    """plotly.js's words and date names for the reader: its own words (the modebar's, translated by the view)
    and month and day names from the CLDR, for anything plotly writes without a format of ours. Given to
    the plot's config (`locales`), not registered: registering "en" would replace the English formats plotly
    falls back on for the keys not given here (decimal point, thousands)."""
    if locale not in DATE_FORMATS:
        locale = DEFAULT_LOCALE
    days = get_day_names("wide", locale=locale)  # Monday is 0; plotly starts on Sunday
    short_days = get_day_names("abbreviated", locale=locale)
    months = get_month_names("wide", locale=locale)
    short_months = get_month_names("abbreviated", locale=locale)
    week = [6, 0, 1, 2, 3, 4, 5]
    return {
        "name": locale,
        "dictionary": dictionary,
        "format": {
            "days": [days[d] for d in week],
            "shortDays": [short_days[d] for d in week],
            "months": [months[m] for m in range(1, 13)],
            "shortMonths": [short_months[m] for m in range(1, 13)],
            "date": date_format(locale).hover,
        },
    }


@cache
def _blues() -> list:
    return get_colorscale("Blues")


@cache
def _template() -> str:
    """plotly's "plotly_white" template as JSON text, read once (the same for every figure)."""
    return json.dumps(pio.templates["plotly_white"], cls=PlotlyJSONEncoder)


def _figure(
    data: list[dict], title: str, margin: dict, narrow: dict | None = None, extra: dict | None = None, **settings
) -> dict:
    """The figure as plotly's JSON, with narrow side margins (axis labels push them wider where needed: a phone
    is 375 px wide). `narrow`: what charts.js changes in the layout on a narrow screen (merged into it);
    `extra`: shapes and annotations."""
    layout = {
        "title": {"text": title},
        "template": json.loads(_template()),
        "margin": {"l": 50, "r": 20, **margin},
        **settings,
        **(extra or {}),
    }
    drawn = {"data": data, "layout": layout}
    return {**drawn, "narrow": narrow} if narrow else drawn


def completion_bar(
    rows: list[DepartmentRow], *, title: str, x_title: str, y_title: str, count_title: str, depth: int = 1
) -> dict:
    """Completion rate per department (rolled up), for the departments down to `depth` levels."""
    shown = [r for r in rows if r.depth <= depth and r.total.counted]
    bar = {
        "type": "bar",
        "x": [r.name for r in shown],
        "y": [round(100 * (r.total.completion_rate or 0), 1) for r in shown],
        "text": [f"{r.total.completed}/{r.total.counted}" for r in shown],
        "marker": {"color": COLOURS[0]},
        "hovertemplate": f"%{{x}}<br>{y_title}: %{{y:.1f}}%<br>{count_title}: %{{text}}<extra></extra>",
    }
    return _figure(
        [bar],
        title,
        xaxis={"title": {"text": x_title}, "automargin": True},
        yaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": y_title}},
        margin={"t": 40, "b": 40},
        height=420,
    )


def completion_over_time(
    days: list, shares: list[float], due_on, *, locale: str, title: str, x_title: str, y_title: str, due_label: str
) -> dict:
    """Cumulative completion across the campaign's window, with the due date marked."""
    hover = date_format(locale).hover
    line = {
        "type": "scatter",
        "x": [d.isoformat() for d in days],
        "y": shares,
        "mode": "lines",
        "line": {"color": COLOURS[0]},
        "hovertemplate": f"%{{x|{hover}}}<br>{y_title}: %{{y:.1f}}%<extra></extra>",
    }
    due = due_on.isoformat()
    marks = {
        # The due date: a dashed line from the foot of the plot to its top, named at its top.
        "shapes": [
            {
                "type": "line",
                "x0": due,
                "x1": due,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "line": {"dash": "dash", "color": "#b42318"},
            }
        ],
        "annotations": [
            {"x": due, "y": 100, "text": due_label, "showarrow": False, "yanchor": "bottom", "xanchor": "right"}
        ],
    }
    # The axis reaches the due date even while the line (which stops today) has not.
    last = max([*days, due_on]).isoformat()
    first = days[0].isoformat() if days else due
    return _figure(
        [line],
        title,
        extra=marks,
        xaxis=date_axis(locale, range=[first, last], title={"text": x_title}),
        yaxis={"range": [0, 105], "ticksuffix": "%", "title": {"text": y_title}},
        height=420,  # the page keeps this much room for a chart before it is drawn
        margin={"t": 50},
    )


def score_heatmap(
    rows: list[DepartmentRow], modules: list[tuple[int, str]], cells, *, title: str, x_title: str, value_title: str
) -> dict:
    """Average best score, department × module; withheld cells stay empty. `value_title` names the figure in
    a hover label."""
    z = [
        [
            round(cells[(r.id, m)].total.average, 1)
            if cells[(r.id, m)].shown and cells[(r.id, m)].total.average is not None
            else None
            for m, _ in modules
        ]
        for r in rows
    ]
    heatmap = {
        "type": "heatmap",
        "z": z,
        "x": [name for _, name in modules],
        "y": [r.name for r in rows],
        "coloraxis": "coloraxis",
        "hoverongaps": False,
        "hovertemplate": f"%{{y}}<br>%{{x}}<br>{value_title}: %{{z:.1f}}<extra></extra>",
    }
    return _figure(
        [heatmap],
        title,
        height=max(300, 28 * len(rows) + 160),
        margin={"t": 50},
        xaxis={"title": {"text": x_title}, "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True, "dtick": 1},  # every department named; no title
        coloraxis={
            "cmin": 0,
            "cmax": 100,
            # plotly.py's "Blues" (ColorBrewer's), written out: plotly.js has a different palette by that name.
            "colorscale": [list(stop) for stop in _blues()],
        },
        # On a phone the colour scale goes above the cells, leaving them the width, and the module names stand
        # upright below them: more height, so that every department keeps its row.
        narrow={
            "coloraxis": {"colorbar": {"orientation": "h", "thickness": 12}},
            "height": 28 * len(rows) + 400,
        },
    )


def trend_lines(
    labels: list[str], lines: dict[str, list[float | None]], running: list[bool], *, title: str, x_title: str,
    y_title: str, running_label: str,
) -> dict:  # fmt: skip
    """Completion rate per period, one line per department (gaps where a department had no one).

    Every period is a category named by its label (no label is a date plotly could fail to read and drop).
    A running period's figures still grow: its points are open circles on a dotted line, in a shaded band
    named `running_label`, and their hover labels say so.
    """
    value = f"%{{fullData.name}}<br>%{{x}}<br>{y_title}: %{{y:.1f}}%"
    marked = [f"{value}<br>{running_label}<extra></extra>" if r else f"{value}<extra></extra>" for r in running]
    traces = []
    for n, (name, values) in enumerate(lines.items()):
        colour = COLOURS[n % len(COLOURS)]
        line = {"color": colour, "width": 3 if n == 0 else 2}
        y = [None if v is None else round(100 * v, 1) for v in values]
        traces.append(
            {
                "type": "scatter",
                "x": labels,
                "y": [None if r else v for v, r in zip(y, running, strict=True)],
                "name": name,
                "legendgroup": name,
                "mode": "lines+markers",
                "line": line,
                "connectgaps": False,
                "hovertemplate": f"{value}<extra></extra>",
            }
        )
        if any(running):
            # The running points, joined by a dotted line to the closed period just before them.
            before_running = [k + 1 < len(running) and running[k + 1] for k in range(len(running))]
            traces.append(
                {
                    "type": "scatter",
                    "x": labels,
                    "y": [v if r or b else None for v, r, b in zip(y, running, before_running, strict=True)],
                    "name": name,
                    "legendgroup": name,
                    "showlegend": False,
                    "mode": "lines+markers",
                    "line": {**line, "dash": "dot"},
                    "marker": {
                        "symbol": ["circle-open" if r else "circle" for r in running],
                        "size": [11 if r else 6 for r in running],
                        "line": {"width": 2, "color": colour},
                    },
                    "connectgaps": False,
                    "hovertemplate": marked,
                }
            )
    shapes, annotations = [], []
    for k, label in enumerate(labels):
        if running[k]:
            # The running period's band, from the foot of the plot to its top, behind the lines.
            shapes.append(
                {
                    "type": "rect",
                    "x0": k - 0.5,
                    "x1": k + 0.5,
                    "xref": "x",
                    "y0": 0,
                    "y1": 1,
                    "yref": "y domain",
                    "fillcolor": RUNNING_FILL,
                    "opacity": 0.35,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
            # The last period's note ends at the plot's edge rather than running past it (a phone is narrow).
            at = {"x": k + 0.5, "xanchor": "right"} if k == len(labels) - 1 else {"x": label}
            annotations.append(
                {**at, "y": 1, "yref": "paper", "yanchor": "bottom", "text": running_label, "showarrow": False}
            )
    return _figure(
        traces,
        title,
        extra={"shapes": shapes, "annotations": annotations} if shapes else None,
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels,
            "range": [-0.5, len(labels) - 0.5],  # each period a whole band, the running one shaded
            "title": {"text": x_title},
        },
        yaxis={"range": [0, 105], "ticksuffix": "%", "title": {"text": y_title}},
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0},
        height=460,
        margin={"t": 70},
    )


def rate_and_counts(
    labels: list[str], rates: list[float | None], counts: list[int], running: list[bool], *, title: str,
    x_title: str, rate_title: str, count_title: str, running_label: str,
) -> dict:  # fmt: skip
    """A share per period as a line (left axis, %) over a count per period as bars (right axis, whole
    numbers): a round's completion rate and its findings. The line's axis overlays the bars' so that it is
    drawn over them. A running period's point is an open circle and its hover labels say so."""
    note = [f"<br>{running_label}" if r else "" for r in running]
    y = [None if v is None else round(100 * v, 1) for v in rates]
    bars = {
        "type": "bar",
        "x": labels,
        "y": counts,
        "name": count_title,
        "marker": {"color": "#cbd5e1"},
        "customdata": note,
        "hovertemplate": f"%{{x}}<br>{count_title}: %{{y}}%{{customdata}}<extra></extra>",
    }
    line = {
        "type": "scatter",
        "x": labels,
        "y": y,
        "name": rate_title,
        "yaxis": "y2",
        "mode": "lines+markers",
        "line": {"color": COLOURS[0], "width": 3},
        "marker": {
            "symbol": ["circle-open" if r else "circle" for r in running],
            "size": [11 if r else 7 for r in running],
            "line": {"width": 2, "color": COLOURS[0]},
        },
        "connectgaps": False,
        "customdata": note,
        "hovertemplate": f"%{{x}}<br>{rate_title}: %{{y:.1f}}%%{{customdata}}<extra></extra>",
    }
    most = max(counts, default=0)
    return _figure(
        [bars, line],
        title,
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": labels, "title": {"text": x_title}},
        yaxis={
            "side": "right",
            "rangemode": "tozero",
            "range": [0, max(most, 1) * 1.1],
            "dtick": max(1, -(-most // 5)),  # whole findings only
            "showgrid": False,
            "title": {"text": count_title},
        },
        yaxis2={
            "overlaying": "y",
            "side": "left",
            "range": [0, 105],
            "tick0": 0,
            "dtick": 20,
            "ticksuffix": "%",
            "title": {"text": rate_title},
        },
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0},
        height=420,
        margin={"t": 70, "r": 50},
    )
