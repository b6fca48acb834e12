"""Tables to CSV (UTF-8 with BOM, for Japanese Excel) and XLSX (openpyxl), with formulas neutralised."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A cell that a spreadsheet would read as a formula is prefixed with ' and so stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list], preamble: list[list] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[safe(v) for v in row] for row in preamble or []])
    writer.writerow([safe(h) for h in header])
    writer.writerows([[safe(v) for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(title: str, header: list[str], rows: list[list], preamble: list[list] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in preamble or []:
        sheet.append([safe(v) for v in row])
    sheet.append([safe(h) for h in header])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    first_data_row = sheet.max_row + 1
    for row in rows:
        sheet.append([safe(v) for v in row])
    for row in sheet.iter_rows(min_row=first_data_row):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it looks like
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
