"""Who has read a notice that asks for acknowledgement: by department like training completion (the same scope:
a manager their subtrees, compliance and audit everything), the people of one department, and their export
tables. Flask-free: the caller passes `gettext`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.accounts.models import Department
from learning.accounts.tree import parent_map
from learning.announcements import audience
from learning.announcements.models import Notice
from learning.reports.completion import Counts, DepartmentRow, organisation_total, tree
from learning.reports.exports import Column, Table
from learning.reports.services import Scope

Translate = Callable[[str], str]


def notices(session: Session) -> list[Notice]:
    """Notices that ask for acknowledgement and were published (withdrawn ones too), the newest first."""
    return list(
        session.scalars(
            select(Notice)
            .where(Notice.requires_ack.is_(True), Notice.published_at.is_not(None))
            .order_by(Notice.published_at.desc(), Notice.id.desc())
        )
    )


def rate(counts: Counts) -> float | None:
    """The share of the people addressed who have acknowledged."""
    return counts.people_complete / counts.people if counts.people else None


def by_department(session: Session, notice: Notice, scope: Scope, locale: str) -> list[DepartmentRow]:
    """The department tree within the scope, each with the people addressed (`people`) and those who have
    acknowledged (`people_complete`), own and rolled up."""
    parents = parent_map(session)
    reached = audience.covered(notice, parents)
    if scope.departments is not None:
        reached &= scope.departments
    counts = {
        department: Counts(people=people, people_complete=acked)
        for department, (people, acked) in audience.counts(session, notice, reached).items()
    }
    departments = [
        (d.id, d.code, d.name_en if locale == "en" else d.name_ja, d.parent_id)
        for d in session.execute(
            select(Department.id, Department.code, Department.name_ja, Department.name_en, Department.parent_id)
        )
    ]
    return tree(departments, counts, scope.roots)


@dataclass(frozen=True)
class Reader:
    """One person of a department and whether they have acknowledged (and when, in which department)."""

    user_id: int
    name: str
    employee_no: str
    department_id: int | None
    acknowledged_at: object
    acknowledged_in: int | None


def people(session: Session, notice: Notice, department_id: int, *, pending_only: bool = False) -> list[Reader]:
    """The department's own people (not those under it) the notice reaches, by employee number."""
    if department_id not in audience.covered(notice, parent_map(session)):
        return []
    rows = audience.people(session, notice, {department_id}, acknowledged=False if pending_only else None)
    return [
        Reader(
            person.id,
            person.name,
            person.employee_no,
            person.department_id,
            receipt.acknowledged_at if receipt else None,
            receipt.department_id if receipt and receipt.acknowledged_at else None,
        )
        for person, receipt in rows
    ]


def department_table(rows: list[DepartmentRow], _: Translate, heading: list[list[str]]) -> Table:
    columns = [
        Column(_("Code"), "department_code"),
        Column(_("Level"), "level", "integer"),
        Column(_("Department"), "department"),
        Column(_("People addressed"), "people", "integer"),
        Column(_("Acknowledged"), "acknowledged", "integer"),
        Column(_("Not yet acknowledged"), "not_acknowledged", "integer"),
        Column(_("Acknowledgement rate"), "acknowledgement_rate", "percent"),
    ]
    table = [
        [
            r.code,
            r.depth + 1,
            r.name,
            r.total.people,
            r.total.people_complete,
            r.total.people_not_finished,
            rate(r.total),
        ]
        for r in rows
    ]
    return Table(_("Acknowledgements by department"), columns, table, heading)


def people_table(found: list[Reader], names: dict[int, str], _: Translate, heading: list[list[str]]) -> Table:
    columns = [
        Column(_("Name"), "name"),
        Column(_("Employee number"), "employee_no"),
        Column(_("Acknowledged at"), "acknowledged_at", "datetime"),
        Column(_("Department when acknowledged"), "acknowledged_in"),
    ]
    table = [
        [p.name, p.employee_no, p.acknowledged_at, names.get(p.acknowledged_in, "") if p.acknowledged_in else ""]
        for p in found
    ]
    return Table(_("Acknowledgements of a department"), columns, table, heading)


__all__ = ["by_department", "department_table", "notices", "organisation_total", "people", "people_table", "rate"]
