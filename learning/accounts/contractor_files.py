"""A contractor's staff file (issue 19): the HR roster's reader (accounts/hrfiles.py: UTF-8 or CP932, every
problem by line and column), its own columns and checks. Pure: no database, no Flask.

Columns: staff_no,name,email,contract_reference,ends_on,role. `ends_on` is the last day (YYYY-MM-DD), never
after the contract's end; `role` is empty (a learner) or contractor_head, the contractor supervisor: any other
role is refused, as a contractor never holds a privileged one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from learning.accounts.hrfiles import EMAIL_RE, MAX_PROBLEMS, FileProblem, FileRejected, _check, _first_seen
from learning.accounts.hrfiles import _records as records_of
from learning.accounts.hrfiles import decode as decode_file
from learning.authz import Role

STAFF_COLUMNS = ("staff_no", "name", "email", "contract_reference", "ends_on", "role")
STAFF_NO_RE = re.compile(r"^[A-Za-z0-9_-]{1,12}$")
ROLES_ALLOWED = ("", "learner", Role.CONTRACTOR_SUPERVISOR.value)


@dataclass(frozen=True)
class StaffRow:
    line: int
    staff_no: str
    name: str
    email: str | None
    contract_reference: str
    ends_on: date
    supervisor: bool


@dataclass(frozen=True)
class ContractTerms:
    id: int
    ends_on: date


def read_staff(data: bytes, contracts: dict[str, ContractTerms], taken: set[str], today: date) -> list[StaffRow]:
    """Checked rows for one contractor company: `contracts` by reference, `taken` its staff numbers in use."""
    records, problems, _header = records_of(decode_file(data), STAFF_COLUMNS, STAFF_COLUMNS)
    rows, seen = [], {}
    for line, r in records:
        _check(problems, line, "staff_no", r["staff_no"], 12, STAFF_NO_RE, "staff_no_format")
        _check(problems, line, "name", r["name"], 100)
        if r["email"] and (len(r["email"]) > 254 or not EMAIL_RE.match(r["email"])):
            problems.append(FileProblem(line, "email", "email", {"value": r["email"][:80]}))
        _first_seen(problems, seen, line, "staff_no", r["staff_no"])
        if r["staff_no"] in taken:
            problems.append(FileProblem(line, "staff_no", "staff_no_taken", {"value": r["staff_no"]}))
        contract = contracts.get(r["contract_reference"])
        if contract is None:
            value = r["contract_reference"][:60]
            problems.append(FileProblem(line, "contract_reference", "unknown_contract", {"value": value}))
        ends_on = _day(r["ends_on"])
        if ends_on is None:
            problems.append(FileProblem(line, "ends_on", "day_format", {"value": r["ends_on"][:40]}))
        elif contract is not None and ends_on > contract.ends_on:
            problems.append(FileProblem(line, "ends_on", "end_after_contract", {"contract_end": contract.ends_on}))
        elif ends_on < today:
            problems.append(FileProblem(line, "ends_on", "end_in_past"))
        if r["role"] not in ROLES_ALLOWED:
            problems.append(FileProblem(line, "role", "contractor_role", {"value": r["role"][:40]}))
        if ends_on is not None:
            rows.append(
                StaffRow(
                    line,
                    r["staff_no"],
                    r["name"],
                    r["email"] or None,
                    r["contract_reference"],
                    ends_on,
                    r["role"] == Role.CONTRACTOR_SUPERVISOR,
                )
            )
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise FileRejected(sorted(problems, key=lambda p: p.line)[:MAX_PROBLEMS])
    return rows


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
