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
