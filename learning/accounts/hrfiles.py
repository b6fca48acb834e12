"""Reading HR exports (departments, roster) into checked rows. Pure: no database, no Flask.

Japanese HR systems export UTF-8 (often with a BOM) or Shift_JIS/CP932; both are accepted. Every
problem names its line and column; the caller writes nothing unless the whole file is clean.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from learning.accounts.employment import EMPLOYMENT_TYPES, employment_code
from learning.accounts.kana import reading
from learning.accounts.messages import AT_LINE, AT_LINE_AND_COLUMN, FILE_PROBLEMS
from learning.errors import DomainError
from learning.inputs import CONTROL

MAX_BYTES = 50 * 1024 * 1024
DEPARTMENT_COLUMNS = ("code", "name_ja", "name_en", "parent_code", "status", "merged_into")
ROSTER_COLUMNS = ("employee_no", "name", "email", "department_code", "status", "name_kana")
# The roster's optional last column (issue 19 item 3): a file with it says each person's kind of employment.
EMPLOYMENT_COLUMN = "employment_type"
# The headers of files written before the status and reading columns existed are still read.
OLDER_DEPARTMENT_COLUMNS = DEPARTMENT_COLUMNS[:4]
OLDER_ROSTER_COLUMNS = ROSTER_COLUMNS[:5]
STATUSES = ("active", "leave", "left")
DEPARTMENT_STATUSES = ("active", "abolished", "merged")
CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class FileProblem:
    """One problem: where (line 0 = the file as a whole), what (a message id) and its values."""

    line: int
    column: str | None
    code: str
    values: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return FILE_PROBLEMS[self.code]

    def english(self) -> str:
        """The problem as the command line prints it (the web translates the same templates)."""
        message = self.template % self.values if self.values else self.template
        if not self.line:
            return message
        if self.column:
            return AT_LINE_AND_COLUMN % {"line": self.line, "column": self.column, "message": message}
        return AT_LINE % {"line": self.line, "message": message}


@dataclass(frozen=True)
class DepartmentRow:
    line: int
    code: str
    name_ja: str
    name_en: str
    parent_code: str | None
    status: str | None = None  # None: as it is in the system (a new department is active)
    merged_into: str | None = None


@dataclass(frozen=True)
class RosterRow:
    line: int
    employee_no: str
    name: str
    email: str | None
    department_code: str
    status: str
    name_kana: str | None = None  # normalised (accounts/kana.py)
    has_kana: bool = False  # the file has the name_kana column (else readings stay as they are)
    employment_type: str | None = None  # a code of employment.EMPLOYMENT_TYPES; None where the cell is empty
    has_employment: bool = False  # the file has the employment_type column (else types stay as they are)


class FileRejected(DomainError):
    """The file has problems; .problems lists every one (up to a limit) and nothing may be written."""

    messages = FILE_PROBLEMS

    def __init__(self, problems: list[FileProblem]):
        super().__init__("file_rejected")
        self.problems = problems

    def english(self) -> str:
        return "; ".join(p.english() for p in self.problems[:5])


MAX_PROBLEMS = 200  # enough to fix a file by; a wholly wrong file would otherwise list every line


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), else CP932 (Shift_JIS as Windows writes it)."""
    if len(data) > MAX_BYTES:
        raise FileRejected([FileProblem(0, None, "too_large", {"limit": MAX_BYTES // (1024 * 1024)})])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise FileRejected([FileProblem(data[: exc.start].count(b"\n") + 1, None, "encoding")]) from None


def _records(
    text: str, columns: tuple[str, ...], older: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[tuple[int, dict[str, str]]], list[FileProblem], tuple[str, ...]]:
    """The rows as {column: value} with their line numbers, the lines with the wrong number of values, and the
    header found (`columns`, or the `older` one without the last columns, which then read as empty; either
    may end with the `optional` columns)."""
    if not text.strip():
        raise FileRejected([FileProblem(0, None, "empty")])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = tuple(h.strip() for h in next(reader))
    if header[len(header) - len(optional) :] == optional and optional:
        given_columns, header_core = columns + optional, header[: len(header) - len(optional)]
    else:
        given_columns, header_core = columns, header
    if header_core not in (columns, older):
        values = {"expected": ",".join(columns), "older": ",".join(older), "found": ",".join(header)}
        raise FileRejected([FileProblem(1, None, "header_or", values)])
    given, columns = given_columns, header
    records, problems = [], []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines are not rows
        if len(values) != len(columns):
            problems.append(FileProblem(line, None, "columns", {"expected": len(columns), "found": len(values)}))
            continue
        record = {c: v.strip() for c, v in zip(columns, values, strict=True)}
        problems += [FileProblem(line, c, "control_characters") for c, v in record.items() if CONTROL.search(v)]
        records.append((line, {c: "" for c in given} | record))
    return records, problems, header


def _check(problems: list, line: int, column: str, value: str, limit: int, pattern=None, code=None) -> None:
    if not value:
        problems.append(FileProblem(line, column, "required"))
    elif len(value) > limit:
        problems.append(FileProblem(line, column, "too_long", {"limit": limit}))
    elif pattern is not None and not pattern.match(value):
        problems.append(FileProblem(line, column, code))


def _first_seen(problems: list, seen: dict, line: int, column: str, value: str) -> None:
    if value in seen:
        problems.append(FileProblem(line, column, "duplicate", {"value": value, "first": seen[value]}))
    else:
        seen[value] = line


def read_departments(data: bytes, existing_parents: dict[str, str | None]) -> list[DepartmentRow]:
    """Checked department rows. `existing_parents` maps codes already in the system to their parent code."""
    records, problems, _header = _records(decode(data), DEPARTMENT_COLUMNS, OLDER_DEPARTMENT_COLUMNS)
    rows, seen = [], {}
    for line, r in records:
        _check(problems, line, "code", r["code"], 40, CODE_RE, "code_format")
        _check(problems, line, "name_ja", r["name_ja"], 200)
        _check(problems, line, "name_en", r["name_en"], 200)
        _first_seen(problems, seen, line, "code", r["code"])
        if r["parent_code"] and r["parent_code"] == r["code"]:
            problems.append(FileProblem(line, "parent_code", "self_parent"))
        status = r["status"] or None  # none given: as it is (a new department is active)
        if status is not None and status not in DEPARTMENT_STATUSES:
            problems.append(FileProblem(line, "status", "department_status", {"value": status[:40]}))
        if status == "merged" and not r["merged_into"]:
            problems.append(FileProblem(line, "merged_into", "merged_into_required"))
        elif status != "merged" and r["merged_into"]:
            problems.append(FileProblem(line, "merged_into", "merged_into_unexpected"))
        elif r["merged_into"] and r["merged_into"] == r["code"]:
            problems.append(FileProblem(line, "merged_into", "merged_into_self"))
        rows.append(
            DepartmentRow(
                line, r["code"], r["name_ja"], r["name_en"], r["parent_code"] or None, status, r["merged_into"] or None
            )
        )
    parents = {**existing_parents, **{row.code: row.parent_code for row in rows}}
    for row in rows:
        if row.parent_code and row.parent_code not in parents:
            problems.append(FileProblem(row.line, "parent_code", "unknown_parent", {"value": row.parent_code}))
        if row.merged_into and row.merged_into not in parents:
            problems.append(FileProblem(row.line, "merged_into", "unknown_parent", {"value": row.merged_into}))
    problems += _cycles(rows, parents)
    if problems:
        raise FileRejected(sorted(problems, key=lambda p: p.line)[:MAX_PROBLEMS])
    return rows


def _cycles(rows: list[DepartmentRow], parents: dict[str, str | None]) -> list[FileProblem]:
    """A department whose chain of parents comes back to itself."""
    problems = []
    for row in rows:
        seen, code = set(), row.code
        while code is not None and code not in seen:
            seen.add(code)
            code = parents.get(code)
        if code == row.code and row.parent_code != row.code:
            problems.append(FileProblem(row.line, "parent_code", "cycle", {"value": row.code}))
    return problems


def read_roster(data: bytes, department_codes: set[str], closed_codes: set[str] = frozenset()) -> list[RosterRow]:
    """Checked roster rows against the departments known to the system (a closed one takes nobody in)."""
    records, problems, header = _records(decode(data), ROSTER_COLUMNS, OLDER_ROSTER_COLUMNS, (EMPLOYMENT_COLUMN,))
    with_kana = "name_kana" in header
    with_employment = EMPLOYMENT_COLUMN in header
    rows, seen = [], {}
    for line, r in records:
        _check(problems, line, "employee_no", r["employee_no"], 20, EMPLOYEE_NO_RE, "employee_no_format")
        _check(problems, line, "name", r["name"], 100)
        if len(r["name_kana"]) > 100:
            problems.append(FileProblem(line, "name_kana", "too_long", {"limit": 100}))
        if r["email"] and (len(r["email"]) > 254 or not EMAIL_RE.match(r["email"])):
            problems.append(FileProblem(line, "email", "email", {"value": r["email"][:80]}))
        if r["status"] not in STATUSES:
            problems.append(FileProblem(line, "status", "status", {"value": r["status"][:40]}))
        if r["department_code"] not in department_codes:
            problems.append(
                FileProblem(line, "department_code", "unknown_department", {"value": r["department_code"][:40]})
            )
        elif r["department_code"] in closed_codes and r["status"] != "left":
            problems.append(FileProblem(line, "department_code", "closed_department", {"value": r["department_code"]}))
        _first_seen(problems, seen, line, "employee_no", r["employee_no"])
        kana = reading(r["name_kana"]) if with_kana else None
        employment = employment_code(r[EMPLOYMENT_COLUMN]) if with_employment else None
        if with_employment and r[EMPLOYMENT_COLUMN] and employment is None:
            values = {"value": r[EMPLOYMENT_COLUMN][:40], "codes": ", ".join(EMPLOYMENT_TYPES)}
            problems.append(FileProblem(line, EMPLOYMENT_COLUMN, "employment_type", values))
        rows.append(
            RosterRow(
                line,
                r["employee_no"],
                r["name"],
                r["email"] or None,
                r["department_code"],
                r["status"],
                kana,
                with_kana,
                employment,
                with_employment,
            )
        )
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise FileRejected(sorted(problems, key=lambda p: p.line)[:MAX_PROBLEMS])
    return rows
