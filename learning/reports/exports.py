"""Every export's one writer: a table described once (its columns, its rows, the lines that head it) becomes
CSV or XLSX, with formulas neutralised. Flask-free: labels arrive translated, codes' labels as a function.

A column has a label (in the reader's language), a stable code (for machines) and a kind, written alike in
every export:

- text: as it is; a cell that a spreadsheet would run as a formula is prefixed with '.
- coded: a code (or a list of codes, or a (label, code) pair) shown by its label, with a column
  "<code>_code" beside it holding the code itself: people read the label, machines the code.
- date, datetime, timestamp: the day, minute or second in Japan (Asia/Tokyo). CSV "2026-04-02",
  "2026-04-02 08:00", "2026-04-02 08:00:05"; XLSX real date cells holding Tokyo wall time.
- percent: a share from 0 to 1. CSV "50.0%" (which Excel reads as a percentage); XLSX the number, shown 0.0%.
- integer, decimal: numbers (a decimal rounded to the column's digits).

CSV is UTF-8 with a BOM, so that Japanese Excel opens it right, made in pieces as the rows are read. XLSX goes
through openpyxl's write-only mode (rows go to a temporary file, not a tree in memory): the column widths come
from the header and the first WIDTH_SAMPLE rows, held back until the widths are set; the header row is bold,
frozen, filtered and repeated on every printed page."""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, islice
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from learning import clock

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_PIECE = 500  # rows per piece of a CSV download
WIDTH_SAMPLE = 500  # rows read ahead to size the XLSX columns
MIN_WIDTH, MAX_WIDTH = 6, 60
UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
KINDS = ("text", "coded", "date", "datetime", "timestamp", "percent", "integer", "decimal")
FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "timestamp": "yyyy-mm-dd hh:mm:ss",
    "percent": "0.0%",
    "integer": "0",
}
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")


@dataclass(frozen=True)
class Column:
    """One column of an export: `labels` gives a coded column's code its label, `digits` a decimal's places,
    `joiner` separates the labels of a list of codes."""

    label: str
    code: str
    kind: str = "text"
    labels: Callable[[str], str] | None = None
    digits: int = 2
    joiner: str = ", "

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.labels is not None:
            # A code's label looked up once per file, not once per cell (a status column of 100,000 lines
            # asked the catalogue 100,000 times for the same five words). A column lives for one download.
            object.__setattr__(self, "labels", functools.lru_cache(maxsize=1024)(self.labels))


@dataclass
class Table:
    """An export: its title (the sheet's name), columns, rows (a list or a generator) and heading lines."""

    title: str
    columns: list[Column]
    rows: Iterable[Sequence]
    heading: list[list[str]] = field(default_factory=list)


def safe(value):
    """A cell that a spreadsheet would read as a formula is prefixed with ' and so stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def header(columns: list[Column]) -> list[str]:
    """The header row: each column's label, and after a coded one its code column."""
    return list(chain.from_iterable([c.label, f"{c.code}_code"] if c.kind == "coded" else [c.label] for c in columns))


def _kinds(columns: list[Column]) -> list[tuple[str, int]]:
    """The kind and digits of each column of the file (a coded column is two text columns)."""
    return list(
        chain.from_iterable(
            [("text", 0)] * 2 if c.kind == "coded" else [(c.kind, c.digits)]
            for c in columns  # label, code
        )
    )


def values(columns: list[Column], row: Sequence) -> list:
    """A row as the file holds it: datetimes as Tokyo wall time, coded values as label and code."""
    out: list = []
    for column, value in zip(columns, row, strict=True):
        if column.kind == "coded":
            out += _coded(column, value)
        elif value is None:
            out.append(None)
        elif column.kind == "date":
            out.append(_tokyo(value).date() if isinstance(value, datetime) else value)
        elif column.kind in ("datetime", "timestamp"):
            moment = _tokyo(value).replace(tzinfo=None, microsecond=0)
            out.append(moment.replace(second=0) if column.kind == "datetime" else moment)
        elif column.kind == "decimal":
            out.append(round(value, column.digits))
        else:
            out.append(value)
    return out


def _coded(column: Column, value) -> list:
    if value is None or value in ("", []):
        return [None, None]
    if isinstance(value, tuple):
        return list(value)
    codes = value if isinstance(value, list) else [value]
    labelled = [column.labels(code) if column.labels else code for code in codes]
    return [column.joiner.join(labelled), " ".join(codes)]


def _tokyo(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime in an export: every stored time is aware UTC")
    return moment.astimezone(clock.TOKYO)


def text(kind: str, digits: int, value) -> str:
    """A value as CSV writes it (and as the XLSX widths measure it)."""
    if value is None:
        return ""
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == "timestamp":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if kind == "percent":
        return f"{100 * value:.1f}%"
    if kind == "decimal":
        return f"{value:.{digits}f}"
    return str(safe(value))


def csv_pieces(table: Table) -> Iterator[bytes]:
    """The CSV file in pieces of CSV_PIECE rows: the BOM, the heading and a blank line (if any), the header,
    the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = [[safe(v) for v in line] for line in table.heading]
    writer.writerows(lines + ([[]] if lines else []))
    writer.writerow([safe(h) for h in header(table.columns)])
    yield "\ufeff".encode() + _take(buffer)
    kinds = _kinds(table.columns)
    for number, row in enumerate(table.rows, 1):
        writer.writerow([text(k, d, v) for (k, d), v in zip(kinds, values(table.columns, row), strict=True)])
        if number % CSV_PIECE == 0:
            yield _take(buffer)
    if buffer.tell():
        yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def write_xlsx(target: BinaryIO, table: Table) -> None:
    """A one-sheet workbook written to `target` (see write_workbook)."""
    write_workbook(target, [table])


def write_workbook(target: BinaryIO, tables: list[Table]) -> None:
    """A workbook of one sheet per table written to `target`: the heading (labels bold) and a blank row (if
    any), the header (bold, frozen, filtered, repeated on printed pages), the rows; text cells stay text,
    whatever they look like."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        _write_sheet(workbook.create_sheet(_unique(sheet_title(table.title), used)), table)
    workbook.save(target)


def _unique(title: str, used: set[str]) -> str:
    """Excel refuses two sheets of one name: a repeated one gets a number."""
    name, number = title, 1
    while name.lower() in used:
        number += 1
        name = f"{title[: 31 - len(str(number)) - 1]} {number}"
    used.add(name.lower())
    return name


def _write_sheet(sheet, table: Table) -> None:
    titles, kinds = header(table.columns), _kinds(table.columns)
    rows = (values(table.columns, row) for row in table.rows)
    ahead = list(islice(rows, WIDTH_SAMPLE))
    for number, width in enumerate(_widths(titles, kinds, ahead, table.heading), 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    header_row = len(table.heading) + (2 if table.heading else 1)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    for line in table.heading:
        sheet.append([_cell(sheet, "text", 0, v, bold=i == 0) for i, v in enumerate(line)])
    if table.heading:
        sheet.append([])
    sheet.append([_cell(sheet, "text", 0, title, bold=True, fill=True) for title in titles])
    last = header_row
    for row in chain(ahead, rows):
        sheet.append([_cell(sheet, k, d, v) for (k, d), v in zip(kinds, row, strict=True)])
        last += 1
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(titles))}{last}"


def sheet_title(title: str) -> str:
    """A worksheet's name: at most 31 characters, none of those Excel refuses."""
    return re.sub(r"[\\/*?:\[\]]", " ", title)[:31].strip() or "Sheet"


def _widths(titles: list[str], kinds: list[tuple[str, int]], rows: list[list], heading: list[list[str]]):
    """Each column as wide as its header and the rows read ahead need (wide characters count twice), within
    bounds; the first is also as wide as the heading's labels."""
    widest = [_display_width(title) for title in titles]
    for row in rows:
        for index, ((kind, digits), value) in enumerate(zip(kinds, row, strict=True)):
            widest[index] = max(widest[index], _display_width(text(kind, digits, value)))
    if widest and heading:
        widest[0] = max([widest[0], *(_display_width(str(line[0])) for line in heading if line)])
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widest]


def _display_width(value: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in value)


def _cell(sheet, kind: str, digits: int, value, bold: bool = False, fill: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", safe(value))  # control characters cannot be stored in XLSX
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, whatever it looks like
    elif value is not None and kind in FORMATS:
        cell.number_format = FORMATS[kind]
    elif value is not None and kind == "decimal":
        cell.number_format = "0." + "0" * digits if digits else "0"
    if bold:
        cell.font = BOLD
    if fill:
        cell.fill = HEADER_FILL
    return cell


def to_xlsx(table: Table) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, table)
    return buffer.getvalue()


def file_name(what: str, scope: Iterable[object], moment: datetime, extension: str) -> str:
    """`<what>-<scope>-<YYYYMMDD>.<extension>`, the day in Japan, in ASCII letters, digits, -, _ and . only
    (full-width digits become ASCII; anything else becomes _), so no header needs encoding."""
    parts = [what, *scope, clock.tokyo_date(moment).strftime("%Y%m%d")]
    cleaned = (UNSAFE_IN_NAME.sub("_", unicodedata.normalize("NFKC", str(part))).strip("_.-") for part in parts)
    return "-".join(part for part in cleaned if part) + "." + extension


NUMERIC = ("integer", "decimal", "percent")


def readable(table: Table) -> tuple[list[str], list[bool], Iterator[list[str]]]:
    """The table as a person reads it (a page, a PDF): the column labels without the code columns that files
    add for machines, which columns hold numbers (set right), and each row as the CSV would write its cells."""
    labels = [c.label for c in table.columns]
    numeric = [c.kind in NUMERIC for c in table.columns]

    def lines() -> Iterator[list[str]]:
        for row in table.rows:
            cells, shown = values(table.columns, row), []
            position = 0
            for column in table.columns:
                if column.kind == "coded":
                    shown.append("" if cells[position] is None else str(cells[position]))
                    position += 2
                else:
                    value = cells[position]
                    plain = column.kind == "text" and value is not None  # read, not opened in a spreadsheet
                    shown.append(str(value) if plain else text(column.kind, column.digits, value))
                    position += 1
            yield shown

    return labels, numeric, lines()
