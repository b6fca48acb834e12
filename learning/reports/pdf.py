"""The one writer of PDF reports: a title, the heading lines and sections, each a title, a note and one of the
tables the CSV and XLSX exports write (`exports.Table`), on A4 landscape pages. Flask-free: every word arrives
translated (the few the writer prints itself in `PdfWords`).

Values read as in the CSV (`exports.values` then `exports.text`: Tokyo dates, "95.1%", rounded decimals), but
people read a PDF: a coded column shows its label only (no "<code>_code" column) and text is not prefixed against
spreadsheet formulas. Numbers are right-aligned; columns are as wide, in proportion, as their header and content
are (wide characters count twice), filling the page width; long text wraps inside its cell; the header is
repeated on every page a table continues on. (A cell longer than half a page, which no report has, is cut there
with "…" rather than split across pages.)

The document stands alone, so that it reads the same offline on any reader: the vendored Noto Sans JP
(`fonts/`, see its README) is embedded as a subset of the glyphs used; nothing is linked or fetched. The font
has no bold, so emphasis is size and a light fill."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from learning.reports.exports import MAX_WIDTH, MIN_WIDTH, Table, _display_width, readable

FONT = Path(__file__).with_name("fonts") / "NotoSansJP-Regular.otf"
FAMILY = "NotoSansJP"
MARGIN = 12  # mm, every side; the footer sits in the bottom margin
FOOTER = 6  # mm above the bottom margin kept for the footer
TITLE_SIZE, SECTION_SIZE, BODY_SIZE, TABLE_SIZE, FOOTER_SIZE = 18, 13, 9.5, 8.5, 8  # points
LINE = 3.9  # mm, a line of table text
PAD = 1.0  # mm above and below a cell's text
FILL = (232, 237, 243)  # the header's light fill (the XLSX header's colour)
RULE = (150, 150, 150)
# The page count in the footer: PAGES stands for it in the caller's words, then becomes fpdf2's alias, which fpdf2
# replaces with the count as the document is closed (left-aligned in the room of three digits it keeps). The alias
# is three Unicode noncharacters, not fpdf2's "{nb}", so that no text of the report can be taken for it.
PAGES = 987_654_321
ALIAS = "\ufdd0" * 3


@dataclass(frozen=True)
class PdfWords:
    """The words the writer prints itself, translated by the caller: `page` is a %-format with `page` and
    `pages` ("%(page)d / %(pages)d"), `empty` stands in for a table without rows."""

    page: str
    empty: str


@dataclass(frozen=True)
class Section:
    """A part of the document: its title, an optional paragraph under it, and its table (whose heading is not
    printed: the document's heading covers it)."""

    title: str
    table: Table
    note: str | None = None


def write_pdf(target: BinaryIO, title: str, heading: list[list[str]], sections: list[Section], words: PdfWords) -> None:
    """The document written to `target`: the title and the heading's [label, value] lines (a line that only
    repeats the title is skipped), then each section; every page has the title and "n / N" at its foot."""
    pdf = _Document(title, words)
    pdf.add_page()
    pdf.set_font(size=TITLE_SIZE)
    pdf.multi_cell(0, TITLE_SIZE * 0.5, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _heading(pdf, [line for line in heading if line and line != [title]])
    for section in sections:
        _section(pdf, section, words)
    pdf.output(target)


class _Document(FPDF):
    def __init__(self, title: str, words: PdfWords):
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.document_title, self.words = title, words
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + FOOTER)
        self.alias_nb_pages(ALIAS)
        self.add_font(FAMILY, "", str(FONT))
        self.set_font(FAMILY, size=BODY_SIZE)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.set_title(title)

    def footer(self):
        self.set_y(-(MARGIN + FOOTER) + 2)
        self.set_font(size=FOOTER_SIZE)
        self.set_text_color(90, 90, 90)
        number = (self.words.page % {"page": self.page_no(), "pages": PAGES}).replace(str(PAGES), ALIAS)
        width = self.epw * 0.75
        self.cell(width, 5, _fit(self, self.document_title, width))
        self.cell(self.epw - width, 5, number, align="R")
        self.set_text_color(0, 0, 0)


def _fit(pdf: FPDF, value: str, width: float) -> str:
    """The text cut (with …) to one line of `width`: a footer never wraps."""
    if pdf.get_string_width(value) <= width - 2 * pdf.c_margin:
        return value
    while value and pdf.get_string_width(value + "…") > width - 2 * pdf.c_margin:
        value = value[:-1]
    return value + "…"


def _heading(pdf: FPDF, lines: list[list[str]]) -> None:
    """The heading as a key/value block: labels in a column as wide as the longest, values wrapping beside."""
    pdf.set_font(size=BODY_SIZE)
    labels = [str(line[0]) for line in lines if len(line) > 1]
    key = min(pdf.epw / 3, max((pdf.get_string_width(label) for label in labels), default=0) + 6)
    for line in lines:
        if len(line) == 1:
            pdf.multi_cell(0, 5, str(line[0]), new_x="LMARGIN", new_y="NEXT")
            continue
        top = pdf.get_y()
        pdf.set_text_color(80, 80, 80)
        tall = pdf.multi_cell(key, 5, str(line[0]), new_x="RIGHT", new_y="TOP", output=MethodReturnValue.HEIGHT)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 5, " ".join(str(v) for v in line[1:]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), top + tall))  # a label on two lines pushes the next line down too
    pdf.ln(4)


def _section(pdf: FPDF, section: Section, words: PdfWords) -> None:
    if pdf.get_y() > pdf.page_break_trigger - 35:  # no section title alone at the foot of a page
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(size=SECTION_SIZE)
    pdf.multi_cell(0, SECTION_SIZE * 0.5, section.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(size=BODY_SIZE)
    if section.note:
        pdf.multi_cell(0, 5, section.note, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    cells = _cells(section.table)
    if not cells[1]:
        pdf.multi_cell(0, 5, words.empty, new_x="LMARGIN", new_y="NEXT")
    else:
        _table(pdf, *cells)
    pdf.ln(4)


def _cells(table: Table) -> tuple[list[str], list[list[str]], list[bool]]:
    """The printed header, the rows as text and which columns are numbers: a coded column's code is left out."""
    labels, numbers, lines = readable(table)
    return labels, list(lines), numbers


def _widths(pdf: FPDF, header: list[str], rows: list[list[str]], numbers: list[bool]) -> list[float]:
    """Each column's share of the page width: its widest header or value (wide characters count twice), within
    the bounds the XLSX columns have. A number never wraps: its column keeps room for its widest value, and
    the text columns give up what that takes (a header may wrap)."""
    widest = [_display_width(label) for label in header]
    for row in rows:
        widest = [max(w, _display_width(value)) for w, value in zip(widest, row, strict=True)]
    bounded = [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widest]
    widths = [pdf.epw * w / sum(bounded) for w in bounded]
    needed = [
        max((pdf.get_string_width(row[i]) for row in rows), default=0) + 2 * PAD + 0.5 if numbers[i] else 0
        for i in range(len(header))
    ]
    short = sum(max(0.0, need - width) for need, width in zip(needed, widths, strict=True))
    spare = sum(width for width, number in zip(widths, numbers, strict=True) if not number)
    if short <= 0 or spare <= short:
        return widths
    return [
        max(width, need) if number else width * (1 - short / spare)
        for width, need, number in zip(widths, needed, numbers, strict=True)
    ]


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], numbers: list[bool]) -> None:
    """The table drawn cell by cell rather than with fpdf2's table(), which lays out every cell through the full
    multi_cell machinery and took 4.1 s for 2,000 rows of 8 columns where this takes about a third: a value
    that fits on one line (most) is measured once and printed as a single cell, only longer ones are wrapped."""
    pdf.set_font(size=TABLE_SIZE)
    widths = _widths(pdf, header, rows, numbers)
    most = int((pdf.page_break_trigger - pdf.t_margin) / LINE) // 2  # lines one row may take (a half page)
    heads = [_lines(pdf, label, width, most) for label, width in zip(header, widths, strict=True)]
    head = max(len(cell) for cell in heads) * LINE + 2 * PAD
    for index, row in enumerate(rows):
        lines = [_lines(pdf, value, width, most) for value, width in zip(row, widths, strict=True)]
        height = max(len(cell) for cell in lines) * LINE + 2 * PAD
        if pdf.get_y() + height + (head if index == 0 else 0) > pdf.page_break_trigger:
            pdf.add_page()
            _row(pdf, heads, widths, [False] * len(widths), head, fill=True)
        elif index == 0:
            _row(pdf, heads, widths, [False] * len(widths), head, fill=True)
        _row(pdf, lines, widths, numbers, height)
    pdf.set_font(size=BODY_SIZE)


def _lines(pdf: FPDF, value: str, width: float, most: int) -> list[str]:
    if "\n" not in value and pdf.get_string_width(value) <= width - 2 * pdf.c_margin:
        return [value]
    found = pdf.multi_cell(width, LINE, value, dry_run=True, output=MethodReturnValue.LINES)
    return found if len(found) <= most else [*found[: most - 1], _fit(pdf, found[most - 1] + "…", width)]


def _row(pdf: FPDF, cells: list[list[str]], widths: list[float], right: list[bool], height: float, fill=False):
    x, y = pdf.l_margin, pdf.get_y()
    if fill:
        pdf.set_fill_color(*FILL)
    for lines, width, number in zip(cells, widths, right, strict=True):
        pdf.rect(x, y, width, height, style="DF" if fill else "D")
        for index, line in enumerate(lines):
            pdf.set_xy(x, y + PAD + index * LINE)
            pdf.cell(width, LINE, line, align="R" if number else "L")
        x += width
    pdf.set_xy(pdf.l_margin, y + height)
