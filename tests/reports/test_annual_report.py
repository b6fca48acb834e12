"""The annual report (年次報告) and the evidence pack: every figure in them is the one the report pages show for
the same campaign and scope; the PDF carries the Japanese names; the pack proves itself file by file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from learning import clock
from learning.accounts.models import User
from learning.audit.models import AuditEvent
from learning.campaigns.amendments import amend
from learning.campaigns.jobs import run_jobs
from learning.campaigns.models import Campaign
from learning.courses.formats.bundle import read_zip
from learning.courses.formats.content import read_tree
from learning.courses.services import import_modules
from learning.demo.organisation import seed
from learning.desk.models import DeskQuestion
from learning.firstrun import CONTENT_DIR
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.factories import make_user

NOW = datetime(2026, 12, 2, 3, tzinfo=UTC)  # fiscal 2026 running; 2024 and 2025 closed


@pytest.fixture
def year(app):
    """The demo organisation's three yearly periods, an amendment to fiscal 2025 and desk questions of that year;
    a compliance officer reading English, an auditor reading Japanese, and a manager."""
    clock.freeze(NOW)
    session = app.extensions["db"].factory()
    import_modules(session, read_tree(CONTENT_DIR))
    seed(session, employees=120, periods=3)
    session.commit()
    compliance = make_user(session, "compliance", employee_no="C900")
    auditor = make_user(session, "auditor", employee_no="A900", locale="ja")
    manager = make_user(session, "manager", employee_no="M900")
    fy2025 = session.scalar(select(Campaign).where(Campaign.period_start == date(2025, 4, 1)))
    missed = session.scalar(
        select(Assignment)
        .where(Assignment.campaign_id == fy2025.id, Assignment.status.in_(("assigned", "in_progress")))
        .order_by(Assignment.id)
    )
    amend(session, missed, "completed", "紙の研修記録で修了を確認", compliance.id, completed_on=date(2026, 3, 10))
    for asked, answered in [
        (datetime(2025, 6, 2, 1, tzinfo=UTC), datetime(2025, 6, 3, 1, tzinfo=UTC)),
        (datetime(2025, 6, 2, 1, tzinfo=UTC), datetime(2025, 6, 20, 1, tzinfo=UTC)),
        (datetime(2026, 3, 31, 14, 59, tzinfo=UTC), None),  # 23:59 JST on 31 March: fiscal 2025
        (datetime(2026, 3, 31, 15, 0, tzinfo=UTC), None),  # 00:00 JST on 1 April: fiscal 2026
    ]:
        session.add(
            DeskQuestion(
                asker_id=compliance.id,
                category="ids_systems",
                body="共用IDは使ってよいですか",
                status="answered" if answered else "new",
                asked_at=asked,
                answered_at=answered,
            )
        )
    session.commit()
    facts = {
        "fy2025": fy2025.id,
        "campaigns": [(c.id, c.name_en) for c in session.scalars(select(Campaign).order_by(Campaign.period_start))],
        "people": (compliance.employee_no, auditor.employee_no, manager.employee_no),
        "amended": session.get(User, missed.user_id).employee_no,
        "fy2025_assignments": [
            (a.id, a.edition_id) for a in session.scalars(select(Assignment).where(Assignment.campaign_id == fy2025.id))
        ],
    }
    session.rollback()  # nothing held open: SQLite would keep the pages' requests from writing their audit records
    yield {**facts, "session": session}
    session.close()


@pytest.fixture
def clients(app, year):
    made = {}

    def client_of(employee_no: str):
        if employee_no not in made:
            made[employee_no] = app.test_client()
            sign_in(made[employee_no], employee_no)
        return made[employee_no]

    return client_of


def sheet_rows(workbook, title: str) -> list[dict]:
    """A sheet's rows as {header: value}: the header is the first row after the heading's blank line. (A sheet's
    name is its table's title cut to Excel's 31 characters.)"""
    rows = [r for r in workbook[title[:31]].iter_rows(values_only=True)]
    blank = next(i for i, r in enumerate(rows) if not any(v is not None for v in r))
    header = rows[blank + 1]
    return [dict(zip(header, r, strict=False)) for r in rows[blank + 2 :]]


def download(client, path: str):
    """A streamed download read to its end and closed, as a server does after sending it (which ends the
    request's session: SQLite would otherwise keep its read open)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def page_json(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_json()


def test_every_figure_of_the_workbook_is_the_one_the_report_pages_show(year, clients):
    compliance, _auditor, _manager = year["people"]
    client = clients(compliance)
    response = download(client, "/reports/annual/2025.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="annual-report-FY2025-20261202.xlsx"'
    workbook = load_workbook(io.BytesIO(response.data))
    companies = sheet_rows(workbook, "Completion by company")
    compared = year["campaigns"][:2]  # fiscal 2024 and 2025: the demo has no earlier year
    checked = 0
    for campaign_id, name in compared:
        shown = page_json(client, f"/reports/campaigns/{campaign_id}.json")
        for department in (d for d in shown["departments"] if d["depth"] == 0):
            row = next(r for r in companies if r["Company code"] == department["code"] and r["Campaign"] == name)
            for label, key in [
                ("People assigned", "people"),
                ("People fully complete", "people_complete"),
                ("People not finished", "people_not_finished"),
                ("Assigned", "assigned"),
                ("Exempt", "exempt"),
                ("Withdrawn (leavers)", "withdrawn"),
                ("Completed", "completed"),
                ("Completion rate", "completion_rate"),
                ("On-time rate", "on_time_rate"),
            ]:
                assert row[label] == department[key], (name, department["code"], label)
                checked += 1
        whole = next(r for r in companies if r["Company"] == "Whole organisation" and r["Campaign"] == name)
        if campaign_id == year["fy2025"]:
            assert whole["Completion rate as recorded"] == shown["recorded_completion_rate"]
            assert whole["Completion rate as recorded"] < whole["Completion rate"]  # the amendment completed one
    assert checked == 2 * 2 * 9  # two companies, two years, nine figures

    top = sheet_rows(workbook, "Top departments")
    shown = page_json(client, f"/reports/campaigns/{year['fy2025']}.json")
    before = page_json(client, f"/reports/campaigns/{compared[0][0]}.json")
    depth_one = [d for d in shown["departments"] if d["depth"] == 1]
    assert sorted(r["Code"] for r in top) == sorted(d["code"] for d in depth_one)
    for department in depth_one:
        row = next(r for r in top if r["Code"] == department["code"])
        assert (row["People assigned"], row["Completed"], row["Completion rate"]) == (
            department["people"],
            department["completed"],
            department["completion_rate"],
        )
        previous = next(d for d in before["departments"] if d["id"] == department["id"])
        assert row["Completion rate the year before"] == previous["completion_rate"]

    comprehension = sheet_rows(workbook, "Comprehension by company")
    page = download(client, f"/reports/campaigns/{year['fy2025']}/comprehension.csv")
    lines = list(csv.reader(io.StringIO(page.data.decode("utf-8-sig"))))
    header_at = next(i for i, line in enumerate(lines) if line[:1] == ["Code"])
    header, rows = lines[header_at], lines[header_at + 1 :]
    compared_cells = 0
    for line in (r for r in rows if r[1] == "1"):  # level 1: a company
        for module_row in (r for r in comprehension if r["Company"] == line[2] and r["Fiscal year"] == 2025):
            average = header.index(f"{module_row['Module']}: Average best score")
            shown_average = float(line[average]) if line[average] else None
            assert module_row["Average best score"] == shown_average
            first = line[average + 1]  # the CSV writes a share as "87.5%"
            in_workbook = module_row["First-attempt pass rate"]
            assert (f"{100 * in_workbook:.1f}%" if in_workbook is not None else "") == first
            compared_cells += 1
    modules = len({edition for _id, edition in year["fy2025_assignments"]})
    assert modules >= 5 and compared_cells == 2 * modules  # two companies, every module of the year

    corrections = sheet_rows(workbook, "Corrections to closed periods")
    assert [(r["Employee number"], r["Reason"], r["Corrected to"]) for r in corrections] == [
        (year["amended"], "紙の研修記録で修了を確認", "Completed")
    ]
    flagged = {(r["Question"], r["flags_code"]) for r in sheet_rows(workbook, "Questions flagged by item analysis")}
    on_pages = set()
    for edition_id in sorted({edition for _id, edition in year["fy2025_assignments"]}):
        page = download(client, f"/reports/items/{edition_id}.csv?year=2025")
        assert page.status_code == 200
        assert page.headers["Content-Disposition"].endswith('-FY2025-20261202.csv"')
        lines = list(csv.reader(io.StringIO(page.data.decode("utf-8-sig"))))
        header = lines[lines.index([]) + 1]
        at = header.index("flags_code")
        on_pages |= {(line[0], line[at]) for line in lines[lines.index([]) + 2 :] if line[at]}
    assert flagged == on_pages and flagged  # the demo has a too-easy and a too-hard question in every module

    register = sheet_rows(workbook, "Exemption register")
    exemptions = sheet_rows(workbook, "Exemptions")
    assert len(register) == sum(r["Exemptions"] for r in exemptions)


def test_the_pdf_renders_the_japanese_names_and_the_pages_figures(year, clients):
    _compliance, auditor, _manager = year["people"]
    client = clients(auditor)  # reads Japanese
    response = download(client, "/reports/annual/2025.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    # pypdf puts a NUL and a space before each glyph: both go before comparing.
    text = re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))
    assert "2025年度" in text
    for name in ("デモ電力株式会社", "デモ電力送配電株式会社"):
        assert name in text
    shown = page_json(client, f"/reports/campaigns/{year['fy2025']}.json")
    for department in (d for d in shown["departments"] if d["depth"] <= 1):
        assert re.sub(r"\s+", "", department["name"]) in text
    rate = next(d for d in shown["departments"] if d["depth"] == 0)["completion_rate"]
    assert f"{100 * rate:.1f}%" in text
    assert b"/FontFile" in response.data  # the font travels inside the file: it renders on any reader, offline


def test_the_evidence_pack_holds_the_year_and_proves_every_file(year, clients):
    _compliance, auditor, _manager = year["people"]
    client = clients(auditor)
    response = download(client, "/reports/annual/2025/evidence.zip")
    assert response.status_code == 200
    pack = zipfile.ZipFile(io.BytesIO(response.data))
    names = pack.namelist()
    assert {"annual-report-FY2025.pdf", "annual-report-FY2025.xlsx", "records.csv", "exemption-register.csv",
            "editions.csv", "manifest.json", "README.txt"} <= set(names)  # fmt: skip
    manifest = json.loads(pack.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(pack.read(entry["name"])).hexdigest() == entry["sha256"]
        assert entry["sha256"] in pack.read("README.txt").decode()
    session = year["session"]
    produced = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert produced.action == "report_exported" and json.loads(produced.details)["report"] == "evidence_pack"
    assert manifest["audit_head"] == {"event_id": produced.id, "hash": produced.hash}
    assert manifest["fiscal_year"] == 2025 and [c["id"] for c in manifest["campaigns"]] == [year["fy2025"]]

    records = list(csv.reader(io.StringIO(pack.read("records.csv").decode("utf-8-sig"))))
    assigned = year["fy2025_assignments"]
    header_at = records.index([]) + 1  # the heading, a blank line, the header
    assert records[header_at][:2] == ["年度", "キャンペーン"]
    assert len(records) - header_at - 1 == len(assigned)

    editions = list(csv.reader(io.StringIO(pack.read("editions.csv").decode("utf-8-sig"))))
    header_at = editions.index([]) + 1
    assert editions[header_at][0] == "研修"  # the module, as the Japanese pages name it
    used = editions[header_at + 1 :]
    assert len(used) == len({edition for _id, edition in assigned}) >= 5
    for _module, _version, _label, stored, recomputed, name in used:
        assert stored == recomputed
        assert read_zip(pack.read(name)).content_hash() == stored


def test_only_compliance_and_audit_read_it_and_a_year_without_campaigns_is_not_found(year, clients):
    compliance, auditor, manager = year["people"]
    assert download(clients(manager), "/reports/annual/2025.pdf").status_code == 403
    assert clients(manager).get("/reports/annual/2025/evidence.zip").status_code == 403
    assert clients(compliance).get("/reports/annual/2019").status_code == 404
    page = clients(compliance).get("/reports/annual")
    assert page.status_code == 200 and b"Fiscal 2026" in page.data and b"Fiscal 2024" in page.data
    running = clients(compliance).get("/reports/annual/2026")
    assert running.status_code == 200 and b"Provisional" in running.data
    closed = clients(auditor).get("/reports/annual/2025").get_data(as_text=True)
    assert "確定" in closed and "暫定" not in closed


def test_a_month_later_the_closed_years_report_gives_the_same_figures(app, year, clients):
    compliance, _auditor, _manager = year["people"]

    def figures(client) -> dict[str, list]:
        response = download(client, "/reports/annual/2025.xlsx")
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.data))
        sheets = ("Completion by company", "Top departments", "Comprehension by company", "Exemptions")
        return {title: sheet_rows(workbook, title) for title in sheets}

    before = figures(clients(compliance))
    clock.freeze(datetime(2027, 1, 5, 1, tzinfo=UTC))  # a month on: the jobs run, people move and leave
    session = app.extensions["db"].factory()
    for person in session.scalars(select(User).where(User.employee_no.like("D%")).limit(10)):
        person.status = "left"
    session.commit()
    assert run_jobs(session, app.extensions["settings"]).failed == []
    session.close()
    again = app.test_client()  # the first session timed out long ago
    sign_in(again, compliance)
    assert figures(again) == before
