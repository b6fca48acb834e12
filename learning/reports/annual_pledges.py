"""The annual report's pledges (誓約書): for each pledge the fiscal year's campaigns asked for, by company and the
departments directly under it, the people asked, signed, not signed and exempt. A person is counted once per
pledge in the year, in the department they were in when first asked, and signed if any of their pledge
assignments of the year was signed, whichever version: a version published later changes nothing here, and a
closed year's frozen records keep its figures. Flask-free: the caller passes `gettext`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.accounts.models import Department
from learning.accounts.tree import parent_map
from learning.campaigns.pledge_assignments import pledge_titles
from learning.campaigns.pledge_models import PledgeAssignment
from learning.reports.exports import Column, Table

Translate = Callable[[str], str]


@dataclass
class PledgeCounts:
    asked: int = 0
    signed: int = 0
    exempt: int = 0

    @property
    def not_signed(self) -> int:
        return self.asked - self.signed - self.exempt

    @property
    def rate(self) -> float | None:
        counted = self.asked - self.exempt
        return self.signed / counted if counted else None


@dataclass
class PledgeYear:
    """One pledge's year: rows of (pledge id, department id, depth) with their counts, companies first."""

    titles: dict[int, dict[str, str]] = field(default_factory=dict)
    rows: list[tuple[int, int, int, PledgeCounts]] = field(default_factory=list)
    names: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> (code, name ja, name en)


def signed_by_department(session: Session, campaign_ids: list[int]) -> PledgeYear:
    """The pledges of the fiscal year's launched campaigns (`campaign_ids`), by company and top department: one
    query when they asked for none."""
    found = PledgeYear()
    if not campaign_ids:
        return found
    rows = session.execute(
        select(
            PledgeAssignment.pledge_id,
            PledgeAssignment.user_id,
            PledgeAssignment.department_id,
            PledgeAssignment.status,
        )
        .where(PledgeAssignment.campaign_id.in_(campaign_ids), PledgeAssignment.withdrawn_at.is_(None))
        .order_by(PledgeAssignment.assigned_at, PledgeAssignment.id)
    ).all()
    if not rows:
        return found
    people: dict[tuple[int, int], list] = {}
    for pledge_id, user_id, department_id, status in rows:
        person = people.setdefault((pledge_id, user_id), [department_id, set()])
        person[1].add(status)
    parents = parent_map(session)
    counts: dict[tuple[int, int], PledgeCounts] = {}
    for (pledge_id, _user), (department_id, statuses) in people.items():
        for shown in _company_and_top(department_id, parents):
            c = counts.setdefault((pledge_id, shown), PledgeCounts())
            c.asked += 1
            if "signed" in statuses:
                c.signed += 1
            elif "exempt" in statuses:
                c.exempt += 1
    found.names = {
        d.id: (d.code, d.name_ja, d.name_en)
        for d in session.execute(select(Department.id, Department.code, Department.name_ja, Department.name_en))
    }
    depth = {d: 0 if parents.get(d) is None else 1 for _p, d in counts}
    found.rows = sorted(
        ((p, d, depth[d], c) for (p, d), c in counts.items()),
        key=lambda r: (r[0], _company_code(r[1], parents, found.names), r[2], found.names.get(r[1], ("",))[0]),
    )
    found.titles = pledge_titles(session)
    return found


def _company_and_top(department_id: int | None, parents: dict[int, int | None]) -> list[int]:
    """The company of a department and the department under it on the way there (the same for a company)."""
    if department_id is None or department_id not in parents:
        return []
    path = [department_id]
    while parents.get(path[-1]) is not None:
        path.append(parents[path[-1]])
    return [path[-1]] if len(path) == 1 else [path[-1], path[-2]]


def _company_code(department_id: int, parents, names) -> str:
    top = _company_and_top(department_id, parents)[0]
    return names.get(top, ("",))[0]


def table(year: PledgeYear, locale: str, _: Translate) -> Table:
    columns = [
        Column(_("Pledge"), "pledge"),
        Column(_("Level"), "level", "integer"),
        Column(_("Code"), "department_code"),
        Column(_("Department"), "department"),
        Column(_("People asked to sign"), "people", "integer"),
        Column(_("Signed"), "signed", "integer"),
        Column(_("Not signed"), "not_signed", "integer"),
        Column(_("Exempt"), "exempt", "integer"),
        Column(_("Signed rate"), "signed_rate", "percent"),
    ]
    rows = []
    for pledge_id, department_id, depth, c in year.rows:
        titles = year.titles.get(pledge_id, {})
        code, name_ja, name_en = year.names.get(department_id, ("", "", ""))
        rows.append(
            [
                (titles.get("en") if locale == "en" else titles.get("ja")) or titles.get("ja", ""),
                depth + 1,
                code,
                (name_en if locale == "en" else name_ja) or name_ja,
                c.asked,
                c.signed,
                c.not_signed,
                c.exempt,
                c.rate,
            ]
        )
    return Table(_("Pledges signed by department"), columns, rows)


def note(_: Translate) -> str:
    return _(
        "The pledges this fiscal year's campaigns asked for, by company and the departments directly under it. Each "
        "person is counted once per pledge, in the department they were in when first asked, whichever version "
        "they signed."
    )
