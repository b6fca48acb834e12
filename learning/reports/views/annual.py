"""The annual report (年次報告) as a page, a PDF and a workbook, and the fiscal year's evidence pack: whole
organisation figures for the compliance office and internal audit; every view and download audited."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from learning import clock
from learning.audit.services import head
from learning.authz import Permission, requires
from learning.campaigns.periods import fiscal_year
from learning.i18n import current_locale
from learning.reports import access, annual, annual_tables, services, tables
from learning.reports import evidence as pack
from learning.reports.exports import file_name, readable, write_workbook
from learning.reports.pages import XLSX_TYPE, as_of, audit, heading, jst, spooled
from learning.reports.pdf import PdfWords, write_pdf
from learning.web import db

bp = Blueprint("annual", __name__, template_folder="../templates")
PDF_TYPE = "application/pdf"
ZIP_TYPE = "application/zip"


@bp.route("/reports/annual")
@requires(Permission.ANNUAL_REPORT)
def index():
    running = {fiscal_year(c.period_start) for c in services.campaigns(db()) if c.status != "closed"}
    return render_template("reports/annual_index.html", years=annual.fiscal_years(db()), running=running)


def _report(year: int) -> annual.AnnualReport:
    found = annual.annual_report(db(), year, as_of(), current_locale())
    if found is None:
        abort(404)
    return found


def _heading(report: annual.AnnualReport) -> list[list[str]]:
    status = (
        _("Provisional: a period of this year is still running; its figures are those of the time in the heading.")
        if report.provisional
        else _("Final: every period of this year is closed; its figures are frozen.")
    )
    return heading(
        _("Annual report on conduct-rule training, fiscal %(year)d", year=report.fiscal_year),
        (
            _("Fiscal year"),
            _(
                "%(year)d (from 1 April %(year)d to 31 March %(next)d)",
                year=report.fiscal_year,
                next=report.fiscal_year + 1,
            ),
        ),
        (_("Departments"), _("The whole organisation")),
        (_("Figures"), status),
    )


def _attachment(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pdf_writer(report: annual.AnnualReport, lines: list[list[str]]):
    sections = annual_tables.sections(report, current_locale(), _, jst)
    words = PdfWords(page=_("%(page)d / %(pages)d"), empty=_("None"))
    return lambda target: write_pdf(target, lines[0][0], lines, sections, words)


def _xlsx_writer(report: annual.AnnualReport, lines: list[list[str]]):
    sheets = annual_tables.workbook_tables(report, current_locale(), _, jst, lines)
    return lambda target: write_workbook(target, sheets)


@bp.route("/reports/annual/<int:year>")
@bp.route("/reports/annual/<int:year>.<any(pdf, xlsx):fmt>")
@requires(Permission.ANNUAL_REPORT)
def report(year: int, fmt: str = "html"):
    found = _report(year)
    audit(("fiscal_year", year), {"report": "annual", "format": fmt})
    lines = _heading(found)
    if fmt == "pdf":
        body = spooled(_pdf_writer(found, lines))
        name = file_name("annual-report", [f"FY{year}"], as_of(), "pdf")
        return _attachment(Response(stream_with_context(body), content_type=PDF_TYPE), name)
    if fmt == "xlsx":
        body = spooled(_xlsx_writer(found, lines))
        name = file_name("annual-report", [f"FY{year}"], as_of(), "xlsx")
        return _attachment(Response(stream_with_context(body), content_type=XLSX_TYPE), name)
    shown = [(s.title, s.note, *readable(s.table)) for s in annual_tables.sections(found, current_locale(), _, jst)]
    return render_template("reports/annual.html", report=found, sections=shown, heading=lines)


@bp.route("/reports/annual/<int:year>/evidence.zip")
@requires(Permission.EVIDENCE_PACK)
def evidence(year: int):
    """One zip for internal audit to keep; the pack's own production is the trail's head it records."""
    found = _report(year)
    audit(("fiscal_year", year), {"report": "evidence_pack", "format": "zip"}, at_once=True)
    lines = _heading(found)
    anchor = head(db())  # after the audit record above: the pack names the event of its own production
    campaigns = [p.campaign for p in found.periods]
    locale = current_locale()
    edition_parts, edition_lines = pack.edition_parts(db(), found.editions)
    sessions = current_app.extensions["db"].factory
    records = pack.records_table(sessions, campaigns, as_of(), locale, _, jst, _with(lines, _("Per-person records")))
    parts = [
        pack.Part(f"annual-report-FY{year}.pdf", _pdf_writer(found, lines)),
        pack.Part(f"annual-report-FY{year}.xlsx", _xlsx_writer(found, lines)),
        pack.csv_part("records.csv", records),
        pack.csv_part(
            "exemption-register.csv",
            tables.exemptions(found.register, locale, _, _with(lines, _("Exemption register")), jst, found.terms),
        ),
        pack.csv_part("editions.csv", pack.editions_table(edition_lines, _, _with(lines, _("Content editions used")))),
        *edition_parts,
        pack.terms_part(db()),
    ]
    facts = pack.manifest(year, campaigns, anchor, as_of(), access.person(current_user))
    words = _readme_words(year, anchor)

    def write(target) -> None:
        pack.write_pack(target, parts, facts, words)

    name = file_name("evidence-pack", [f"FY{year}"], as_of(), "zip")
    return _attachment(Response(stream_with_context(spooled(write)), content_type=ZIP_TYPE), name)


def _with(lines: list[list[str]], title: str) -> list[list[str]]:
    """The report's heading with the file's own title in place of the report's."""
    return [[title], *lines[1:]]


def _readme_words(year: int, anchor):
    moment = as_of().astimezone(clock.TOKYO)
    intro = [
        _("Evidence pack, fiscal %(year)d", year=year),
        _("Produced %(at)s JST by %(by)s.", at=f"{moment:%Y-%m-%d %H:%M}", by=access.person(current_user)),
        _("Audit trail head when produced: event %(id)s, hash %(hash)s", id=anchor.event_id, hash=anchor.hash)
        if anchor
        else _("The audit trail was empty."),
        _("manifest.json lists every file with its size and SHA-256; check a kept copy with sha256sum."),
        _("terms.json holds the organisation terms in force; the editions keep each {{name}} their authors wrote."),
        "",
    ]

    def readme(files: list[dict]) -> str:
        return "\r\n".join([*intro, *(f"{f['sha256']}  {f['name']}" for f in files)]) + "\r\n"

    return readme
