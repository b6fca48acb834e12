"""The annual report's section on self-inspections (自主点検): the fiscal year's inspections by company (due,
handed in, accepted, not handed in by the due day) and its findings (raised and verified in the year, open at
the year's end, or now while the year runs). Figures and their table; read-only and Flask-free, so that
annual.py and annual_tables.py each call it in a line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from learning.accounts.models import Department
from learning.accounts.tree import company_of
from learning.campaigns.periods import start_of_day
from learning.clock import tokyo_date
from learning.inspections.models import InspectionFinding, InspectionResponse
from learning.reports.exports import Column, Table
from learning.reports.pdf import Section

FIGURES = ("due", "handed_in", "accepted", "late", "raised", "verified", "still_open")


@dataclass
class CompanyFigures:
    company_id: int | None
    code: str = ""
    name_ja: str = ""
    name_en: str = ""
    due: int = 0
    handed_in: int = 0  # submitted, accepted or not
    accepted: int = 0
    late: int = 0  # still not handed in after its due day
    raised: int = 0  # findings raised in the year
    verified: int = 0  # findings verified in the year
    still_open: int = 0  # findings not verified at the year's end (or now)

    @property
    def completion_rate(self) -> float | None:
        return self.handed_in / self.due if self.due else None

    def add(self, other: CompanyFigures) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class InspectionYear:
    year: int
    ended: bool  # the year is over: "open" is at its end; else as of now
    companies: list[CompanyFigures] = field(default_factory=list)
    total: CompanyFigures = field(default_factory=lambda: CompanyFigures(None))


def inspection_year(session: Session, year: int, now: datetime) -> InspectionYear:
    """Fiscal year `year`'s inspections (their periods starting in it) and findings, per company."""
    first, following = date(year, 4, 1), date(year + 1, 4, 1)
    start, end = start_of_day(first), start_of_day(following)
    cutoff = min(now, end)
    today = min(tokyo_date(cutoff), following)
    departments = {
        d.id: d
        for d in session.execute(
            select(Department.id, Department.parent_id, Department.code, Department.name_ja, Department.name_en)
        )
    }  # the tree and the companies' names in one statement
    companies = company_of({d.id: d.parent_id for d in departments.values()})
    figures: dict[int | None, CompanyFigures] = {}

    def of(department_id: int) -> CompanyFigures:
        company = companies.get(department_id)
        return figures.setdefault(company, CompanyFigures(company))

    handed_in = InspectionResponse.status == "submitted"
    late = and_(InspectionResponse.status == "open", InspectionResponse.due_on < today)
    for department_id, due, done, accepted, overdue in session.execute(
        select(
            InspectionResponse.department_id,
            func.count(),
            func.sum(case((handed_in, 1), else_=0)),
            func.sum(case((InspectionResponse.accepted_at.is_not(None), 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        )
        .where(
            InspectionResponse.round_id.is_not(None),
            InspectionResponse.period_start >= first,
            InspectionResponse.period_start < following,
        )
        .group_by(InspectionResponse.department_id)
    ):
        found = of(department_id)
        found.due += int(due)
        found.handed_in += int(done or 0)
        found.accepted += int(accepted or 0)
        found.late += int(overdue or 0)
    created, verified_at = InspectionFinding.created_at, InspectionFinding.verified_at
    for department_id, raised, verified, still_open in session.execute(
        select(
            InspectionFinding.department_id,
            func.sum(case((and_(created >= start, created < end), 1), else_=0)),
            func.sum(case((and_(verified_at >= start, verified_at < end), 1), else_=0)),
            func.sum(case((and_(created < cutoff, or_(verified_at.is_(None), verified_at >= cutoff)), 1), else_=0)),
        )
        .where(created < end, or_(verified_at.is_(None), verified_at >= start))
        .group_by(InspectionFinding.department_id)
    ):
        found = of(department_id)
        found.raised += int(raised or 0)
        found.verified += int(verified or 0)
        found.still_open += int(still_open or 0)
    names = {c: departments[c] for c in figures if c in departments}
    result = InspectionYear(year, now >= end)
    for company, found in sorted(figures.items(), key=lambda item: names[item[0]].code if item[0] in names else ""):
        if company in names:
            found.code, found.name_ja, found.name_en = (
                names[company].code,
                names[company].name_ja,
                names[company].name_en,
            )
        result.companies.append(found)
        result.total.add(found)
    return result


def table(figures: InspectionYear | None, locale: str, _: Callable[[str], str]) -> Table:
    columns = [
        Column(_("Company code"), "company_code"),
        Column(_("Company"), "company"),
        Column(_("Inspections due"), "due", "integer"),
        Column(_("Handed in"), "handed_in", "integer"),
        Column(_("Accepted"), "accepted", "integer"),
        Column(_("Not handed in by the due day"), "late", "integer"),
        Column(_("Submission rate"), "completion_rate", "percent"),
        Column(_("Findings raised"), "findings_raised", "integer"),
        Column(_("Findings verified"), "findings_verified", "integer"),
        Column(
            _("Findings open at the year's end") if figures is None or figures.ended else _("Findings open now"),
            "findings_open",
            "integer",
        ),
    ]

    def line(code: str, name: str, f: CompanyFigures) -> list:
        return [
            code,
            name,
            f.due,
            f.handed_in,
            f.accepted,
            f.late,
            f.completion_rate,
            f.raised,
            f.verified,
            f.still_open,
        ]

    rows = []
    if figures is not None and figures.companies:
        rows = [line(f.code, f.name_en if locale == "en" else f.name_ja, f) for f in figures.companies]
        rows.append(line("", _("Whole organisation"), figures.total))
    return Table(_("Self-inspections"), columns, rows)


def sections(figures: InspectionYear | None, locale: str, _: Callable[[str], str], number: int) -> list[Section]:
    """The section, numbered after the report's others."""
    note = _(
        "Inspections whose period starts in the fiscal year, by the company of the department inspected; findings "
        "raised and verified in the year, and those not yet verified at its end (while the year runs: now)."
    )
    return [Section(_("%(n)d. Self-inspections", n=number), table(figures, locale, _), note)]
