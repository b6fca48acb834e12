"""Self-inspection reports against a hand-counted organisation: completion by department for a period, the
findings by item, status and age band, the trend, the open findings and their exports; who sees what (a
head their subtree, the second line its subtrees, internal audit everything, changing nothing); every view
and export on the audit trail.

The organisation: company C; under it A (with A1 under it) and B, each with a head. Round 1 (quarterly,
covering C) has two periods: the last quarter (due ten days ago) and this one (due in ten days):

    last quarter   A accepted · A1 submitted · B returned (overdue)
    this quarter   A answering · A1 not started · B submitted

Findings of round 1, with their age in days (raised on the Tokyo day that many days ago):

    f1 A  last  item 1  open         age 30   due today          (0–30, the band's last day)
    f2 A  last  item 2  in progress  age 31   due 10 days ago    (31–60, overdue)
    f3 A1 last  item 1  done         age 71   due 40 days ago    (61–90, not overdue: done)
    f4 A1 last  item 2  open         age 101  due 70 days ago    (over 90, overdue)
    f5 A  last  item 3  verified     age 80
    f6 B  this  item 1  open         age 2    due in 28 days

Round 2 (monthly, B only) has one accepted inspection and no finding: nothing of it is in round 1's figures.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from learning import clock
from learning.audit.models import AuditEvent
from learning.courses.term_settings import current_terms
from learning.courses.terms import substitute
from learning.inspections import services
from learning.inspections.formats import read_tree
from learning.inspections.models import (
    InspectionAnswer,
    InspectionFinding,
    InspectionResponse,
    InspectionRound,
    InspectionRoundDepartment,
)
from learning.inspections.rounds import period_of
from learning.reports import annual_inspections, inspections
from tests.conftest import sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_campaign_row, make_department, make_edition, make_user
from tests.helpers import chart_in, statements_on
from tests.inspections.test_templates import SHIPPED


@dataclass
class Org:
    c: object
    a: object
    a1: object
    b: object
    head_a: object
    head_a1: object
    head_b: object
    office_a: object
    compliance: object
    auditor: object
    round1: InspectionRound
    round2: InspectionRound
    last: date
    this: date
    findings: dict
    items: list
    today: date


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), clock.TOKYO).astimezone(UTC)


def build(db) -> Org:
    specs, _ = read_tree(SHIPPED)
    services.import_templates(db, specs)
    version = services.published(db, services.overview(db)[0][0].id)
    items = version.items
    today = clock.tokyo_date(clock.now())
    this = period_of(today, "quarterly")[0]
    last = period_of(this - timedelta(days=1), "quarterly")[0]
    c = make_department(db, "C")
    a, b = make_department(db, "A", parent=c), make_department(db, "B", parent=c)
    a1 = make_department(db, "A1", parent=a)
    head_a = make_user(db, "manager", scope=a, department=a)
    head_a1 = make_user(db, "manager", scope=a1, department=a1)
    head_b = make_user(db, "manager", scope=b, department=b)
    office_a = make_user(db, "business_office", scope=a)
    compliance, auditor = make_user(db, "compliance"), make_user(db, "auditor")
    now = clock.now()
    round1 = InspectionRound(
        version_id=version.id, frequency="quarterly", due_days=30, starts_on=last, created_by_id=compliance.id,
        created_at=now,
    )  # fmt: skip
    round2 = InspectionRound(
        version_id=version.id, frequency="monthly", due_days=20, starts_on=this, created_by_id=compliance.id,
        created_at=now,
    )  # fmt: skip
    db.add_all([round1, round2])
    db.flush()
    db.add_all(
        [
            InspectionRoundDepartment(round_id=round1.id, department_id=c.id),
            InspectionRoundDepartment(round_id=round2.id, department_id=b.id),
        ]
    )

    def inspection(rnd, department, start, due, state) -> InspectionResponse:
        response = InspectionResponse(
            version_id=version.id, department_id=department.id, status="open", created_at=now, round_id=rnd.id,
            period_start=start, due_on=due,
        )  # fmt: skip
        if state in ("submitted", "accepted"):
            response.status, response.submitted_at = "submitted", now
        if state == "accepted":
            response.accepted_at, response.reviewed_by_id = now, office_a.id
        if state == "returned":
            response.reviewed_by_id, response.review_note = office_a.id, "Name the terminals"
        db.add(response)
        db.flush()
        if state == "answering":
            db.add(InspectionAnswer(response_id=response.id, item_id=items[0].id, answer="conforms", answered_at=now))
        return response

    past, coming = today - timedelta(days=10), today + timedelta(days=10)
    a_last = inspection(round1, a, last, past, "accepted")
    a1_last = inspection(round1, a1, last, past, "submitted")
    inspection(round1, b, last, past, "returned")
    inspection(round1, a, this, coming, "answering")
    inspection(round1, a1, this, coming, "not_started")
    b_this = inspection(round1, b, this, coming, "submitted")
    inspection(round2, b, this, this + timedelta(days=19), "accepted")

    def finding(response, item, status, age, due_in, owner) -> InspectionFinding:
        raised = noon(today - timedelta(days=age))
        found = InspectionFinding(
            response_id=response.id, item_id=item.id, department_id=response.department_id, owner_id=owner.id,
            corrective_action="Lock the screens" if status in ("done", "verified") else "", status=status,
            due_on=today + timedelta(days=due_in), created_at=raised, updated_at=raised,
        )  # fmt: skip
        if status == "verified":
            found.verified_at, found.verified_by_id = noon(today - timedelta(days=5)), office_a.id
        db.add(found)
        return found

    findings = {
        "f1": finding(a_last, items[0], "open", 30, 0, head_a),
        "f2": finding(a_last, items[1], "in_progress", 31, -10, head_a),
        "f3": finding(a1_last, items[0], "done", 71, -40, head_a1),
        "f4": finding(a1_last, items[1], "open", 101, -70, head_a1),
        "f5": finding(a_last, items[2], "verified", 80, -50, head_a),
        "f6": finding(b_this, items[0], "open", 2, 28, head_b),
    }
    db.commit()
    return Org(
        c, a, a1, b, head_a, head_a1, head_b, office_a, compliance, auditor, round1, round2, last, this, findings,
        items, today,
    )  # fmt: skip


NOW = datetime(2026, 12, 2, 3, tzinfo=UTC)  # noon in Tokyo; last quarter and this one both of fiscal 2026


@pytest.fixture
def org(db) -> Org:
    clock.freeze(NOW)
    return build(db)


def signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def said(db, item, locale: str) -> str:
    """An item's text as the reader reads it: their language, the organisation terms put in."""
    return str(escape(substitute(item.texts[locale], locale, current_terms(db))))


def whole():
    return inspections.Scope(None, None)


# --- The figures, from the services ---------------------------------------------------------------------


def test_completion_by_department_rolls_up_the_tree(db, org):
    rows = inspections.completion(db, org.round1.id, org.last, whole(), org.today, "en")
    by_code = {r.code: r for r in rows}
    assert [(r.code, r.depth) for r in rows] == [("C", 0), ("A", 1), ("A1", 2), ("B", 1)]
    c = by_code["C"].total
    assert (c.due, c.accepted, c.submitted, c.returned, c.in_progress, c.not_started, c.overdue) == (
        3,
        1,
        1,
        1,
        0,
        0,
        1,
    )
    assert c.completion_rate == pytest.approx(2 / 3)
    a = by_code["A"]
    assert (a.own.due, a.own.accepted, a.total.due, a.total.submitted, a.total.completion_rate) == (1, 1, 2, 1, 1.0)
    assert (by_code["B"].total.returned, by_code["B"].total.overdue, by_code["B"].total.completion_rate) == (1, 1, 0)
    this = {r.code: r.total for r in inspections.completion(db, org.round1.id, org.this, whole(), org.today, "en")}
    t = this["C"]
    assert (t.due, t.in_progress, t.not_started, t.submitted, t.overdue) == (3, 1, 1, 1, 0)
    assert t.completion_rate == pytest.approx(1 / 3)
    assert inspections.periods(db, org.round1.id, whole()) == [org.this, org.last]
    # Round 2 is counted apart: B's one accepted inspection only.
    second = inspections.completion(db, org.round2.id, org.this, whole(), org.today, "en")
    assert [(r.code, r.total.due, r.total.accepted) for r in second] == [("C", 1, 1), ("B", 1, 1)]


def test_findings_by_item_status_and_age(db, org):
    figures = inspections.finding_figures(db, org.round1, None, whole(), org.today)
    lines = {line.position: line for line in figures.items}
    first, second, third = (org.items[k].position for k in range(3))
    assert (lines[first].departments, lines[first].findings, lines[first].still_open) == (3, 3, 3)
    assert (lines[second].departments, lines[second].findings, lines[second].still_open) == (2, 2, 2)
    assert (lines[third].departments, lines[third].findings, lines[third].still_open) == (1, 1, 0)
    assert all(line.findings == 0 for line in figures.items[3:])
    assert lines[first].texts == {"ja": org.items[0].text_ja, "en": org.items[0].text_en}
    assert figures.statuses == {"open": 3, "in_progress": 1, "done": 1, "verified": 1}
    assert figures.ages == {"0_30": 2, "31_60": 1, "61_90": 1, "over_90": 1}
    assert figures.overdue == 2
    last = inspections.finding_figures(db, org.round1, org.last, whole(), org.today)
    assert [line.departments for line in last.items[:3]] == [2, 2, 1]
    assert last.statuses["open"] == 2 and last.ages["0_30"] == 1


def test_trend_across_periods(db, org):
    points = inspections.trend(db, org.round1.id, whole(), org.today)
    assert [p.period_start for p in points] == [org.last, org.this]
    assert [(p.counts.due, p.counts.handed_in, p.findings) for p in points] == [(3, 2, 5), (3, 1, 1)]
    assert [p.running(org.today) for p in points] == [False, True]


def test_open_findings_earliest_due_first_and_paged(db, org, monkeypatch):
    rows, counted = inspections.open_findings(db, whole(), org.today)
    f = org.findings
    assert counted == 5
    assert [r.finding.id for r in rows] == [f[k].id for k in ("f4", "f3", "f2", "f1", "f6")]
    assert [(r.age, r.overdue) for r in rows] == [(101, True), (71, False), (31, True), (30, False), (2, False)]
    monkeypatch.setattr(inspections, "PAGE_SIZE", 2)
    second, counted = inspections.open_findings(db, whole(), org.today, page=2)
    assert counted == 5 and [r.finding.id for r in second] == [f["f2"].id, f["f1"].id]


# --- Pages and scope ------------------------------------------------------------------------------------


def test_a_head_sees_their_subtree_only(app, db, org):
    client = signed_in(app, org.head_a)
    page = client.get(f"/reports/inspections/rounds/{org.round1.id}?period={org.last.isoformat()}")
    assert page.status_code == 200
    exported = read_csv(client.get(f"/reports/inspections/rounds/{org.round1.id}.csv?period={org.last.isoformat()}"))
    assert [
        (r["Code"], r["Inspections due"], r["Accepted"], r["Submitted, awaiting review"]) for r in exported.records()
    ] == [
        ("A", "2", "1", "1"),
        ("A1", "1", "0", "1"),
    ]
    assert "Department " + org.a.code not in exported.said("Departments")  # named by the department's name
    assert f"({org.a.code}) and every department under them" in exported.said("Departments")
    # Round 2 covers B only: not in A's head's reach.
    assert client.get(f"/reports/inspections/rounds/{org.round2.id}").status_code == 404
    found = read_csv(client.get("/reports/inspections/findings.csv"))
    assert sorted(r["Code"] for r in found.records()) == ["A", "A", "A1", "A1"]
    # B's head: B only.
    other = signed_in(app, org.head_b)
    mine = read_csv(other.get(f"/reports/inspections/rounds/{org.round1.id}.csv?period={org.last.isoformat()}"))
    assert [r["Code"] for r in mine.records()] == ["B"]


def test_the_second_line_sees_its_subtrees(app, db, org):
    client = signed_in(app, org.office_a)
    exported = read_csv(client.get(f"/reports/inspections/rounds/{org.round1.id}.csv?period={org.last.isoformat()}"))
    assert [r["Code"] for r in exported.records()] == ["A", "A1"]
    figures = read_csv(client.get(f"/reports/inspections/rounds/{org.round1.id}/findings.csv"))
    by_status = {r["line_code"]: r["Findings"] for r in figures.records() if r["breakdown_code"] == "status"}
    assert by_status == {"open": "2", "in_progress": "1", "done": "1", "verified": "1"}
    assert client.get("/reports/inspections").status_code == 200


def test_internal_audit_sees_everything_and_changes_nothing(app, db, org):
    def state():
        return (
            db.execute(select(InspectionResponse.id, InspectionResponse.status, InspectionResponse.accepted_at)).all(),
            db.execute(select(InspectionFinding.id, InspectionFinding.status, InspectionFinding.updated_at)).all(),
        )

    before = state()
    client = signed_in(app, org.auditor)
    first = db.scalar(select(func.max(AuditEvent.id)))
    paths = [
        "/reports/inspections",
        f"/reports/inspections/rounds/{org.round1.id}",
        f"/reports/inspections/rounds/{org.round1.id}.xlsx",
        f"/reports/inspections/rounds/{org.round1.id}/findings",
        f"/reports/inspections/rounds/{org.round1.id}/trend",
        "/reports/inspections/findings",
        "/reports/inspections/findings.csv",
    ]
    for path in paths:
        assert client.get(path).status_code == 200, path
    exported = read_csv(client.get(f"/reports/inspections/rounds/{org.round1.id}.csv?period={org.last.isoformat()}"))
    assert [r["Code"] for r in exported.records()] == ["C", "A", "A1", "B"]
    assert exported.said("Departments") == "The whole organisation"
    db.expire_all()
    assert state() == before
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.id > first)))
    assert actions == {"report_viewed", "report_exported"}


def test_every_view_and_export_is_audited(app, db, org):
    client = signed_in(app, org.compliance)
    cases = [
        (f"/reports/inspections/rounds/{org.round1.id}?period={org.last.isoformat()}", "report_viewed",
         {"report": "inspection_completion", "period": org.last.isoformat(), "format": "html"}),
        (f"/reports/inspections/rounds/{org.round1.id}.xlsx?period={org.this.isoformat()}", "report_exported",
         {"report": "inspection_completion", "period": org.this.isoformat(), "format": "xlsx"}),
        (f"/reports/inspections/rounds/{org.round1.id}/findings.csv", "report_exported",
         {"report": "inspection_findings", "period": None, "format": "csv"}),
        (f"/reports/inspections/rounds/{org.round1.id}/trend", "report_viewed",
         {"report": "inspection_trend", "format": "html"}),
        ("/reports/inspections/findings?page=1", "report_viewed",
         {"report": "inspection_open_findings", "format": "html", "page": 1}),
        ("/reports/inspections/findings.xlsx", "report_exported",
         {"report": "inspection_open_findings", "format": "xlsx"}),
    ]  # fmt: skip
    for path, action, details in cases:
        response = client.get(path)
        assert response.status_code == 200, path
        response.get_data()
        event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.actor_id, json.loads(event.details)) == (action, org.compliance.id, details), path


def test_exports_content(app, db, org):
    client = signed_in(app, org.compliance)
    workbook = read_xlsx(client.get(f"/reports/inspections/rounds/{org.round1.id}.xlsx?period={org.last.isoformat()}"))
    assert workbook.title == "Self-inspection completion by department"
    assert workbook.said("Period").startswith(org.last.isoformat())
    assert "As of" in [line[0] for line in workbook.heading]
    c = workbook.records()[0]
    assert (c["Code"], c["Inspections due"], c["Accepted"], c["Returned"], c["Overdue"]) == ("C", 3, 1, 1, 1)
    rate = workbook.cells_of("Submission rate")[0]
    assert rate.value == pytest.approx(2 / 3) and rate.number_format == "0.0%"

    findings = read_csv(client.get(f"/reports/inspections/rounds/{org.round1.id}/findings.csv"))
    assert findings.said("Period") == "Every period"
    records = findings.records()
    items = [r for r in records if r["breakdown_code"] == "item"]
    assert (
        items[0]["Checklist item, status or age"],
        items[0]["line_code"],
        items[0]["Departments that did not conform"],
    ) == (
        said(db, org.items[0], "en"),
        org.items[0].key,
        "3",
    )
    ages = {r["line_code"]: r["Findings"] for r in records if r["breakdown_code"] == "age"}
    assert ages == {"0_30": "2", "31_60": "1", "61_90": "1", "over_90": "1", "overdue": "2"}

    listing = read_xlsx(client.get(f"/reports/inspections/findings.xlsx?round={org.round1.id}"))
    assert listing.header[:3] == ["Code", "Department", "Period"]
    first = listing.records()[0]
    assert (first["Code"], first["Age (days)"], first["status_code"], first["overdue_code"]) == (
        "A1",
        101,
        "open",
        "yes",
    )
    assert listing.cells_of("Due")[0].is_date


def test_open_findings_page_links_where_the_reader_may_open(app, db, org):
    client = signed_in(app, org.head_a)
    html = client.get("/reports/inspections/findings").get_data(as_text=True)
    f = org.findings
    assert f'href="/inspections/findings#finding-{f["f1"].id}"' in html  # A: theirs to answer
    assert f"#finding-{f['f4'].id}" not in html  # A1: in the report's subtree, not on their follow-up page
    assert said(db, org.items[1], "en") in html and "Verified" not in html.split("<tbody>")[1]
    officer = signed_in(app, org.compliance).get("/reports/inspections/findings").get_data(as_text=True)
    assert all(f"#finding-{f[k].id}" in officer for k in ("f1", "f2", "f3", "f4", "f6"))


def test_pages_in_japanese(app, db, org):
    org.compliance.locale = "ja"
    db.commit()
    client = signed_in(app, org.compliance)
    page = client.get(f"/reports/inspections/rounds/{org.round1.id}/findings").get_data(as_text=True)
    assert said(db, org.items[0], "ja") in page
    trend = client.get(f"/reports/inspections/rounds/{org.round1.id}/trend")
    assert "'unsafe-inline'" in trend.headers["Content-Security-Policy"]


def test_bad_input_is_no_error(app, db, org):
    client = signed_in(app, org.compliance)
    shown = client.get(f"/reports/inspections/rounds/{org.round1.id}?period=2001-13-01")
    assert shown.status_code == 200
    assert "Period: choose one of the listed periods; the latest is shown." in shown.get_data(as_text=True)
    assert client.get("/reports/inspections/rounds/999999").status_code == 404
    assert client.get("/reports/inspections/findings?page=x&round=abc").status_code == 200
    assert client.get("/reports/inspections/findings?page=999").status_code == 200


def test_no_access_for_learners(app, db, org):
    learner = make_user(db, "learner")
    db.commit()
    client = signed_in(app, learner)
    assert client.get("/reports/inspections").status_code == 403
    assert "Self-inspection reports" not in client.get("/").get_data(as_text=True)
    assert "Self-inspection reports" in signed_in(app, org.office_a).get("/").get_data(as_text=True)


# --- The annual report's section --------------------------------------------------------------------------


def test_the_annual_figures_of_the_fiscal_year(db, org):
    running = annual_inspections.inspection_year(db, 2026, clock.now())
    assert not running.ended and [c.code for c in running.companies] == ["C"]
    c = running.companies[0]
    assert (c.due, c.handed_in, c.accepted, c.late) == (7, 4, 2, 1)
    assert (c.raised, c.verified, c.still_open) == (6, 1, 5)
    assert c.completion_rate == pytest.approx(4 / 7)
    assert running.total.due == 7 and running.total.still_open == 5
    # Looked back on a year later: the same year, its findings as they stood at its end.
    later = annual_inspections.inspection_year(db, 2026, datetime(2027, 6, 1, tzinfo=UTC))
    assert later.ended and (later.total.raised, later.total.verified, later.total.still_open) == (6, 1, 5)
    assert annual_inspections.inspection_year(db, 2025, clock.now()).companies == []


def test_the_annual_report_has_the_section(app, db, org):
    make_campaign_row(db, make_edition(db))
    db.commit()
    client = signed_in(app, org.compliance)
    page = client.get("/reports/annual/2026").get_data(as_text=True)
    assert "12. Self-inspections" in page and "Findings open now" in page
    workbook = load_workbook(io.BytesIO(client.get("/reports/annual/2026.xlsx").get_data()))
    sheet = workbook["Self-inspections"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row and row[0] == "Company code")
    line = dict(zip(header, rows[rows.index(header) + 1], strict=True))
    assert (line["Company code"], line["Inspections due"], line["Handed in"], line["Findings raised"]) == ("C", 7, 4, 6)
    pdf = client.get("/reports/annual/2026.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "12.Self-inspections" in re.sub(r"[\s\x00]+", "", text)  # pypdf: a NUL and a space before each glyph


def test_statements_do_not_grow_with_the_departments(app, db, org):
    """Each page and export issues as many SQL statements for ten more departments (each with its
    inspections and findings) as for the four of the fixture."""
    client = signed_in(app, org.compliance)
    r = org.round1.id
    pages = [
        "/reports/inspections",
        f"/reports/inspections/rounds/{r}?period={org.last.isoformat()}",
        f"/reports/inspections/rounds/{r}.csv?period={org.last.isoformat()}",
        f"/reports/inspections/rounds/{r}/findings",
        f"/reports/inspections/rounds/{r}/findings.xlsx",
        f"/reports/inspections/rounds/{r}/trend",
        "/reports/inspections/findings",
        "/reports/inspections/findings.csv",
    ]
    make_campaign_row(db, make_edition(db))
    db.commit()
    pages.append("/reports/annual/2026")
    before = {path: statements_on(app, client, path) for path in pages}
    version_items = org.items
    for n in range(10):
        department = make_department(db, f"X{n}", parent=org.c if n % 2 else org.a)
        head = make_user(db, "manager", scope=department, department=department)
        for start, status in ((org.last, "submitted"), (org.this, "open")):
            response = InspectionResponse(
                version_id=org.round1.version_id, department_id=department.id, status=status,
                submitted_at=clock.now() if status == "submitted" else None, created_at=clock.now(),
                round_id=r, period_start=start, due_on=start + timedelta(days=29),
            )  # fmt: skip
            db.add(response)
            db.flush()
            if status == "submitted":
                db.add(
                    InspectionFinding(
                        response_id=response.id, item_id=version_items[n % 3].id, department_id=department.id,
                        owner_id=head.id, due_on=org.today, status="open", created_at=clock.now(),
                        updated_at=clock.now(),
                    )
                )  # fmt: skip
    db.commit()
    after = {path: statements_on(app, client, path) for path in pages}
    assert after == before


def test_the_trend_chart_plots_each_period(app, db, org):
    client = signed_in(app, org.compliance)
    page = client.get(f"/reports/inspections/rounds/{org.round1.id}/trend").get_data(as_text=True)
    figure = chart_in(page, "inspection-trend-chart")
    bars, line = figure["data"]
    assert bars["x"] == line["x"] == ["FY2026 Q2", "FY2026 Q3"]
    assert bars["y"] == [5, 1] and line["y"] == [66.7, 33.3]
    assert line["marker"]["symbol"] == ["circle", "circle-open"]  # this quarter still runs
    assert "plotly.min.js" in page  # served by the app itself
