"""The annual report's contractors section (issue 19 item 5): contractors' staff per contractor company and
sponsoring department, apart from the departments (they belong to none), for each campaign of the year, with
the same figures and from the same query as the department report's contractors section. Flask-free."""

from __future__ import annotations

from sqlalchemy.orm import Session

from learning.reports import contractors
from learning.reports.exports import Column, Table
from learning.reports.messages import ANNUAL_FIGURES
from learning.reports.tables import Translate, in_language

EVERY = contractors.ContractorScope(None)  # the committee's report covers every contractor
COUNTS = (
    ("People assigned", "people"),
    ("People fully complete", "people_complete"),
    ("People not finished", "people_not_finished"),
    ("Assigned", "assigned"),
    ("Completed", "completed"),
    ("In progress", "in_progress"),
    ("Not started", "not_started"),
    ("Overdue", "overdue"),
    ("Exempt", "exempt"),
)


def gather(session: Session, periods, locale: str) -> dict[int, list[contractors.ContractorRow]]:
    """Per campaign of the year: its contractors' rows (none where it assigned no contractor)."""
    return {p.campaign.id: contractors.section(session, p.campaign.id, EVERY, locale) for p in periods}


def table(report, locale: str, _: Translate) -> Table:
    columns = [
        Column(_("Fiscal year"), "fiscal_year", "integer"),
        Column(_("Campaign"), "campaign"),
        Column(_("Figures"), "figures", "coded", labels=lambda code: _(ANNUAL_FIGURES[code])),
        Column(_("Contractor code"), "contractor_code"),
        Column(_("Contractor"), "contractor"),
        Column(_("Sponsoring department"), "sponsor"),
        *(Column(_(label), code, "integer") for label, code in COUNTS),
        Column(_("Completion rate"), "completion_rate", "percent"),
        Column(_("On-time rate"), "on_time_rate", "percent"),
    ]
    rows = []
    for period in report.periods:
        head = [
            period.fiscal_year,
            in_language(locale, period.campaign.name_ja, period.campaign.name_en),
            "running" if period.running else "final",
        ]
        for row in report.contractors.get(period.campaign.id, []):
            counts = row.total
            figures = [*(getattr(counts, code) for _label, code in COUNTS), counts.completion_rate, counts.on_time_rate]
            rows.append([*head, row.company_code, row.company, f"{row.sponsor} ({row.sponsor_code})", *figures])
    return Table(_("Contractors' staff"), columns, rows)


def note(_: Translate) -> str:
    return _(
        "Contractors' staff belong to no department: they are counted here, per contractor company and the "
        "department sponsoring its contract, and in none of the sections above."
    )
