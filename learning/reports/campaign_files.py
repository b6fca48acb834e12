"""The campaign report's JSON and PDF forms (its CSV and XLSX are the department table's, `tables.completion`):
the same rows the page shows, for the same reader, scope and filter by employment. Flask-free: names and words
arrive translated."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from learning.campaigns.models import Campaign
from learning.reports import tables
from learning.reports.completion import Counts, DepartmentRow
from learning.reports.contractors import ContractorRow
from learning.reports.pdf import PdfWords, Section, write_pdf
from learning.reports.tables import Translate

FIGURES = (
    "assigned",
    "completed",
    "in_progress",
    "not_started",
    "overdue",
    "exempt",
    "withdrawn",
    "people",
    "people_complete",
    "people_not_finished",
    "people_overdue",
)


def _figures(counts: Counts) -> dict:
    return {
        **{k: getattr(counts, k) for k in FIGURES},
        "completion_rate": counts.completion_rate,
        "on_time_rate": counts.on_time_rate,
    }


def as_json(
    campaign: Campaign,
    name: str,
    employment: tuple[str, str] | None,
    rows: list[DepartmentRow],
    contractor_rows: list[ContractorRow],
    corrections: list[tuple],
    recorded: Counts | None,
) -> dict:
    """The report for a program: the campaign and its `name` in the reader's language, the filter (code and
    label, None: everyone), the department tree, the contractors section (empty when filtered: contractors'
    staff have no kind of employment) and a closed period's amendments."""
    return {
        "campaign": {"id": campaign.id, "name": name},
        "employment": {"code": employment[0], "label": employment[1]} if employment else None,
        "departments": [
            {
                "id": r.id,
                "code": r.code,
                "name": r.name,
                "parent_id": r.parent_id,
                "depth": r.depth,
                **_figures(r.total),
            }
            for r in rows
        ],
        "contractors": [
            {
                "company_id": r.company_id,
                "company_code": r.company_code,
                "company": r.company,
                "sponsor_id": r.sponsor_id,
                "sponsor_code": r.sponsor_code,
                "sponsor": r.sponsor,
                "contracts": r.contracts,
                **_figures(r.total),
            }
            for r in contractor_rows
        ],
        "closed": campaign.status == "closed",
        "amendments": [
            {
                "assignment_id": a.assignment_id,
                "employee_no": person.employee_no,
                "from": a.original_status,
                "to": a.corrected_status,
                "completed_on": a.corrected_completed_on.isoformat() if a.corrected_completed_on else None,
                "reason": a.reason,
                "by": author.employee_no,
                "at": a.amended_at.isoformat(),
            }
            for a, person, author, *_titles in corrections
        ],
        "recorded_completion_rate": recorded.completion_rate if recorded else None,
    }


def pdf_writer(
    rows: list[DepartmentRow], contractor_rows: list[ContractorRow], lines: list[list[str]], _: Translate
) -> Callable[[BinaryIO], None]:
    """The report as an A4 PDF: the departments, then the contractors section when it is shown."""
    sections = [Section(_("Completion by department"), tables.completion(rows, _, lines))]
    if contractor_rows:
        sections.append(Section(_("Contractors' staff"), tables.contractors(contractor_rows, _, lines)))
    words = PdfWords(page=_("%(page)d / %(pages)d"), empty=_("None"))
    return lambda target: write_pdf(target, lines[0][0], lines, sections, words)
