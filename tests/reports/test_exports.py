"""Exports that are evidence: every CSV and XLSX the portal hands out says what it covers, as of when and who
produced it, names its file with the day in Japan, shows times as Tokyo times across the UTC/JST day boundary
(00:00–09:00 in Japan is still the previous day in UTC), labels codes in the reader's language with the code
beside them, and gives Excel real dates, percentages, a frozen and filtered header and column widths."""

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.support import Translations
from openpyxl import load_workbook

from learning import clock
from learning.accounts import grants
from learning.accounts.models import AccessReview, AccessReviewItem
from learning.reports import exports, tables
from learning.reports.exports import Column, Table
from learning.reports.items import ItemFigures
from learning.training import services as training
from tests.conftest import sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_assignment, make_campaign_row, make_department, make_edition, make_user

EARLY = datetime(2026, 4, 1, 15, 10, tzinfo=UTC)  # 2026-04-02 00:10 in Japan, 1 April in UTC
LATE = datetime(2026, 4, 1, 23, 30, tzinfo=UTC)  # 2026-04-02 08:30 in Japan, 1 April in UTC
AFTER = datetime(2026, 4, 2, 3, tzinfo=UTC)  # noon in Japan on 2 April: both have happened
NAMED_AT = datetime(2026, 4, 1, 16, tzinfo=UTC)  # 01:00 on 2 April in Japan; still 1 April in UTC
PRODUCER = "法令 花子 (C0001)"

# Each export, its file name's start (before the date), and the labels of the scope lines in its heading.
EXPORTS = {
    "completion": ("/reports/campaigns/{campaign}", "completion-campaign{campaign}-all", ["Campaign", "Departments"]),
    "people": (
        "/reports/campaigns/{campaign}/departments/{branch}",
        "people-campaign{campaign}-BR1",
        ["Campaign", "Department"],
    ),
    "comprehension": (
        "/reports/campaigns/{campaign}/comprehension",
        "comprehension-campaign{campaign}-all",
        ["Campaign", "Departments", "Withheld"],
    ),
    "items": ("/reports/items/{edition}", "items-{slug}-v1", ["Edition", "Fiscal year", "Attempts"]),
    "trend": (
        "/reports/campaigns/{campaign}/trend",
        "trend-campaign{campaign}-all",
        ["Campaign series", "Departments"],
    ),
    "register": ("/access/register", "access-register-open", ["Filters"]),
    "review": ("/access/reviews/{review}", "access-review-{review}", ["Access review"]),
    "trail": ("/audit", "audit-trail-all", ["Filters", "Covers"]),
    "exemptions": ("/reports/exemptions", "exemptions-all-all", ["Filters", "Departments"]),
    "history": ("/reports/people/{person}/history", "history-{person}", ["Person"]),
}


@pytest.fixture
def world(db):
    """One branch with two people who completed a module on 2 April in Japan (00:10 and 08:30, both 1 April in
    UTC), a grant requested at 00:10 and approved at 08:30, an access review item of an account last used at
    00:10 and decided at 08:30, an exemption granted at 08:30 to someone at the top; the reader holds every role
    that reads exports."""
    clock.freeze(EARLY - timedelta(days=1))
    root = make_department(db, code="R")
    branch = make_department(db, code="BR1", parent=root)
    reader = make_user(
        db, "compliance", "auditor", "trainer", department=root, name="法令 花子", employee_no="C0001", locale="en"
    )
    admin, approver = make_user(db, "admin"), make_user(db, "compliance")
    edition = make_edition(db)
    campaign = make_campaign_row(db, edition)
    campaign.series_id = campaign.id
    people = []
    for completed_at in (EARLY, LATE):
        person = make_user(db, department=branch)
        # Due in 30 days: 2026-04-30 15:10 UTC, which is 00:10 on 1 May in Japan.
        make_assignment(db, person, edition, 30, campaign_id=campaign.id, status="completed", completed_at=completed_at)
        people.append(person)
    clock.freeze(EARLY)
    grant = grants.request_grant(db, people[0], "trainer", None, admin)
    clock.freeze(LATE)
    grants.approve(db, grant.id, approver)
    on_leave = make_assignment(db, make_user(db, department=root), edition, 30, campaign_id=campaign.id)
    training.exempt(db, on_leave, "育児休業", LATE + timedelta(days=90), approver.id)
    review = AccessReview(title="2026年度 棚卸し", opened_by_id=approver.id, opened_at=EARLY, due_on=date(2026, 4, 30))
    review.dormant_days = 90
    db.add(review)
    db.flush()
    db.add(
        AccessReviewItem(
            review_id=review.id,
            kind="dormant",
            user_id=people[1].id,
            last_sign_in_at=EARLY,
            decision="confirmed",
            decided_by_id=approver.id,
            decided_at=LATE,
        )
    )
    db.commit()
    return {
        "reader": reader,
        "campaign": campaign.id,
        "branch": branch.id,
        "edition": edition.id,
        "slug": edition.module.slug,
        "review": review.id,
        "person": people[0].employee_no,
    }


def reader_client(app, db, world, at: datetime, locale: str = "en"):
    clock.freeze(at)
    world["reader"].locale = locale
    db.commit()
    client = app.test_client()
    assert sign_in(client, world["reader"].employee_no).status_code == 302
    return client


def url(world, export: str, fmt: str) -> str:
    return EXPORTS[export][0].format(**world) + "." + fmt


def read(client, path: str):
    response = client.get(path)
    return (read_csv if path.endswith(".csv") else read_xlsx)(response), response


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("export", list(EXPORTS))
def test_every_export_is_headed_and_named_with_the_day_in_japan(app, db, world, export, fmt):
    client = reader_client(app, db, world, NAMED_AT)
    found, response = read(client, url(world, export, fmt))
    name = EXPORTS[export][1].format(**world) + f"-20260402.{fmt}"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert [line[0] for line in found.heading[1:-2]] == EXPORTS[export][2]  # the scope
    assert found.heading[-2:] == [["As of", "2026-04-02 01:00 JST"], ["Produced by", PRODUCER]]
    if fmt == "xlsx":
        sheet, top = found.sheet, found.header_row
        assert sheet.freeze_panes == f"A{top + 1}"
        last = sheet.cell(row=top, column=len(found.header)).column_letter
        assert sheet.auto_filter.ref == f"A{top}:{last}{top + len(found.rows)}"
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[top]]
        assert all(exports.MIN_WIDTH <= w <= exports.MAX_WIDTH for w in widths)
        assert all(c.font.bold for c in sheet[top])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_times_across_the_day_boundary_are_tokyo_times_in_every_export(app, db, world, fmt):
    """00:10 and 08:30 on 2 April in Japan are 1 April in UTC: every export says 2 April."""
    client = reader_client(app, db, world, AFTER)
    # A spreadsheet has no date without a time: openpyxl reads a date cell back as midnight.
    day, due = datetime(2026, 4, 2), datetime(2026, 5, 1)
    early, late = datetime(2026, 4, 2, 0, 10), datetime(2026, 4, 2, 8, 30)
    if fmt == "csv":
        day, due, early, late = "2026-04-02", "2026-05-01", "2026-04-02 00:10", "2026-04-02 08:30"
    people = read(client, url(world, "people", fmt))[0]
    assert [r["Completed on"] for r in people.records()] == [day, day]
    assert {r["Due"] for r in people.records()} == {due}
    register = read(client, url(world, "register", fmt))[0]
    granted = next(r for r in register.records() if r["role_code"] == "trainer")
    assert (granted["Requested at (JST)"], granted["Approved at (JST)"]) == (early, late)
    (item,) = read(client, url(world, "review", fmt))[0].records()
    assert (item["Last sign-in (JST)"], item["Decided at (JST)"]) == (early, late)
    (exempt,) = read(client, url(world, "exemptions", fmt))[0].records()
    assert exempt["From (JST)"] == late
    (done,) = read(client, url(world, "history", fmt))[0].records()
    assert (done["Completed at (JST)"], done["Due"]) == (early, due)
    trail = read(client, url(world, "trail", fmt))[0]
    times = {r["Time (JST)"] for r in trail.records() if r["action_code"].startswith("privilege_")}
    assert times == ({early + ":00", late + ":00"} if fmt == "csv" else {early, late})
    if fmt == "xlsx":  # real date cells with a date format, never text
        cells = [
            *people.cells_of("Completed on"),
            *register.cells_of("Approved at (JST)"),
            *trail.cells_of("Time (JST)"),
        ]
        assert all(c.is_date and c.data_type == "d" for c in cells if c.value is not None)
        assert {c.number_format for c in people.cells_of("Completed on")} == {"yyyy-mm-dd"}
        assert {c.number_format for c in register.cells_of("Approved at (JST)") if c.value} == {"yyyy-mm-dd hh:mm"}
        assert {c.number_format for c in trail.cells_of("Time (JST)")} == {"yyyy-mm-dd hh:mm:ss"}


def test_rates_are_percentages_and_counts_are_numbers_in_excel(app, db, world):
    client = reader_client(app, db, world, AFTER)
    completion = read(client, url(world, "completion", "xlsx"))[0]
    branch = next(row for row in completion.cells if row[0].value == "BR1")
    rate = branch[completion.header.index("Completion rate")]
    assert rate.value == 1.0 and rate.number_format == "0.0%" and rate.data_type == "n"
    assert branch[completion.header.index("Completed")].value == 2
    trend = read(client, url(world, "trend", "xlsx"))[0]
    assert [(c.value, c.number_format) for c in trend.cells_of("Completion rate")] == [(1.0, "0.0%")]
    records = read(client, url(world, "completion", "csv"))[0].records()
    assert next(r for r in records if r["Code"] == "BR1")["Completion rate"] == "100.0%"


def test_a_japanese_reader_gets_japanese_labels_with_the_codes_beside_them(app, db, world):
    client = reader_client(app, db, world, AFTER, locale="ja")
    found = {export: read(client, url(world, export, "csv"))[0] for export in EXPORTS}
    people = found["people"]
    assert people.title == "部署の社員一覧" and people.heading[-1] == ["作成者", PRODUCER]
    assert {(r["状況"], r["status_code"]) for r in people.records()} == {("修了", "completed")}
    granted = next(r for r in found["register"].records() if r["role_code"] == "trainer")
    assert (granted["役割"], granted["状況"], granted["status_code"]) == ("研修担当", "有効", "active")
    assert found["register"].said("時点") == "2026-04-02 12:00 JST"
    assert [title.split(": ")[-1] for title in found["comprehension"].header[3:]] == [
        "最高得点の平均",
        "初回合格率",
        "修了あたりの受験回数",
    ]
    # No code stands alone: beside every code column, its label in Japanese, never the code itself.
    for export, table in found.items():
        for index, title in enumerate(table.header):
            if title.endswith("_code"):
                pairs = [(row[index - 1], row[index]) for row in table.rows if row[index]]
                assert all(label and label != code and not label.isascii() for label, code in pairs), export


def test_item_analysis_flags_are_labelled_with_their_codes_beside_them():
    ja = Translations.load(str(Path(__file__).parents[2] / "learning" / "translations"), ["ja"]).gettext
    figures = ItemFigures(question_id=1, drawn=20, facility=0.95, discrimination=-0.1)
    table = tables.items([(1, "IDは共用してよい。", figures, 0, [("はい", 1)])], ja, [["問題分析"]])
    (line,) = table.rows
    row = dict(zip(exports.header(table.columns), exports.values(table.columns, line), strict=True))
    both = "易しすぎる" + "、" + ja("Discriminates negatively")
    assert (row[ja("Flags")], row["flags_code"]) == (both, "too_easy negative")
    assert row[ja("Facility")] == 0.95


def test_the_print_view_is_headed_and_draws_the_charts(app, db, world):
    client = reader_client(app, db, world, NAMED_AT)
    page = client.get(f"/reports/campaigns/{world['campaign']}?print=1").get_data(as_text=True)
    assert '<section class="report-heading"' in page and "2026-04-02 01:00 JST" in page and PRODUCER in page
    assert '<section class="panel chart-panel">' in page  # printed, not hidden
    assert 'data-chart="completion-chart"' in page and 'data-chart="curve-chart"' in page
    assert '<div class="print-view landscape">' in page and 'src="/vendor/plotly.min.js?v=' in page
    assert "http" not in "".join(part.split('"')[1] for part in page.split("src=")[1:])  # nothing from outside
    screen = client.get(f"/reports/campaigns/{world['campaign']}").get_data(as_text=True)
    assert '<section class="report-heading print-only"' in screen  # the same heading, on paper only
    assert '<section class="panel chart-panel noprint">' in screen


def test_a_big_export_is_written_as_it_is_read():
    """A few thousand rows from a generator: CSV comes out in pieces as the rows are read; the workbook sizes its
    columns from the first rows only (so it holds no more than those), and still filters every row."""
    pulled = []

    def rows(n):
        for i in range(n):
            pulled.append(i)
            yield [f"社員 {i}", i, EARLY + timedelta(minutes=i), i / n]

    columns = [
        Column("Name", "name"),
        Column("N", "n", "integer"),
        Column("At", "at", "datetime"),
        Column("Share", "share", "percent"),
    ]
    pieces = exports.csv_pieces(Table("Big", columns, rows(5000), [["Big"]]))
    next(pieces), next(pieces)
    assert len(pulled) == exports.CSV_PIECE  # one piece read, not the whole table
    assert len(list(pieces)) == 5000 // exports.CSV_PIECE - 1
    pulled.clear()
    tail = ["=x" * 200]  # a long value after the rows that set the widths: it does not widen its column

    def with_tail():
        yield from rows(3000)
        yield [tail[0], 0, None, None]

    sheet = load_workbook(io.BytesIO(exports.to_xlsx(Table("Big", columns, with_tail(), [["Big"]])))).active
    assert sheet.max_row == 3004 and sheet.auto_filter.ref == "A3:D3004"  # heading, blank, header, 3001 rows
    assert sheet.column_dimensions["A"].width == 10  # "社員 499" (8: wide characters count twice) + 2
    assert sheet["C4"].value == datetime(2026, 4, 2, 0, 10) and sheet["D4"].number_format == "0.0%"
    assert sheet["A3004"].value == "'" + tail[0] and sheet["A3004"].data_type == "s"


def test_a_naive_time_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="naive"):
        exports.values([Column("At", "at", "datetime")], [datetime(2026, 4, 1, 23, 30)])


def test_file_names_are_ascii_with_the_day_in_japan():
    assert (
        exports.file_name("people", ["campaign１２", "営業 BR/1"], NAMED_AT, "csv")
        == "people-campaign12-BR_1-20260402.csv"
    )
    assert exports.file_name("access-register", ["open", "", ""], LATE, "xlsx") == "access-register-open-20260402.xlsx"
