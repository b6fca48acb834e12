"""The report charts tell the truth in the reader's language: every period plotted, the running one marked;
dates written the reader's way; every word a chart shows translated."""

import json
import re
from datetime import UTC, date, datetime

import pytest

from learning import clock
from learning.campaigns.models import Campaign
from learning.reports import charts, rendering
from learning.reports.completion import Counts, DepartmentRow
from learning.reports.comprehension import Cell, Scores
from tests.conftest import sign_in
from tests.factories import make_department, make_edition, make_launched_campaign, make_user
from tests.helpers import chart_in, plotted

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
ENGLISH_MONTH = re.compile(r"\b(" + "|".join(MONTHS + [m[:3] for m in MONTHS]) + r")\b")
TREND = {
    "title": "t",
    "x_title": "x",
    "y_title": "Completion rate",
    "running_label": "running",
}


def test_every_period_is_plotted_by_name_and_the_running_one_is_marked():
    labels = ["FY2024", "FY2025", "FY2026"]
    lines = {"Whole scope": [0.9, 0.95, 0.2], "Sales": [None, 0.8, 0.1]}
    figure = charts.trend_lines(labels, lines, [False, False, True], **TREND)
    # Categories named by the labels: nothing plotly could mistake for a date and drop.
    assert figure["layout"]["xaxis"]["type"] == "category"
    assert figure["layout"]["xaxis"]["categoryarray"] == labels
    assert plotted(figure, "Whole scope") == {"FY2024": 90.0, "FY2025": 95.0, "FY2026": 20.0}
    assert plotted(figure, "Sales") == {"FY2025": 80.0, "FY2026": 10.0}  # a gap where it had no one
    # The running point is drawn apart: an open circle on a dotted line that the legend does not repeat,
    # in a shaded band over its period, named in an annotation and in its hover label.
    closed, running = figure["data"][0], figure["data"][1]
    assert closed["y"] == [90.0, 95.0, None] and closed.get("showlegend", True)
    assert running["y"] == [None, 95.0, 20.0] and running["showlegend"] is False
    assert running["line"]["dash"] == "dot" and running["marker"]["symbol"][2] == "circle-open"
    assert "running" in running["hovertemplate"][2] and "running" not in running["hovertemplate"][1]
    (band,) = figure["layout"]["shapes"]
    assert (band["x0"], band["x1"]) == (1.5, 2.5)
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["running"]


def test_a_series_with_nothing_running_has_no_running_marks():
    figure = charts.trend_lines(["FY2024", "FY2025"], {"Whole scope": [0.9, 0.95]}, [False, False], **TREND)
    assert len(figure["data"]) == 1 and not figure["layout"].get("shapes") and not figure["layout"].get("annotations")


@pytest.fixture
def campaign_page(app, db):
    """A signed-in compliance officer and a running campaign's report page, in the language asked for."""
    clock.freeze(datetime(2026, 5, 12, 3, tzinfo=UTC))
    root = make_department(db, code="R")
    for _ in range(3):
        make_user(db, department=root)
    compliance = make_user(db, "compliance", department=root)
    campaign = make_launched_campaign(db, [make_edition(db)], compliance.id)
    db.commit()

    def page(locale: str) -> str:
        compliance.locale = locale
        db.commit()
        client = app.test_client()
        sign_in(client, compliance.employee_no)
        response = client.get(f"/reports/campaigns/{campaign.id}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return page


def chart_locale(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="chart-locale">(.*?)</script>', page).group(1))


def test_a_japanese_reader_gets_japanese_dates_and_no_english_month(campaign_page):
    page = campaign_page("ja")
    curve, locale = chart_in(page, "curve-chart"), chart_locale(page)
    axis = curve["layout"]["xaxis"]
    assert axis["type"] == "date" and axis["hoverformat"] == "%Y/%m/%d"  # as the page writes 2026/05/12
    assert [stop["value"] for stop in axis["tickformatstops"]][1:] == ["%-m月%-d日", "%Y年%-m月", "%Y年"]
    assert "%{x|%Y/%m/%d}" in curve["data"][0]["hovertemplate"]
    # No English month anywhere, and no format that would have plotly write one.
    for shown in (curve, chart_in(page, "completion-chart"), locale):
        text = json.dumps(shown, ensure_ascii=False)
        assert not ENGLISH_MONTH.search(text) and "%b" not in text and "%B" not in text
    assert locale["name"] == "ja" and locale["format"]["months"][:2] == ["1月", "2月"]
    assert locale["format"]["shortDays"][0] == "日"  # plotly's week starts on Sunday
    assert locale["dictionary"]["Zoom in"] == "拡大" and locale["dictionary"]["Reset axes"] == "軸を元に戻す"
    assert curve["layout"]["xaxis"]["title"]["text"] == "日付"


def test_an_english_reader_gets_english_dates(campaign_page):
    page = campaign_page("en")
    curve, locale = chart_in(page, "curve-chart"), chart_locale(page)
    axis = curve["layout"]["xaxis"]
    assert axis["hoverformat"] == "%b %-d, %Y"  # as the page writes May 12, 2026
    assert [stop["value"] for stop in axis["tickformatstops"]][1:] == ["%b %-d", "%b %Y", "%Y"]
    assert locale["name"] == "en" and locale["format"]["months"] == MONTHS
    assert locale["dictionary"]["Zoom in"] == "Zoom in"
    assert "年" not in json.dumps(curve, ensure_ascii=False)
    assert curve["layout"]["xaxis"]["title"]["text"] == "Date"


def words(figure: dict) -> list[str]:
    """Everything a figure writes in words of ours: titles, axis titles, notes, hover labels (the
    placeholders plotly fills and its markup taken out)."""
    layout = figure["layout"]
    found = [layout["title"]["text"]]
    found += [layout[axis]["title"]["text"] for axis in ("xaxis", "yaxis") if layout[axis].get("title")]
    found += [note["text"] for note in layout.get("annotations", [])]
    for trace in figure["data"]:
        templates = trace.get("hovertemplate") or []
        found += [templates] if isinstance(templates, str) else templates
    return [re.sub(r"%\{[^}]*\}|<[^>]*>|[%:/.\s\d-]", "", w) for w in found]


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_word_of_every_chart_is_in_the_readers_language(app, locale):
    """Department names and module titles are the data's own; every other word is ours, translated."""
    row = DepartmentRow(1, "R", "本社" if locale == "ja" else "Head office", 0, None)
    row.total = Counts(assigned=4, completed=3)
    cells = {(1, 7): Cell(Scores(scored=5, score_sum=400))}
    period = Campaign(id=1, recurrence="yearly", period_start=date(2026, 4, 1))
    with app.test_request_context(headers={"Accept-Language": locale}):
        bar, curve = rendering.completion_charts([row], [date(2026, 4, 1)], [0.0], date(2026, 6, 30))
        figures = [
            bar,
            curve,
            rendering.comprehension_heatmap([row], [(7, "M")], cells),
            rendering.trend_chart([period], {1}, {"W": [0.5]}),
        ]
        period_name = rendering.period_label(period)
    found = [w for figure in figures for w in words(figure)]
    assert all(found)
    if locale == "ja":
        assert period_name == "2026年度"
        assert [w for w in found if re.search("[A-Za-z]", w)] == []
    else:
        assert period_name == "FY2026"
        assert [w for w in found if not re.fullmatch(r"[A-Za-z ()]+", w)] == []


def test_periods_are_named_as_people_name_them(app, db):
    def named(recurrence, start, locale="ja"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            return rendering.period_label(Campaign(recurrence=recurrence, period_start=start))

    assert named("half", date(2026, 4, 1)) == "2026年度 上期" and named("half", date(2026, 10, 1)) == "2026年度 下期"
    assert named("quarterly", date(2027, 1, 1)) == "2026年度 第4四半期"
    assert named("quarterly", date(2027, 1, 1), "en") == "FY2026 Q4"
    assert named("none", date(2026, 5, 12)) == "2026/05/12"


def every_kind_of_chart() -> dict[str, dict]:
    rows = [
        DepartmentRow(1, "R", "Retail", 1, None, total=Counts(assigned=4, completed=3)),
        DepartmentRow(2, "R-S", "Sales", 2, 1, total=Counts(assigned=2, completed=1)),
    ]
    cells = {(1, 7): Cell(Scores(scored=4, score_sum=340)), (2, 7): Cell(Scores(scored=1, score_sum=90), shown=False)}
    days = [date(2026, 4, 1), date(2026, 4, 2)]
    return {
        "bar": charts.completion_bar(rows, title="t", x_title="x", y_title="y", count_title="c", depth=2),
        "curve": charts.completion_over_time(
            days, [10.0, 25.0], date(2026, 6, 30), locale="ja", title="t", x_title="x", y_title="y", due_label="due"
        ),
        "heatmap": charts.score_heatmap(rows, [(7, "Module")], cells, title="t", x_title="x", value_title="v"),
        "trend": charts.trend_lines(["FY2025", "FY2026"], {"All": [0.8, 0.4]}, [False, True], **TREND),
        "inspections": charts.rate_and_counts(
            ["Q1", "Q2"],
            [1.0, None],
            [3, 0],
            [False, True],
            title="t",
            x_title="x",
            rate_title="r",
            count_title="c",
            running_label="running",
        ),
    }


@pytest.mark.parametrize("kind", ["bar", "curve", "heatmap", "trend", "inspections"])
def test_each_chart_is_a_valid_plotly_figure_as_plotly_itself_would_write_it(kind):
    """The charts are written as plotly's JSON without its graph objects (charts.py says why): plotly validates
    them here, refusing any property it does not know, and writing them back changes nothing."""
    import plotly.graph_objects as go

    figure = every_kind_of_chart()[kind]
    figure.pop("narrow", None)  # charts.js's own, not plotly's
    validated = go.Figure(figure)  # raises ValueError on an unknown or ill-typed property
    assert json.loads(validated.to_json()) == json.loads(json.dumps(figure))
    assert figure["layout"]["template"]["layout"]["plot_bgcolor"] == "white"  # plotly_white, inline
