"""The desk's service level by topic for a fiscal year: the figures of service_levels and the stats page."""

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from itertools import count

import pytest
from sqlalchemy import create_engine, select, text

from learning import clock, migrate
from learning.desk import handling
from learning.desk.calendar import business_days_between
from learning.desk.models import DeskMessage, DeskQuestion
from learning.desk.service_level import (
    ALL,
    ServiceLevelRow,
    fiscal_year_bounds,
    question_years,
    service_levels,
)
from tests.conftest import sign_in
from tests.factories import make_user

NOW = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)  # 12:00 on Wednesday 20 May 2026 in Japan
_claims = count()


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def jst_day(day: date) -> datetime:
    """00:00 in Japan on `day`, as an anonymous question keeps it."""
    return datetime(day.year, day.month, day.day, tzinfo=clock.TOKYO).astimezone(UTC)


def question(db, asker, category, asked_at, status="new", answered_at=None, anonymous=False) -> DeskQuestion:
    who = {"claim_hash": f"{next(_claims):064d}"} if anonymous else {"asker_id": asker.id}
    row = DeskQuestion(category=category, body="質問", status=status, asked_at=asked_at, answered_at=answered_at, **who)
    db.add(row)
    db.flush()
    return row


@pytest.fixture
def questions(db):
    """Questions either side of the fiscal year's turn (00:00 on 1 April in Japan = 15:00 UTC on 31 March)."""
    clock.freeze(NOW)
    asker = make_user(db)
    # FY2025
    question(db, asker, "information", utc(2026, 3, 31, 14, 59), "answered", utc(2026, 4, 3, 1))  # 23:59 JST: 3 days
    question(db, asker, "information", utc(2026, 3, 2, 0), "answered", utc(2026, 3, 9, 1))  # Mon to next Mon: 5 days
    question(db, asker, "consignment", utc(2026, 2, 10, 1), "closed")  # closed without an answer
    question(db, asker, "transfers", utc(2025, 3, 31, 15, 30), "new")  # 00:30 on 1 April 2025 JST: open, late
    # FY2026
    question(db, asker, "information", utc(2026, 3, 31, 15, 0), "answered", utc(2026, 3, 31, 23))  # 1 April, same day
    # Friday 1 May to Thursday 7 May: 3, 4, 5 May and the substitute 6 May are holidays, so 1 business day.
    question(db, asker, "ids_systems", utc(2026, 5, 1, 1), "answered", utc(2026, 5, 7, 1))
    question(db, asker, "ids_systems", utc(2026, 4, 6, 1), "in_progress", utc(2026, 4, 10, 1))  # 4 days, replied to
    question(db, asker, "ids_systems", jst_day(date(2026, 5, 12)), "in_progress", anonymous=True)  # 6 days: late
    question(db, asker, "ids_systems", jst_day(date(2026, 5, 18)), "new", anonymous=True)  # 2 days: open, on time
    question(db, asker, "other", utc(2026, 5, 11, 1), "waiting")  # 7 days, but waiting for the asker: not late
    question(db, asker, "other", utc(2026, 4, 10, 1), "closed")
    db.commit()


FY2025 = {
    "information": ServiceLevelRow("information", 2, 2, 1, 0, 0, 4.0),
    "ids_systems": ServiceLevelRow("ids_systems", 0, 0, 0, 0, 0, None),
    "consignment": ServiceLevelRow("consignment", 1, 0, 0, 0, 0, None),
    "transfers": ServiceLevelRow("transfers", 1, 0, 0, 1, 1, None),
    "other": ServiceLevelRow("other", 0, 0, 0, 0, 0, None),
    ALL: ServiceLevelRow(ALL, 4, 2, 1, 1, 1, 4.0),
}
FY2026 = {
    "information": ServiceLevelRow("information", 1, 1, 1, 0, 0, 0.0),
    "ids_systems": ServiceLevelRow("ids_systems", 4, 2, 1, 2, 1, 2.5),
    "consignment": ServiceLevelRow("consignment", 0, 0, 0, 0, 0, None),
    "transfers": ServiceLevelRow("transfers", 0, 0, 0, 0, 0, None),
    "other": ServiceLevelRow("other", 2, 0, 0, 1, 0, None),
    # The median of the answers 0, 1 and 4 days, not the median (1.25) of the topics' medians 0 and 2.5.
    ALL: ServiceLevelRow(ALL, 7, 3, 2, 3, 1, 1.0),
}


def by_category(levels) -> dict[str, ServiceLevelRow]:
    return {row.category: row for row in [*levels.rows, levels.total]}


def test_the_holidays_and_the_fiscal_year():
    assert business_days_between(date(2026, 5, 1), date(2026, 5, 7)) == 1
    assert fiscal_year_bounds(2025) == (date(2025, 4, 1), date(2026, 4, 1))


def test_service_levels_per_topic_for_a_fiscal_year(db, questions):
    fy2025 = service_levels(db, *fiscal_year_bounds(2025), NOW)
    fy2026 = service_levels(db, *fiscal_year_bounds(2026), NOW)
    assert [row.category for row in fy2025.rows] == ["information", "ids_systems", "consignment", "transfers", "other"]
    assert by_category(fy2025) == FY2025
    assert by_category(fy2026) == FY2026
    assert (fy2025.total.within_level_rate, fy2026.total.within_level_rate) == (0.5, 2 / 3)
    assert (FY2026["information"].within_level_rate, FY2026["other"].within_level_rate) == (1.0, None)
    assert question_years(db) == [2026, 2025]
    # Late is measured against `now`: a week earlier the anonymous question of 12 May was not yet late.
    earlier = service_levels(db, *fiscal_year_bounds(2026), utc(2026, 5, 13, 3))
    assert (earlier.total.still_open, earlier.total.late) == (3, 0)


class _ServiceTable(HTMLParser):
    """The rows of the page's service-level table: category code -> the texts of its cells."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._section = self._row = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id") == "service-level":
            self._section = True
        elif self._section and tag == "tr" and "data-category" in attrs:
            self._row = self.rows.setdefault(attrs["data-category"], [])
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "section":
            self._section = None


def table(page: str) -> dict[str, list[str]]:
    parser = _ServiceTable()
    parser.feed(page)
    return parser.rows


def cells(row: ServiceLevelRow) -> list[str]:
    rate = "—" if row.within_level_rate is None else f"{100 * row.within_level_rate:.1f}%"
    median = "—" if row.median_days is None else f"{row.median_days:.1f}"
    figures = [row.asked, row.answered, row.within_level]
    return [*map(str, figures), rate, str(row.still_open), str(row.late), median]


def test_the_stats_page_shows_the_same_figures_for_the_year_chosen(app, db, questions):
    desk = app.test_client()
    user = make_user(db, "desk")
    db.commit()
    assert sign_in(desk, user.employee_no).status_code == 302
    labels = {
        "information": "Handling information",
        "ids_systems": "IDs and systems",
        "consignment": "Consigned work",
        "transfers": "Transfers",
        "other": "Other",
        ALL: "Total",
    }
    for year, expected in ((2025, FY2025), (2026, FY2026)):
        response = desk.get(f"/desk/stats?year={year}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert table(page) == {code: [labels[code], *cells(row)] for code, row in expected.items()}
        assert f"FY{year} ({year}-04-01 – {year + 1}-03-31)" in page
        assert f'<option value="{year}" selected>FY{year}</option>' in page
        assert f"{expected[ALL].asked} questions in all." in page
    page = desk.get("/desk/stats?year=2025").get_data(as_text=True)
    assert "Service level: an answer within 3 business days of the day asked" in page
    assert "A question closed without an answer counts as asked only" in page
    assert "as of 2026-05-20" in page
    # The other figures follow the year too: FY2025's months only.
    assert "<td>2025-04</td><td>1</td>" in page and "<td>2026-04</td>" not in page
    everything = service_levels(db, date(2025, 4, 1), date(2027, 4, 1), NOW)
    for wrong in ("", "abc", "-1", "99999", "2024", "2025.0", "²", "9" * 5000):
        response = desk.get("/desk/stats", query_string={"year": wrong})
        page = response.get_data(as_text=True)
        assert response.status_code == 200, wrong
        assert table(page)[ALL] == [labels[ALL], *cells(everything.total)], wrong
        assert '<p id="shown-period"><strong>All years</strong></p>' in page and "11 questions in all." in page
    assert table(desk.get("/desk/stats").get_data(as_text=True))[ALL][1] == "11"


def test_the_page_in_japanese_names_the_year_and_the_level(app, db, questions):
    compliance = make_user(db, "compliance", locale="ja")
    db.commit()
    client = app.test_client()
    assert sign_in(client, compliance.employee_no).status_code == 302
    page = client.get("/desk/stats?year=2025").get_data(as_text=True)
    assert "2025年度（2025-04-01〜2026-03-31）" in page
    assert "トピック別の対応状況" in page and "回答の目安: 受付日から3営業日以内" in page
    assert table(page)["information"][0] == "情報の取扱い" and table(page)[ALL][0] == "合計"
    codes = db.scalars(select(DeskQuestion.code)).all()
    assert len(codes) == 11 and not any(code in page for code in codes)  # counts only: no question is named


def test_the_service_level_counts_to_the_first_answer(db):
    clock.freeze(utc(2026, 5, 11, 1))  # 10:00 on Monday 11 May in Japan
    asked = question(db, make_user(db), "other", utc(2026, 5, 11, 0))
    staff = make_user(db, "desk")
    handling.desk_reply(db, asked, staff.id, "回答します。", "https://portal.example/")
    clock.freeze(utc(2026, 5, 18, 1))  # a week later the desk adds to its answer
    handling.desk_reply(db, asked, staff.id, "補足です。", "https://portal.example/")
    db.commit()
    db.expire_all()
    replies = db.scalars(select(DeskMessage.created_at).where(DeskMessage.question_id == asked.id)).all()
    assert replies == [utc(2026, 5, 11, 1), utc(2026, 5, 18, 1)]
    assert db.get(DeskQuestion, asked.id).answered_at == utc(2026, 5, 11, 1)
    row = service_levels(db, *fiscal_year_bounds(2026), clock.now()).total
    assert (row.answered, row.within_level, row.median_days) == (1, 1, 0.0)


def test_migration_sets_answered_at_to_the_first_answer(tmp_path):
    """0021: each answered question takes its first desk reply's time (SQLite; the step is plain SQL)."""
    url = f"sqlite:///{tmp_path / 'answers.db'}"
    migrate.upgrade(url, "0020")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO desk_questions (id, code, claim_hash, category, body, status, locale, asked_at, "
                "answered_at) VALUES (:id, :code, :code, 'other', 'q', :status, 'ja', '2026-05-11 00:00:00.000000', "
                ":answered)"
            ),
            [
                {"id": 1, "code": "A", "status": "answered", "answered": "2026-05-18 01:00:00.000000"},
                {"id": 2, "code": "B", "status": "new", "answered": None},
            ],
        )
        conn.execute(
            text("INSERT INTO desk_messages (question_id, author_kind, body, created_at) VALUES (1, :kind, 'm', :at)"),
            [
                {"kind": "note", "at": "2026-05-11 00:30:00.000000"},
                {"kind": "desk", "at": "2026-05-11 01:00:00.000000"},
                {"kind": "desk", "at": "2026-05-18 01:00:00.000000"},
                {"kind": "note", "at": "2026-05-12 01:00:00.000000"},
            ],
        )
    migrate.upgrade(url)
    with engine.connect() as conn:
        answered = dict(conn.execute(text("SELECT id, answered_at FROM desk_questions")).all())
    engine.dispose()
    assert {k: str(v) if v else v for k, v in answered.items()} == {1: "2026-05-11 01:00:00.000000", 2: None}
