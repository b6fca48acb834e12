"""The tables of the report exports: each report's columns (a label in the reader's language, a stable code, a
kind) and its rows, from the figures the services computed. Flask-free: the caller passes `gettext` and the
texts already in the reader's language; learning.reports.exports writes the file."""

from __future__ import annotations

from collections.abc import Callable

from learning.campaigns.messages import AMENDMENT_LABELS
from learning.courses.terms import substitute
from learning.inspections.messages import FINDING_STATUS_LABELS
from learning.reports.completion import DepartmentRow
from learning.reports.comprehension import Cell
from learning.reports.contractors import ContractorRow
from learning.reports.exports import Column, Table
from learning.reports.inspections import AGE_BANDS, FindingFigures, InspectionRow, OpenFinding
from learning.reports.messages import (
    AGE_BAND_LABELS,
    EXEMPTION_STATES,
    FINDING_BREAKDOWNS,
    FLAGS,
    HISTORY_STATUS,
    INSPECTION_STATES,
    PERIOD_FIGURES,
    PERSON_STATUS,
)
from learning.reports.records import ExemptionRow, HistoryRow
from learning.reports.services import PersonRow

Translate = Callable[[str], str]
Heading = list[list[str]]
Terms = dict[str, dict[str, str]] | None  # the organisation terms in force


def department_columns(_: Translate) -> list[Column]:
    """The first columns of a table of the department tree (the level is a column of its own: an indented
    name would also hide a formula from safe())."""
    return [
        Column(_("Code"), "department_code"),
        Column(_("Level"), "level", "integer"),
        Column(_("Department"), "department"),
    ]


def _department(row: DepartmentRow) -> list:
    return [row.code, row.depth + 1, row.name]


def _completion_counts(_: Translate) -> list[tuple[str, str]]:
    """The counted columns of a completion table (departments and contractors alike): label and code."""
    return [
        (_("People assigned"), "people"),
        (_("People fully complete"), "people_complete"),
        (_("People not finished"), "people_not_finished"),
        (_("People overdue"), "people_overdue"),
        (_("Assigned"), "assigned"),
        (_("Completed"), "completed"),
        (_("In progress"), "in_progress"),
        (_("Not started"), "not_started"),
        (_("Overdue"), "overdue"),
        (_("Exempt"), "exempt"),
        (_("Withdrawn (leavers)"), "withdrawn"),
    ]


def completion(rows: list[DepartmentRow], _: Translate, heading: Heading) -> Table:
    counts = _completion_counts(_)
    columns = [
        *department_columns(_),
        *(Column(label, code, "integer") for label, code in counts),
        Column(_("Completion rate"), "completion_rate", "percent"),
        Column(_("On-time rate"), "on_time_rate", "percent"),
    ]
    table = [
        [
            *_department(r),
            *(getattr(r.total, code) for _label, code in counts),
            r.total.completion_rate,
            r.total.on_time_rate,
        ]
        for r in rows
    ]
    return Table(_("Completion by department"), columns, table, heading)


def contractors(rows: list[ContractorRow], _: Translate, heading: Heading) -> Table:
    """The department report's contractors section: per contractor company and sponsoring department."""
    counts = _completion_counts(_)
    columns = [
        Column(_("Contractor code"), "contractor_code"),
        Column(_("Contractor"), "contractor"),
        Column(_("Sponsoring department code"), "sponsor_code"),
        Column(_("Sponsoring department"), "sponsor"),
        Column(_("Contracts"), "contracts"),
        *(Column(label, code, "integer") for label, code in counts),
        Column(_("Completion rate"), "completion_rate", "percent"),
        Column(_("On-time rate"), "on_time_rate", "percent"),
    ]
    table = [
        [
            r.company_code,
            r.company,
            r.sponsor_code,
            r.sponsor,
            ", ".join(r.contracts),
            *(getattr(r.total, code) for _label, code in counts),
            r.total.completion_rate,
            r.total.on_time_rate,
        ]
        for r in rows
    ]
    return Table(_("Completion by contractor"), columns, table, heading)


def contractor_people(
    found: list[PersonRow], locale: str, _: Translate, heading: Heading, terms: Terms = None
) -> Table:
    """The people of a contractor company: as a department's, by their staff number."""
    table = people(found, locale, _, heading, terms)
    table.columns[1] = Column(_("Staff number"), "staff_no")
    return Table(_("People of a contractor"), table.columns, table.rows, heading)


def people(found: list[PersonRow], locale: str, _: Translate, heading: Heading, terms: Terms = None) -> Table:
    columns = [
        Column(_("Name"), "name"),
        Column(_("Employee number"), "employee_no"),
        Column(_("Module"), "module"),
        Column(_("Status"), "status", "coded", labels=lambda code: _(PERSON_STATUS[code])),
        Column(_("Due"), "due_on", "date"),
        Column(_("Completed on"), "completed_on", "date"),
        Column(_("Attempts"), "attempts", "integer"),
    ]
    table = [
        [
            p.name,
            p.employee_no,
            content_in(locale, p.title_ja, p.title_en, terms),
            p.shown,
            p.due_at,
            p.completed_at,
            p.attempts,
        ]
        for p in found
    ]
    return Table(_("People of a department"), columns, table, heading)


def comprehension(
    rows: list[DepartmentRow],
    modules: list[tuple[int, str, str]],
    cells: dict[tuple[int, int], Cell],
    _: Translate,
    heading: Heading,
) -> Table:
    """`modules`: (module id, title, slug); a withheld cell (too few people) is left blank."""
    columns = department_columns(_)
    average, first, attempts = _("Average best score"), _("First-attempt pass rate"), _("Attempts per completion")
    for _m, title, slug in modules:
        columns += [
            Column(f"{title}: {average}", f"{slug}.average_score", "decimal", digits=1),
            Column(f"{title}: {first}", f"{slug}.first_attempt_pass_rate", "percent"),
            Column(f"{title}: {attempts}", f"{slug}.attempts_per_completion", "decimal"),
        ]
    table = []
    for r in rows:
        line = _department(r)
        for module_id, _title, _slug in modules:
            cell = cells[(r.id, module_id)]
            scores = cell.total
            shown = [scores.average, scores.first_attempt_pass_rate, scores.attempts_per_completion]
            line += shown if cell.shown else [None, None, None]
        table.append(line)
    return Table(_("Comprehension"), columns, table, heading)


def question_columns(_: Translate) -> list[Column]:
    """A quiz question and what item analysis says of it (the item analysis export and the annual report)."""
    return [
        Column(_("Question"), "question"),
        Column(_("Times drawn"), "drawn", "integer"),
        Column(_("Facility"), "facility", "percent"),
        Column(_("Discrimination"), "discrimination", "decimal"),
        Column(_("Desk questions"), "desk_questions", "integer"),
        Column(_("Flags"), "flags", "coded", labels=lambda code: _(FLAGS[code]), joiner=_(", ")),
    ]


def items(questions: list[tuple], _: Translate, heading: Heading) -> Table:
    """`questions`: (position, prompt, figures or None, desk questions, [(wrong choice's text, picks)]), one
    row per wrong choice."""
    columns = [
        *question_columns(_),
        Column(_("Wrong choice"), "wrong_choice"),
        Column(_("Times picked"), "picked", "integer"),
    ]
    table = []
    for position, prompt, f, desk, wrong in questions:
        base = [
            f"{position}. {prompt}",
            f.drawn if f else 0,
            f.facility if f else None,
            f.discrimination if f else None,
            desk,
            f.flags if f else [],
        ]
        for choice, picked in wrong or [("", 0)]:
            table.append([*base, choice, picked])
    return Table(_("Item analysis"), columns, table, heading)


def trend(periods: list[tuple], _: Translate, heading: Heading) -> Table:
    """`periods`: (period start, due on, name, completion rate, on-time rate, still running)."""
    columns = [
        Column(_("Period"), "period_start", "date"),
        Column(_("Due"), "due_on", "date"),
        Column(_("Campaign"), "campaign"),
        Column(_("Completion rate"), "completion_rate", "percent"),
        Column(_("On-time rate"), "on_time_rate", "percent"),
        Column(_("Figures"), "figures", "coded", labels=lambda code: _(PERIOD_FIGURES[code])),
    ]
    table = [
        [start, due, name, completion, on_time, "in_progress" if running else "past_due"]
        for start, due, name, completion, on_time, running in periods
    ]
    return Table(_("Trend across periods"), columns, table, heading)


def people_matrix(lines, modules, locale: str, _: Translate, heading: Heading, terms: Terms = None) -> Table:
    """The people list as a person × module matrix: one line per person, one status column per module."""

    def status(code: str) -> str:
        return _(PERSON_STATUS[code]) if code in PERSON_STATUS else code

    columns = [
        Column(_("Employee number"), "employee_no"),
        Column(_("Full name"), "name"),
        Column(_("Department code"), "department_code"),
        Column(_("Department"), "department"),
        Column(_("Department head"), "department_head"),
        Column(_("Status"), "status", "coded", labels=status),
        Column(_("Completed"), "completed", "integer"),
        Column(_("Counted"), "counted", "integer"),
        Column(_("Due"), "due_on", "date"),
        Column(_("Due before its extension"), "due_before_extension", "date"),
        *(Column(content_in(locale, titles.get("ja"), titles.get("en"), terms), f"module_{module_id}", "coded",
                 labels=status)
          for module_id, titles in modules),
    ]  # fmt: skip
    rows = (
        [
            line.employee_no,
            line.name,
            line.department_code,
            line.department.get(locale) or line.department.get("ja", ""),
            line.head,
            line.status,
            line.completed,
            line.counted,
            line.due_at,
            line.extended_from,
            *(line.modules.get(module_id) for module_id, _titles in modules),
        ]
        for line in lines
    )
    return Table(_("People and their status"), columns, rows, heading)


def in_language(locale: str, ja: str | None, en: str | None) -> str:
    """A text in the reader's language, Japanese where there is no English."""
    return (en if locale == "en" else ja) or ja or ""


def content_in(locale: str, ja: str | None, en: str | None, terms: Terms = None) -> str:
    """Content (a module's title, a question's prompt) in the reader's language, the organisation terms in
    force substituted (`terms`: courses.term_settings.current_terms; None reads the defaults)."""
    return substitute(in_language(locale, ja, en), locale, terms)


def _person(user) -> str:
    return f"{user.name} ({user.employee_no})" if user else ""


def _amendment_columns(_: Translate) -> list[Column]:
    return [
        Column(_("Corrected by amendment"), "corrected", "coded", labels=lambda code: _(AMENDMENT_LABELS[code])),
        Column(_("Corrected completion day"), "corrected_completed_on", "date"),
        Column(_("Amendment reason"), "amendment_reason"),
    ]


def _amendment(found) -> list:
    if found is None:
        return [None, None, None]
    return [found.corrected_status, found.corrected_completed_on, found.reason]


def exemptions(rows, locale: str, _: Translate, heading: Heading, jst: Translate, terms: Terms = None) -> Table:
    """The exemption register: `rows` of learning.reports.records.ExemptionRow; `jst` names a column of times."""
    columns = [
        Column(_("Name"), "name"),
        Column(_("Employee number"), "employee_no"),
        Column(_("Department code"), "department_code"),
        Column(_("Department"), "department"),
        Column(_("Module"), "module"),
        Column(_("Campaign"), "campaign"),
        Column(_("Reason"), "reason"),
        Column(_("Granted by"), "granted_by"),
        Column(jst(_("From")), "granted_at", "datetime"),
        Column(_("To"), "until", "date"),
        Column(_("Status"), "state", "coded", labels=lambda code: _(EXEMPTION_STATES[code])),
        Column(jst(_("Ended at")), "ended_at", "datetime"),
        Column(_("Ended by"), "ended_by"),
        *_amendment_columns(_),
    ]

    def line(r: ExemptionRow) -> list:
        ended_by = _person(r.ended_by) if r.ended_by else (_("By expiry") if r.state == "expired" else "")
        return [
            r.person.name,
            r.person.employee_no,
            r.department.code if r.department else "",
            in_language(locale, r.department.name_ja, r.department.name_en) if r.department else "",
            content_in(locale, r.edition.title_ja, r.edition.title_en, terms),
            in_language(locale, r.campaign.name_ja, r.campaign.name_en) if r.campaign else "",
            r.exemption.reason,
            _person(r.granted_by),
            r.exemption.granted_at,
            r.exemption.until,
            r.state,
            r.ended_at,
            ended_by,
            *_amendment(r.amendment),
        ]

    return Table(_("Exemption register"), columns, (line(r) for r in rows), heading)


def history(
    years: list[tuple[int, list[HistoryRow]]], locale: str, _: Translate, heading: Heading, jst, terms: Terms = None
) -> Table:
    """A person's training history, every year: `years` from learning.reports.records.history."""
    columns = [
        Column(_("Fiscal year"), "fiscal_year", "integer"),
        Column(_("Campaign"), "campaign"),
        Column(_("Module"), "module"),
        Column(_("Edition"), "edition"),
        Column(_("Status"), "status", "coded", labels=lambda code: _(HISTORY_STATUS[code])),
        *_amendment_columns(_),
        Column(_("Due"), "due_on", "date"),
        Column(jst(_("Completed at")), "completed_at", "datetime"),
        Column(_("Best score"), "best_score", "integer"),
        Column(_("Attempts"), "attempts", "integer"),
        Column(jst(_("Attested at")), "attested_at", "datetime"),
        Column(_("Exempt until"), "exempt_until", "date"),
        Column(_("Exemption reason"), "exemption_reason"),
        Column(_("Certificate number"), "certificate"),
    ]
    table = []
    for year, rows in years:
        for r in rows:
            a, e = r.assignment, r.assignment.edition
            exempt = a.status == "exempt"
            table.append(
                [
                    year,
                    in_language(locale, r.campaign.name_ja, r.campaign.name_en) if r.campaign else "",
                    content_in(locale, e.title_ja, e.title_en, terms),
                    f"v{e.version} ({e.label})",
                    r.status,
                    *_amendment(r.amendment),
                    a.due_at,
                    a.completed_at,
                    a.best_score,
                    r.attempts,
                    a.attested_at,
                    a.exempt_until if exempt else None,
                    a.exempt_reason if exempt else "",
                    (r.certificate or "") if a.status == "completed" else "",
                ]
            )
    return Table(_("Training history"), columns, table, heading)


# --- Self-inspections (learning.reports.inspections) ------------------------------------------------------


def inspection_completion(rows: list[InspectionRow], _: Translate, heading: Heading) -> Table:
    """A round's period by department, each with the departments under it."""
    counts = [
        (_("Inspections due"), "due"),
        *((_(INSPECTION_STATES[code]), code) for code in INSPECTION_STATES),
        (_("Overdue"), "overdue"),
    ]
    columns = [
        *department_columns(_),
        *(Column(label, code, "integer") for label, code in counts),
        Column(_("Submission rate"), "completion_rate", "percent"),
    ]
    table = [
        [
            row.code,
            row.depth + 1,
            row.name,
            *(getattr(row.total, code) for _l, code in counts),
            row.total.completion_rate,
        ]
        for row in rows
    ]
    return Table(_("Self-inspection completion by department"), columns, table, heading)


def inspection_findings(figures: FindingFigures, locale: str, _: Translate, heading: Heading, terms: Terms) -> Table:
    """The findings by checklist item, by status and by age, one breakdown after the other."""
    columns = [
        Column(_("Breakdown"), "breakdown", "coded", labels=lambda code: _(FINDING_BREAKDOWNS[code])),
        Column(_("Item"), "item_position", "integer"),
        Column(_("Checklist item, status or age"), "line", "coded", labels=str),
        Column(_("Departments that did not conform"), "departments", "integer"),
        Column(_("Findings"), "findings", "integer"),
        Column(_("Not verified"), "not_verified", "integer"),
    ]
    rows: list[list] = [
        [
            "item",
            line.position,
            (content_in(locale, line.texts["ja"], line.texts["en"], terms), line.key),
            line.departments,
            line.findings,
            line.still_open,
        ]
        for line in figures.items
    ]
    for status, n in figures.statuses.items():
        rows.append(["status", None, (_(FINDING_STATUS_LABELS[status]), status), None, n, None])
    for code, *_days in AGE_BANDS:
        rows.append(["age", None, (_(AGE_BAND_LABELS[code]), code), None, figures.ages[code], None])
    rows.append(["age", None, (_(AGE_BAND_LABELS["overdue"]), "overdue"), None, figures.overdue, None])
    return Table(_("Self-inspection findings"), columns, rows, heading)


def open_findings(found: list[OpenFinding], locale: str, _: Translate, heading: Heading, terms: Terms) -> Table:
    columns = [
        Column(_("Code"), "department_code"),
        Column(_("Department"), "department"),
        Column(_("Period"), "period_start", "date"),
        Column(_("Item"), "item_position", "integer"),
        Column(_("Checklist item"), "item"),
        Column(_("Owner"), "owner"),
        Column(_("Corrective action"), "corrective_action"),
        Column(_("Due"), "due_on", "date"),
        Column(_("Age (days)"), "age_days", "integer"),
        Column(_("Status"), "status", "coded", labels=lambda code: _(FINDING_STATUS_LABELS[code])),
        Column(_("Overdue"), "overdue", "coded", labels=lambda code: _("Yes") if code == "yes" else _("No")),
    ]
    rows = [
        [
            f.department.code,
            in_language(locale, f.department.name_ja, f.department.name_en),
            f.period_start,
            f.finding.item.position,
            content_in(locale, f.finding.item.text_ja, f.finding.item.text_en, terms),
            _person(f.owner),
            f.finding.corrective_action,
            f.finding.due_on,
            f.age,
            f.finding.status,
            "yes" if f.overdue else "no",
        ]
        for f in found
    ]
    return Table(_("Open self-inspection findings"), columns, rows, heading)
