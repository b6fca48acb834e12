"""Exemptions in bulk: one person from every module of a campaign, or a list of people (a CSV of employee
numbers), with one reason and one end date; and ending them in bulk.

Each exemption is the single one (services.exempt / end_exemption: the Exemption register, its audit event);
this module only finds what to do, checks every line first and applies all of it or nothing. Campaigns are
named by id only: training sits below campaigns and does not know them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.hrfiles import EMPLOYEE_NO_RE, FileRejected, decode
from learning.accounts.models import User
from learning.audit.services import record
from learning.errors import N_, DomainError
from learning.training import services
from learning.training.models import Assignment

ACTIONS = ("exempt", "end")
MAX_LINES = 5000
MAX_BYTES = 1024 * 1024  # employee numbers of far more people than MAX_LINES

# Why a line cannot be applied (shown with its line number and employee number).
LINE_PROBLEMS = {
    "no_employee_no": N_("The line has no employee number in its first column."),
    "bad_employee_no": N_("“%(employee_no)s” is not an employee number."),
    "unknown_employee": N_("No one has the employee number %(employee_no)s."),
    "duplicate": N_("%(employee_no)s is listed twice (first on line %(first)d)."),
    "not_in_campaign": N_("%(employee_no)s has no assignment in this campaign."),
    "already_exempt": N_("%(employee_no)s is already exempt from every open module of this campaign."),
    "nothing_open": N_("%(employee_no)s has nothing left to exempt in this campaign (completed or closed)."),
    "not_exempt": N_("%(employee_no)s has no exemption in force in this campaign."),
}

MESSAGES = {
    "lines_rejected": N_("Some lines cannot be applied; nothing was changed. Correct them and try again."),
    "no_lines": N_("The file lists no employee numbers."),
    "encoding": N_("The file is neither UTF-8 nor Shift_JIS (CP932); save it again as CSV."),
    "too_large": N_("The file is larger than %(limit)d MB."),
    "header": N_("The first line must be the header “employee_no” (other columns may follow)."),
    "too_many": N_("The file lists more than %(limit)d people; split it."),
    "reason_required": N_("Give the reason for the exemption."),
    "until_past": N_("The end date must not be in the past."),
}


class BulkRefused(DomainError):
    """The list or the request cannot be applied; `lines` holds every bad line (nothing was written)."""

    messages = MESSAGES

    def __init__(self, code: str, lines: list[Line] | None = None, **params):
        super().__init__(code, **params)
        self.lines = lines or []


@dataclass
class Line:
    """One person of the list: what would happen (the assignments concerned) or why it cannot."""

    line: int
    employee_no: str
    user: User | None = None
    assignments: list[Assignment] = field(default_factory=list)
    problem: str | None = None
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return LINE_PROBLEMS[self.problem]


def read_numbers(data: bytes) -> list[tuple[int, str]]:
    """(line, employee number) from a CSV whose first column is `employee_no`; UTF-8 (BOM or not) or CP932,
    as the roster import reads them."""
    if len(data) > MAX_BYTES:
        raise BulkRefused("too_large", limit=1)
    try:
        text = decode(data)
    except FileRejected as exc:
        problem = exc.problems[0]
        raise BulkRefused(problem.code, **problem.values) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or header[0].strip().lstrip("\ufeff") != "employee_no":
        raise BulkRefused("header")
    # A wholly blank line is skipped; a line with content but no employee number is kept, to be named.
    numbers = [(reader.line_num, row[0].strip()) for row in reader if any(cell.strip() for cell in row)]
    if not numbers:
        raise BulkRefused("no_lines")
    if len(numbers) > MAX_LINES:
        raise BulkRefused("too_many", limit=MAX_LINES)
    return numbers


def plan(session: Session, campaign_id: int, numbers: list[tuple[int, str]], action: str) -> list[Line]:
    """Each line with the assignments it would change, or its problem. Changes nothing."""
    known = {
        u.employee_no: u
        for u in session.scalars(select(User).where(User.employee_no.in_({n for _, n in numbers if n})))
    }
    held = {}
    for a in session.scalars(
        select(Assignment)
        .where(Assignment.campaign_id == campaign_id, Assignment.user_id.in_({u.id for u in known.values()}))
        .order_by(Assignment.id)
    ):
        held.setdefault(a.user_id, []).append(a)
    seen: dict[str, int] = {}
    lines = []
    for number, employee_no in numbers:
        line = Line(number, employee_no, params={"employee_no": employee_no})
        lines.append(line)
        if not employee_no:
            line.problem = "no_employee_no"
        elif not EMPLOYEE_NO_RE.match(employee_no):
            line.problem = "bad_employee_no"
        elif employee_no in seen:
            line.problem, line.params["first"] = "duplicate", seen[employee_no]
        elif (user := known.get(employee_no)) is None:
            line.problem = "unknown_employee"
        else:
            line.user = user
            line.assignments, line.problem = _concerned(held.get(user.id, []), action)
        seen.setdefault(employee_no, number)
    return lines


def _concerned(assignments: list[Assignment], action: str) -> tuple[list[Assignment], str | None]:
    live = [a for a in assignments if a.frozen_at is None and a.withdrawn_at is None]
    if not assignments:
        return [], "not_in_campaign"
    if action == "end":
        exempt = [a for a in live if a.status == "exempt"]
        return exempt, None if exempt else "not_exempt"
    open_ = [a for a in live if a.status in services.OPEN]
    if open_:
        return open_, None
    return [], "already_exempt" if any(a.status == "exempt" for a in live) else "nothing_open"


def apply(
    session: Session,
    campaign_id: int,
    numbers: list[tuple[int, str]],
    action: str,
    actor_id: int,
    reason: str = "",
    until: datetime | None = None,
) -> list[Line]:
    """Plans again (things may have changed since the dry run) and applies every line, or raises BulkRefused
    with the bad lines and applies none."""
    if action == "exempt":
        check_terms(reason, until)
    lines = plan(session, campaign_id, numbers, action)
    bad = [line for line in lines if line.problem]
    if bad:
        raise BulkRefused("lines_rejected", bad)
    changed = []
    for line in lines:
        for assignment in line.assignments:
            if action == "exempt":
                services.exempt(session, assignment, reason.strip(), until, actor_id)
            else:
                services.end_exemption(session, assignment, actor_id)
            changed.append(assignment.id)
    details = {"campaign": campaign_id, "people": len(lines), "assignments": len(changed)}
    if action == "exempt":
        details |= {"reason": reason.strip(), "until": until.isoformat()}
    record(
        session,
        "exemptions_granted_in_bulk" if action == "exempt" else "exemptions_ended_in_bulk",
        actor_id=actor_id,
        target=("campaign", campaign_id),
        details=details,
    )
    return lines


def check_terms(reason: str, until: datetime | None) -> None:
    if not (reason or "").strip():
        raise BulkRefused("reason_required")
    if until is None or clock.tokyo_date(until) < today():
        raise BulkRefused("until_past")


def today() -> date:
    return clock.tokyo_date(clock.now())
