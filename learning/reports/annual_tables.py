"""The annual report as sections of tables: what the PDF prints and the XLSX holds, sheet by sheet, from one
description (learning.reports.annual gathers the figures). Flask-free: the caller passes `gettext`, the
reader's locale and the heading."""

from __future__ import annotations

from collections.abc import Callable

from learning.campaigns.messages import AMENDMENT_LABELS
from learning.campaigns.periods import tokyo_date
from learning.desk.messages import CATEGORY_LABELS
from learning.desk.service_level import SERVICE_LEVEL_DAYS
from learning.reports import annual_contractors, annual_inspections, annual_pledges
from learning.reports.annual import AnnualReport, Period
from learning.reports.comprehension import MIN_GROUP
from learning.reports.exports import Column, Table
from learning.reports.messages import ANNUAL_FIGURES, EXEMPTION_STATES
from learning.reports.pdf import Section
from learning.reports.tables import Heading, Translate, content_in, exemptions, in_language, question_columns

COUNTS = (
    ("People assigned", "people"),
    ("People fully complete", "people_complete"),
    ("People not finished", "people_not_finished"),
    ("Assigned", "assigned"),
    ("Exempt", "exempt"),
    ("Withdrawn (leavers)", "withdrawn"),
    ("Completed", "completed"),
)


def _campaign(period: Period, locale: str) -> str:
    return in_language(locale, period.campaign.name_ja, period.campaign.name_en)


def _figures(period: Period) -> str:
    return "running" if period.running else "final"


def _period_columns(_: Translate) -> list[Column]:
    return [
        Column(_("Fiscal year"), "fiscal_year", "integer"),
        Column(_("Campaign"), "campaign"),
        Column(_("Figures"), "figures", "coded", labels=lambda code: _(ANNUAL_FIGURES[code])),
    ]


def _count_columns(_: Translate) -> list[Column]:
    return [
        *(Column(_(label), code, "integer") for label, code in COUNTS),
        Column(_("Completion rate"), "completion_rate", "percent"),
        Column(_("On-time rate"), "on_time_rate", "percent"),
    ]


def _counts(counts) -> list:
    return [*(getattr(counts, code) for _label, code in COUNTS), counts.completion_rate, counts.on_time_rate]


def companies(report: AnnualReport, locale: str, _: Translate) -> Table:
    """Per company (and the whole organisation), this year and the two before, in the order a reader compares."""
    columns = [Column(_("Company code"), "company_code"), Column(_("Company"), "company"), *_period_columns(_)]
    columns += [*_count_columns(_), Column(_("Completion rate as recorded"), "recorded_completion_rate", "percent")]
    rows, whole = [], _("Whole organisation")
    codes = sorted({(row.code, row.id) for p in report.compared for row in p.companies})
    for code, company_id in codes:
        for period in report.compared:
            row = next((r for r in period.companies if r.id == company_id), None)
            if row is not None:
                head = [code, row.name, period.fiscal_year, _campaign(period, locale), _figures(period)]
                rows.append([*head, *_counts(row.total), None])
    for period in report.compared:
        recorded = period.recorded.completion_rate if period.recorded else None
        head = ["", whole, period.fiscal_year, _campaign(period, locale), _figures(period)]
        rows.append([*head, *_counts(period.total), recorded])
    return Table(_("Completion by company"), columns, rows)


def top_departments(report: AnnualReport, locale: str, _: Translate) -> Table:
    """The departments directly under each company, this year, beside the same department the year before."""
    columns = [
        Column(_("Code"), "department_code"),
        Column(_("Department"), "department"),
        *_period_columns(_),
        *_count_columns(_),
        Column(_("Completion rate the year before"), "previous_completion_rate", "percent"),
    ]
    rows = []
    for period in report.periods:
        before = _year_before(report, period)
        for row in period.top_departments:
            previous = next((r for r in before.rows if r.id == row.id), None) if before else None
            head = [row.code, row.name, period.fiscal_year, _campaign(period, locale), _figures(period)]
            rows.append([*head, *_counts(row.total), previous.total.completion_rate if previous else None])
    return Table(_("Top departments"), columns, rows)


def _year_before(report: AnnualReport, period: Period) -> Period | None:
    """The same series' period of the fiscal year before (or, outside a series, none)."""
    series = period.campaign.series_id
    found = [
        p
        for p in report.earlier
        if series is not None and p.campaign.series_id == series and p.fiscal_year == period.fiscal_year - 1
    ]
    return found[-1] if found else None


def comprehension(report: AnnualReport, locale: str, _: Translate) -> Table:
    columns = [
        Column(_("Company"), "company"),
        *_period_columns(_),
        Column(_("Module"), "module"),
        Column(_("People with an attempt"), "scored", "integer"),
        Column(_("Average best score"), "average_score", "decimal", digits=1),
        Column(_("First-attempt pass rate"), "first_attempt_pass_rate", "percent"),
        Column(_("Attempts per completion"), "attempts_per_completion", "decimal"),
    ]
    rows = []
    for period in report.compared:
        for company in period.companies:
            for module_id, title_ja, title_en in period.modules:
                cell = period.cells.get((company.id, module_id))
                if cell is None:
                    continue
                s = cell.total
                figures = (
                    [s.average, s.first_attempt_pass_rate, s.attempts_per_completion] if cell.shown else [None] * 3
                )
                head = [company.name, period.fiscal_year, _campaign(period, locale), _figures(period)]
                rows.append([*head, content_in(locale, title_ja, title_en, report.terms), s.scored, *figures])
    return Table(_("Comprehension by company"), columns, rows)


def attestations(report: AnnualReport, locale: str, _: Translate) -> Table:
    columns = [
        Column(_("Company"), "company"),
        *_period_columns(_),
        Column(_("Completed and attested"), "attested", "integer"),
        Column(_("Re-attestations required"), "reattestations_required", "integer"),
        Column(_("Re-attestations completed"), "reattestations_completed", "integer"),
    ]
    rows = []
    for period in report.periods:
        again = {r.company_id: r for r in report.reattestations.get(period.campaign.id, [])}
        for company in period.companies:
            found = again.get(company.id)
            head = [company.name, period.fiscal_year, _campaign(period, locale), _figures(period)]
            rows.append(
                [*head, company.total.completed, found.required if found else 0, found.completed if found else 0]
            )
    return Table(_("Attestations"), columns, rows)


def exemption_summary(report: AnnualReport, locale: str, _: Translate) -> Table:
    columns = [
        Column(_("Company"), "company"),
        *_period_columns(_),
        Column(_("Status"), "state", "coded", labels=lambda code: _(EXEMPTION_STATES[code])),
        Column(_("Exemptions"), "exemptions", "integer"),
    ]
    rows = []
    for period in report.periods:
        names = {row.id: row.name for row in period.companies}
        counted = report.exemptions.get(period.campaign.id, {})
        for (company_id, state), n in sorted(counted.items(), key=lambda i: (str(names.get(i[0][0], "")), i[0][1])):
            head = [names.get(company_id, "—"), period.fiscal_year, _campaign(period, locale), _figures(period)]
            rows.append([*head, state, n])
    return Table(_("Exemptions"), columns, rows)


def desk(report: AnnualReport, _: Translate) -> Table:
    columns = [
        Column(_("Topic"), "category", "coded", labels=lambda code: _(CATEGORY_LABELS[code])),
        Column(_("Asked"), "asked", "integer"),
        Column(_("Answered"), "answered", "integer"),
        Column(_("Answered within the service level"), "within_level", "integer"),
        Column(_("Share answered within the service level"), "within_level_rate", "percent"),
        Column(_("Still open"), "still_open", "integer"),
        Column(_("Open past the service level"), "late", "integer"),
        Column(_("Median business days to answer"), "median_days", "decimal", digits=1),
    ]

    def line(row, category) -> list:
        return [
            category,
            row.asked,
            row.answered,
            row.within_level,
            row.within_level_rate,
            row.still_open,
            row.late,
            row.median_days,
        ]

    rows = [line(r, r.category) for r in report.desk.rows]
    rows.append(line(report.desk.total, (_("All topics"), "all")))
    return Table(_("Desk questions"), columns, rows)


def flagged(report: AnnualReport, locale: str, _: Translate) -> Table:
    columns = [
        Column(_("Module"), "module"),
        Column(_("Edition"), "edition"),
        *question_columns(_),
    ]
    rows = [
        [
            content_in(locale, q.edition.title_ja, q.edition.title_en, report.terms),
            f"v{q.edition.version} ({q.edition.label})",
            f"{q.position}. {content_in(locale, q.prompt_ja, q.prompt_en, report.terms)}",
            q.figures.drawn,
            q.figures.facility,
            q.figures.discrimination,
            q.desk_questions,
            q.figures.flags,
        ]
        for q in report.flagged
    ]
    return Table(_("Questions flagged by item analysis"), columns, rows)


def corrections(report: AnnualReport, locale: str, _: Translate, jst: Translate) -> Table:
    columns = [
        Column(_("Campaign"), "campaign"),
        Column(_("Employee number"), "employee_no"),
        Column(_("Name"), "name"),
        Column(_("Module"), "module"),
        Column(_("Recorded"), "recorded", "coded", labels=lambda code: _(AMENDMENT_LABELS.get(code, code))),
        Column(_("Corrected to"), "corrected", "coded", labels=lambda code: _(AMENDMENT_LABELS[code])),
        Column(_("Corrected completion day"), "corrected_completed_on", "date"),
        Column(_("Reason"), "reason"),
        Column(_("Amended by"), "amended_by"),
        Column(jst(_("Amended at")), "amended_at", "datetime"),
    ]
    rows = []
    for period in report.periods:
        for amendment, person, author, title_ja, title_en in period.amendments:
            rows.append(
                [
                    _campaign(period, locale),
                    person.employee_no,
                    person.name,
                    content_in(locale, title_ja, title_en, report.terms),
                    amendment.original_status,
                    amendment.corrected_status,
                    amendment.corrected_completed_on,
                    amendment.reason,
                    f"{author.name} ({author.employee_no})",
                    amendment.amended_at,
                ]
            )
    return Table(_("Corrections to closed periods"), columns, rows)


def editions(report: AnnualReport, locale: str, _: Translate) -> Table:
    columns = [
        Column(_("Module"), "module"),
        Column(_("Edition"), "edition"),
        Column(_("Published"), "published_on", "date"),
        Column(_("Content hash (SHA-256)"), "content_hash"),
    ]
    rows = [
        [
            content_in(locale, e.title_ja, e.title_en, report.terms),
            f"v{e.version} ({e.label})",
            tokyo_date(e.published_at) if e.published_at else None,
            e.content_hash,
        ]
        for e in report.editions
    ]
    return Table(_("Content editions used"), columns, rows)


def sections(report: AnnualReport, locale: str, _: Translate, jst: Callable[[str], str]) -> list[Section]:
    """The report's sections in order, each a table with what it counts in a sentence."""
    withheld = _("Figures resting on fewer than %(n)d people are left blank.", n=MIN_GROUP)
    found = [
        Section(
            _("1. Completion by company"),
            companies(report, locale, _),
            _(
                "People and assignments of each company, this fiscal year and the two before. A closed period counts "
                "people in the department they were in when assigned, with its amendments; a running one as of now."
            ),
        ),
        Section(
            _("2. Top departments"), top_departments(report, locale, _), _("Departments directly under each company.")
        ),
        Section(_("3. Comprehension by company"), comprehension(report, locale, _), withheld),
        Section(
            _("4. Attestations"),
            attestations(report, locale, _),
            _(
                "Every completion includes the learner's attestation. Re-attestations follow a substantive "
                "content change."
            ),
        ),
        Section(_("5. Exemptions"), exemption_summary(report, locale, _), _("The register itself is in the workbook.")),
        Section(
            _("6. Desk questions by topic"),
            desk(report, _),
            _(
                "Questions asked in the fiscal year; the service level is an answer within %(n)d business days.",
                n=SERVICE_LEVEL_DAYS,
            ),
        ),
        Section(
            _("7. Questions flagged by item analysis"),
            flagged(report, locale, _),
            _("Questions of the editions used this year, from the attempts made for this year's campaigns."),
        ),
        Section(_("8. Corrections to closed periods"), corrections(report, locale, _, jst)),
        Section(_("9. Content editions used"), editions(report, locale, _)),
        Section(
            _("10. Pledges signed by department"),
            annual_pledges.table(report.pledges, locale, _),
            annual_pledges.note(_),
        ),
        Section(_("11. Contractors' staff"), annual_contractors.table(report, locale, _), annual_contractors.note(_)),
    ]
    return [*found, *annual_inspections.sections(report.inspections, locale, _, len(found) + 1)]


def workbook_tables(report: AnnualReport, locale: str, _: Translate, jst: Translate, heading: Heading) -> list[Table]:
    """The workbook: one sheet per section, then the exemption register; each headed like every export."""
    tables = [section.table for section in sections(report, locale, _, jst)]
    tables.append(exemptions(report.register, locale, _, [], jst, report.terms))
    for table in tables:
        table.heading = heading
    return tables
