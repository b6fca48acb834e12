"""Reading an export the way its reader does: the heading lines, the header, the rows; and for XLSX the sheet
itself, to check what kind of cell each value is."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook

BOM = "\ufeff".encode()


@dataclass
class Export:
    heading: list[list]  # the lines above the table: [title], then [label, value] …
    header: list[str]
    rows: list[list]
    sheet: object = None  # the worksheet (XLSX)
    header_row: int = 0  # the header's row number in the sheet (XLSX)
    cells: list[list] = field(default_factory=list)  # the rows' cells (XLSX)

    @property
    def title(self) -> str:
        return self.heading[0][0]

    def said(self, label: str) -> str:
        """The value of a heading line."""
        return next(line[1] for line in self.heading[1:] if line[0] == label)

    def records(self) -> list[dict]:
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]

    def cells_of(self, column: str) -> list:
        index = self.header.index(column)
        return [row[index] for row in self.cells]


def read_csv(response) -> Export:
    body = response.get_data()
    assert response.status_code == 200 and body.startswith(BOM)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    blank = lines.index([])
    return Export(lines[:blank], lines[blank + 1], lines[blank + 2 :])


def read_xlsx(response) -> Export:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows())
    blank = next(i for i, row in enumerate(rows) if all(c.value is None for c in row))
    heading = [[c.value for c in row if c.value is not None] for row in rows[:blank]]
    header = [c.value for c in rows[blank + 1]]
    cells = [list(row) for row in rows[blank + 2 :]]
    values = [[c.value for c in row] for row in cells]
    return Export(heading, header, values, sheet, blank + 2, cells)
