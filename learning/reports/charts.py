"""Plotly figures for the report pages, built on the server; the page's script only draws them."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from learning.reports.completion import DepartmentRow


def completion_bar(rows: list[DepartmentRow], title: str, depth: int = 1) -> dict:
    """Completion rate per department (rolled up), for the departments down to `depth` levels."""
    shown = [r for r in rows if r.depth <= depth and r.total.counted]
    figure = go.Figure(
        go.Bar(
            x=[r.name for r in shown],
            y=[round(100 * (r.total.completion_rate or 0), 1) for r in shown],
            text=[f"{r.total.completed}/{r.total.counted}" for r in shown],
            marker_color="#1d4e89",
        )
    )
    figure.update_layout(
        title=title,
        yaxis={"range": [0, 100], "ticksuffix": "%"},
        margin={"t": 40, "b": 120},
        height=420,
        template="plotly_white",
    )
    return json.loads(figure.to_json())


def completion_over_time(days: list, shares: list[float], due_on, title: str, due_label: str) -> dict:
    """Cumulative completion across the campaign's window, with the due date marked."""
    figure = go.Figure(go.Scatter(x=[d.isoformat() for d in days], y=shares, mode="lines", line={"color": "#1d4e89"}))
    figure.add_vline(x=due_on.isoformat(), line_dash="dash", line_color="#b42318")
    figure.add_annotation(x=due_on.isoformat(), y=100, text=due_label, showarrow=False, yanchor="bottom")
    # The axis reaches the due date even while the line (which stops today) has not.
    last = max([*days, due_on]).isoformat()
    figure.update_layout(
        title=title,
        xaxis={"range": [days[0].isoformat() if days else due_on.isoformat(), last]},
        yaxis={"range": [0, 105], "ticksuffix": "%"},
        height=360,
        margin={"t": 50},
        template="plotly_white",
    )
    return json.loads(figure.to_json())


def score_heatmap(rows: list[DepartmentRow], modules: list[tuple[int, str]], cells, title: str) -> dict:
    """Average best score, department × module; withheld cells stay empty."""
    z = [
        [
            round(cells[(r.id, m)].total.average, 1)
            if cells[(r.id, m)].shown and cells[(r.id, m)].total.average is not None
            else None
            for m, _ in modules
        ]
        for r in rows
    ]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[name for _, name in modules],
            y=[r.name for r in rows],
            zmin=0,
            zmax=100,
            colorscale="Blues",
            hoverongaps=False,
        )
    )
    figure.update_layout(
        title=title,
        height=max(300, 28 * len(rows) + 120),
        margin={"l": 200, "t": 50},
        yaxis={"autorange": "reversed"},
        template="plotly_white",
    )
    return json.loads(figure.to_json())


def trend_lines(labels: list[str], lines: dict[str, list[float | None]], title: str) -> dict:
    """Completion rate per period, one line per department (gaps where a department had no one)."""
    figure = go.Figure(
        [
            go.Scatter(
                x=labels,
                y=[None if v is None else round(100 * v, 1) for v in values],
                mode="lines+markers",
                name=name,
                connectgaps=False,
            )
            for name, values in lines.items()
        ]
    )
    figure.update_layout(
        title=title, yaxis={"range": [0, 105], "ticksuffix": "%"}, height=420, template="plotly_white", margin={"t": 50}
    )
    return json.loads(figure.to_json())
