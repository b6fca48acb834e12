"""The PDF writer: Japanese text read back exactly from a PDF that carries its own font; values as the CSV writes
them (Tokyo dates across the UTC/JST day boundary, percentages, rounded decimals); a coded column shown by its
label alone; the header again on every page a table continues on; the empty word for a table without rows; the
title and "n / N" at the foot of every page."""

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from learning.reports.exports import Column, Table
from learning.reports.pdf import PdfWords, Section, write_pdf

TITLE = "年次報告 2025年度"
WORDS = PdfWords(page="%(page)d / %(pages)d", empty="該当なし")
LATE = datetime(2026, 4, 1, 23, 30, tzinfo=UTC)  # 08:30 on 2 April in Japan, still 1 April in UTC
EARLY = datetime(2026, 4, 1, 14, 59, tzinfo=UTC)  # 23:59 on 1 April in Japan
STATUSES = {"completed": "受講済み", "open": "未受講"}
# 髙 (U+9AD9) and 﨑 (U+FA11) lie outside JIS X 0208; the vendored font has both.
OFFICE = "髙﨑営業所"
LONG = "託送業務センター第一課、第二課および第三課の兼務者を含む全員、ならびに出向者と派遣社員" * 2

COLUMNS = [
    Column("会社", "company"),
    Column("部署", "department"),
    Column("状況", "status", "coded", labels=STATUSES.get),
    Column("完了日", "completed_on", "date"),
    Column("受講率", "rate", "percent"),
    Column("平均点", "mean", "decimal", digits=1),
    Column("人数", "people", "integer"),
]
ROWS = [
    ["デモ電力送配電株式会社", "託送業務センター", "completed", LATE, 0.951, 72.46, 12],
    ["デモ電力送配電株式会社", OFFICE, "open", EARLY, 0.5, 80.0, 3],
    ["デモ電力株式会社", "=SUM(A1)", None, None, None, None, None],
]
HEADER = "会社部署状況完了日受講率平均点人数"
HEADING = [[TITLE], ["対象", "デモ電力送配電株式会社とその配下の全部署"], ["作成者", "法令 花子 (C0001)"]]


def squeeze(value: str) -> str:
    """Text without its spaces: pypdf reads fpdf2's two-byte codes with a NUL (then a space) before each glyph."""
    return re.sub(r"[\s\x00]+", "", value)


def render(sections: list[Section], words: PdfWords = WORDS, heading=None) -> bytes:
    target = io.BytesIO()
    write_pdf(target, TITLE, heading or HEADING, sections, words)
    return target.getvalue()


@pytest.fixture(scope="module")
def document() -> bytes:
    people = [[f"{OFFICE} 第{n}課", f"C{n:05d}", LATE] for n in range(1, 121)]
    return render(
        [
            Section("1. 会社別の受講状況", Table("ignored", COLUMNS, ROWS), note="受講率は割り当てに対する完了の割合"),
            Section(
                "2. 受講者",
                Table(
                    "ignored",
                    [Column("所属", "department"), Column("社員番号", "employee_no"), Column("完了時刻", "at", "date")],
                    people,
                ),
            ),
            Section("3. 免除", Table("ignored", COLUMNS, [])),
            Section("4. 備考", Table("ignored", [Column("備考", "remark"), *COLUMNS[1:]], [[LONG, *ROWS[0][1:]]])),
        ]
    )


def pages(data: bytes) -> list[str]:
    return [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def test_the_first_page_has_the_title_the_heading_and_the_table_as_the_csv_writes_it(document):
    first = pages(document)[0]
    assert first.startswith(squeeze(TITLE) + "対象デモ電力送配電株式会社とその配下の全部署作成者法令花子(C0001)")
    assert first.count(squeeze(TITLE)) == 2  # the title and the footer: the heading's [title] line is skipped
    assert "1.会社別の受講状況受講率は割り当てに対する完了の割合" + HEADER in first
    assert "デモ電力送配電株式会社託送業務センター受講済み2026-04-0295.1%72.512" in first
    assert f"デモ電力送配電株式会社{OFFICE}未受講2026-04-0150.0%80.03" in first
    assert "デモ電力株式会社=SUM(A1)2.受講者" in first  # no ' before a formula: people read this, not Excel
    assert "2026-04-01" not in first.replace("2026-04-0150.0%", "")  # 23:30 UTC on 1 April is 2 April in Japan
    assert "completed" not in first and "status_code" not in first and "open" not in first


def test_a_long_table_repeats_its_header_on_every_page_it_continues_on(document):
    read = pages(document)
    assert len(read) >= 3  # 120 people: the second table runs on from the first page to the last
    assert read[0].count("所属社員番号完了時刻") == 1
    for page in read[1:]:
        assert page.startswith("所属社員番号完了時刻")
    assert "".join(read).count("所属社員番号完了時刻") == len(read)
    rows = "".join(read)
    for n in (1, 60, 120):
        assert f"{OFFICE}第{n}課C{n:05d}2026-04-02" in rows


def test_an_empty_table_prints_the_empty_word_and_every_page_its_foot(document):
    read = pages(document)
    assert f"{OFFICE}第120課C001202026-04-023.免除該当なし4.備考備考部署状況" in read[-1]
    for number, page in enumerate(read, 1):
        assert page.endswith(squeeze(TITLE) + f"{number}/{len(read)}")


def test_long_text_wraps_inside_its_cell(document):
    reader = PdfReader(io.BytesIO(document))
    pieces: list[tuple[float, str]] = []
    reader.pages[-1].extract_text(visitor_text=lambda text, cm, tm, font, size: pieces.append((tm[4], text)))
    left = next(x for x, text in pieces if squeeze(text) == "備考")  # the column's left edge
    remark = [squeeze(text) for x, text in pieces if x == left and squeeze(text) and squeeze(text) in squeeze(LONG)]
    assert len(remark) == 2  # two lines of the one cell, each from the column's left edge
    assert "".join(remark) == squeeze(LONG)


def test_numbers_are_right_aligned_and_text_left_aligned(document):
    reader = PdfReader(io.BytesIO(document))
    pieces: dict[str, float] = {}
    reader.pages[0].extract_text(visitor_text=lambda text, cm, tm, font, size: pieces.setdefault(squeeze(text), tm[4]))
    assert pieces["託送業務センター"] == pieces[OFFICE] == pieces["部署"]  # left edge of the column
    assert pieces["12"] < pieces["3"]  # one right edge: the wider number starts further left
    assert pieces["95.1%"] == pieces["50.0%"] > pieces["受講率"] + 20  # (the font's digits are all as wide)


def test_the_pdf_is_self_contained_with_the_font_embedded_as_a_subset(document):
    assert document.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(document))
    assert reader.metadata.title == TITLE
    for page in reader.pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            assert re.fullmatch(r"/[A-Z]{6}\+NotoSansJP", font["/BaseFont"])  # a subset
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile3" in descriptor or "/FontFile2" in descriptor
        assert "/Annots" not in page
    assert b"/URI" not in document and b"/Launch" not in document and b"/GoToR" not in document
    assert len(document) < 200_000  # the glyphs used, not the 4.5 MB font


def test_the_page_words_follow_the_translation_order_and_no_text_is_taken_for_the_page_count():
    data = render(
        [Section("一覧", Table("t", [Column("部署", "d")], [["託送業務センター {nb}"]]))],
        words=PdfWords(page="全%(pages)dページ中%(page)dページ", empty="なし"),
        heading=[["対象", "全社"]],
    )
    title = squeeze(TITLE)
    assert pages(data) == [title + "対象全社一覧部署託送業務センター{nb}" + title + "全1ページ中1ページ"]
