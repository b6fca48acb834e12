"""The annual report (年次報告) for the compliance committee and the board: one fiscal year's figures beside the
two years before it, gathered from the same services the report pages use, so that every figure in it is the
one a page shows for the same campaign and scope (the whole organisation). Read-only and Flask-free.

A closed period's figures are its frozen ones with their amendments; a period still running is marked so and
its figures are as of now (the report is then provisional)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from learning.accounts.models import User
from learning.accounts.tree import company_of, parent_map
from learning.campaigns.models import Campaign
from learning.campaigns.periods import fiscal_year
from learning.courses.models import Edition
from learning.courses.term_settings import current_terms
from learning.desk import service_level
from learning.reports import annual_contractors, annual_inspections, annual_pledges, records, services
from learning.reports.completion import Counts, DepartmentRow, organisation_total
from learning.reports.comprehension import Cell
from learning.reports.items import ItemFigures
from learning.training.models import Assignment

YEARS_COMPARED = 3  # the year reported and the two before it
WHOLE = services.Scope(None, None)  # the committee's report covers the whole organisation


@dataclass
class Period:
    """One launched campaign of a fiscal year with its department report (whole organisation, corrected)."""

    campaign: Campaign
    fiscal_year: int
    rows: list[DepartmentRow]
    recorded: Counts | None = None  # the organisation's figures as recorded, where amendments corrected them
    amendments: list[tuple] = field(default_factory=list)
    modules: list[tuple[int, str, str]] = field(default_factory=list)  # (module id, title ja, title en)
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # comprehension, rolled up

    @property
    def running(self) -> bool:
        return self.campaign.status != "closed"

    @property
    def companies(self) -> list[DepartmentRow]:
        return [row for row in self.rows if row.depth == 0]

    @property
    def top_departments(self) -> list[DepartmentRow]:
        return [row for row in self.rows if row.depth == 1]

    @property
    def total(self) -> Counts:
        return organisation_total(self.rows)


@dataclass(frozen=True)
class Reattestation:
    company_id: int | None
    required: int
    completed: int


@dataclass(frozen=True)
class FlaggedQuestion:
    edition: Edition
    position: int
    prompt_ja: str
    prompt_en: str
    figures: ItemFigures
    desk_questions: int


@dataclass
class AnnualReport:
    fiscal_year: int
    periods: list[Period]  # this year's, oldest first
    earlier: list[Period]  # the two years before, oldest first
    reattestations: dict[int, list[Reattestation]]  # per campaign of this year
    exemptions: dict[int, Counter]  # per campaign of this year: (company id, state) -> count
    register: list[records.ExemptionRow]
    desk: service_level.ServiceLevels
    flagged: list[FlaggedQuestion]
    editions: list[Edition]  # the editions this year's assignments used
    companies: dict[int, str] = field(default_factory=dict)  # company id -> department code, for the register
    terms: dict[str, dict[str, str]] = field(default_factory=dict)  # the organisation terms, substituted in titles
    pledges: annual_pledges.PledgeYear = field(default_factory=annual_pledges.PledgeYear)
    inspections: annual_inspections.InspectionYear | None = None  # the year's self-inspections
    contractors: dict[int, list] = field(default_factory=dict)  # per campaign of this year (annual_contractors.py)

    @property
    def provisional(self) -> bool:
        return any(p.running for p in self.periods)

    @property
    def compared(self) -> list[Period]:
        return [*self.earlier, *self.periods]


def campaigns_of(session: Session, year: int) -> list[Campaign]:
    """The launched campaigns of a fiscal year, oldest first."""
    return sorted(
        (c for c in services.campaigns(session) if fiscal_year(c.period_start) == year), key=lambda c: c.period_start
    )


def fiscal_years(session: Session) -> list[int]:
    """The fiscal years with a launched campaign, the latest first."""
    return sorted({fiscal_year(c.period_start) for c in services.campaigns(session)}, reverse=True)


def _period(session: Session, campaign: Campaign, locale: str, with_scores: bool) -> Period:
    rows = services.department_report(session, campaign.id, WHOLE, locale)
    period = Period(campaign, fiscal_year(campaign.period_start), rows)
    if campaign.status == "closed":
        period.amendments = services.amendments(session, campaign.id)
        if period.amendments:
            recorded = services.department_report(session, campaign.id, WHOLE, locale, corrected=False)
            period.recorded = organisation_total(recorded)
    if with_scores:
        module_ids, period.cells = services.comprehension(session, campaign, WHOLE, rows)
        titles = dict(
            (e.module_id, (e.title_ja, e.title_en))
            for e in session.scalars(
                select(Edition).where(Edition.id.in_([m.edition_id for m in campaign.modules if m.edition_id]))
            )
        )
        period.modules = [(m, *titles.get(m, (str(m), str(m)))) for m in module_ids]
    return period


def _reattestations(session: Session, period: Period) -> list[Reattestation]:
    """Re-attestations a substantive content change required in the campaign, per company (where the
    assignment counts: frozen at closing, or the person's department now)."""
    where = services.placement(period.campaign)
    companies = company_of(parent_map(session))
    found = session.execute(
        select(
            where.department,
            func.count(),
            func.sum(case((Assignment.status == "completed", 1), else_=0)),
        )
        .join(User, User.id == Assignment.user_id)
        .where(
            Assignment.campaign_id == period.campaign.id,
            Assignment.reason == "reattest",
            Assignment.withdrawn_at.is_(None),
        )
        .group_by(where.department)
    ).all()
    by_company: dict[int | None, list[int]] = {}
    for department, required, completed in found:
        tally = by_company.setdefault(companies.get(department), [0, 0])
        tally[0] += int(required)
        tally[1] += int(completed or 0)
    return [Reattestation(c, r, d) for c, (r, d) in sorted(by_company.items(), key=lambda i: (i[0] is None, i[0]))]


def _flagged(
    session: Session, edition_ids: list[int], campaign_ids: list[int]
) -> tuple[list[Edition], list[FlaggedQuestion]]:
    """Each edition used and the questions item analysis flags in it, from the attempts made for the year's
    campaigns (the item analysis page's figures for that fiscal year)."""
    editions = list(
        session.scalars(
            select(Edition)
            .where(Edition.id.in_(edition_ids or [-1]))
            .options(selectinload(Edition.questions))
            .order_by(Edition.module_id)
        )
    )
    analyses = services.item_analyses(session, [e.id for e in editions], campaign_ids, with_picks=False)
    flagged = []
    for edition in editions:
        figures, _picks, desk, _attempts = analyses[edition.id]
        for position, question in enumerate(edition.questions, 1):
            found = figures.get(question.id)
            if found is not None and found.flags:
                flagged.append(
                    FlaggedQuestion(
                        edition, position, question.prompt_ja, question.prompt_en, found, desk.get(question.id, 0)
                    )
                )
    return editions, flagged


def edition_ids(session: Session, campaign_ids: list[int]) -> list[int]:
    """The editions the campaigns' assignments used (a re-attestation's included)."""
    used = select(Assignment.edition_id).where(Assignment.campaign_id.in_(campaign_ids or [-1])).distinct()
    return list(session.scalars(used))


def annual_report(session: Session, year: int, now: datetime, locale: str = "ja") -> AnnualReport | None:
    """The report for fiscal year `year` (from 1 April), or None when no campaign of that year was launched."""
    launched = sorted(services.campaigns(session), key=lambda c: (c.period_start, c.id))
    compared = [c for c in launched if year - YEARS_COMPARED < fiscal_year(c.period_start) <= year]
    this_year = [c for c in compared if fiscal_year(c.period_start) == year]
    if not this_year:
        return None
    periods = [_period(session, c, locale, True) for c in this_year]
    earlier = [_period(session, c, locale, True) for c in compared if fiscal_year(c.period_start) < year]
    parents = parent_map(session)
    companies = company_of(parents)
    exemptions, register = {}, []
    for period in periods:
        rows = records.every_exemption(session, records.ExemptionFilter(campaign_id=period.campaign.id), WHOLE, now)
        register += rows
        exemptions[period.campaign.id] = Counter(
            (companies.get(r.department.id) if r.department else None, r.state) for r in rows
        )
    ids = [c.id for c in this_year]
    editions, flagged = _flagged(session, edition_ids(session, ids), ids)
    start, end = service_level.fiscal_year_bounds(year)
    codes = {row.id: row.code for p in periods for row in p.companies}
    return AnnualReport(
        fiscal_year=year,
        periods=periods,
        earlier=earlier,
        reattestations={p.campaign.id: _reattestations(session, p) for p in periods},
        exemptions=exemptions,
        register=register,
        desk=service_level.service_levels(session, start, end, now),
        flagged=flagged,
        editions=editions,
        companies=codes,
        terms=current_terms(session),
        pledges=annual_pledges.signed_by_department(session, ids),
        inspections=annual_inspections.inspection_year(session, year, now),
        contractors=annual_contractors.gather(session, periods, locale),
    )
