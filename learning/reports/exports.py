"""Tables to CSV (UTF-8 with BOM, for Japanese Excel) and XLSX (openpyxl), with formulas neutralised.

Rows may come from a generator: CSV is produced in pieces as they are read, XLSX through openpyxl's
write-only mode (rows go to a temporary file, not a tree in memory). An optional block of lines above the
table says what the file covers (the audit trail's export: filters, as of when, by whom)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_PIECE = 500  # rows per piece of a CSV download
BOLD = Font(bold=True)


def safe(value):
    """A cell that a spreadsheet would read as a formula is prefixed with ' and so stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_pieces(header: list[str], rows: Iterable[list], preamble: Iterable[list] = ()) -> Iterator[bytes]:
    """The CSV file in pieces of CSV_PIECE rows: the BOM, the preamble and a blank line (if any), the header,
    the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = [[safe(v) for v in line] for line in preamble]
    writer.writerows(lines + ([[]] if lines else []))
    writer.writerow([safe(h) for h in header])
    yield "\ufeff".encode() + _take(buffer)
    for number, row in enumerate(rows, 1):
        writer.writerow([safe(v) for v in row])
        if number % CSV_PIECE == 0:
            yield _take(buffer)
    if buffer.tell():
        yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def to_csv(header: list[str], rows: list[list], preamble: Iterable[list] = ()) -> bytes:
    return b"".join(csv_pieces(header, rows, preamble))


def write_xlsx(target: BinaryIO, title: str, header: list[str], rows: Iterable[list], preamble: Iterable[list] = ()):
    """A one-sheet workbook written to `target`: the preamble (first cell of each line bold) and a blank row
    (if any), the header in bold, the rows; every text cell stays text, whatever it looks like."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    lines = list(preamble)
    for line in lines:
        sheet.append([_cell(sheet, v, bold=i == 0) for i, v in enumerate(line)])
    if lines:
        sheet.append([])
    sheet.append([_cell(sheet, h, bold=True) for h in header])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    workbook.save(target)


def _cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    value = safe(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # control characters cannot be stored in XLSX
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, whatever it looks like
    if bold:
        cell.font = BOLD
    return cell


def to_xlsx(title: str, header: list[str], rows: list[list], preamble: Iterable[list] = ()) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, title, header, rows, preamble)
    return buffer.getvalue()
