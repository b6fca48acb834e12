"""The lists compliance works from: the exemption register (every exemption, in force or ended, who granted it,
how it ended, a closed period's correction beside it) and a person's training history across all years, by
fiscal year in Japan, for the person and for staff in scope; scoped, audited, exported and printable."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from learning import clock
from learning.audit.models import AuditEvent
from learning.campaigns import amendments
from learning.campaigns.closing import close
from learning.campaigns.periods import end_of_day
from learning.quizzes.models import Attempt
from learning.training import certificates
from learning.training import services as training
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_assignment, make_department, make_edition, make_launched_campaign, make_user

FY2025 = datetime(2025, 5, 10, 1, tzinfo=UTC)
LAST_MINUTE = datetime(2026, 3, 31, 14, 30, tzinfo=UTC)  # 2026-03-31 23:30 in Japan: still FY2025
NEW_YEAR = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)  # 2026-04-01 00:30 in Japan: FY2026 (31 March in UTC)
CLOSING = datetime(2026, 4, 2, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 15, 1, tzinfo=UTC)


def _of(db, person, campaign, edition) -> Assignment:
    return db.scalar(
        select(Assignment).where(
            Assignment.user_id == person.id, Assignment.campaign_id == campaign.id, Assignment.edition_id == edition.id
        )
    )


@pytest.fixture
def world(app, db):
    """FY2025 (closed) and FY2026 (running) of two modules for three people in two departments.

    P1 (Sales): FY2025 rules completed after a failed attempt, privacy never (corrected by an amendment to
    completed on paper); outside any campaign an ethics module completed at 23:30 on 31 March (FY2025) and
    again at 00:30 on 1 April in Japan (FY2026). P2 (Wheeling): exempted from FY2025 rules and lifted, then
    from FY2026 rules until 31 May (expired by the job). P3 (Sales): exempt from FY2025 rules when the period
    closed (then amended: not completed), exempt from FY2026 rules until the end of the year."""
    clock.freeze(FY2025)
    company = make_department(db, code="RETAIL")
    sales = make_department(db, code="SALES", parent=company)
    wheeling = make_department(db, code="WHEEL", parent=company)
    p1 = make_user(db, department=sales, employee_no="P1", name="受講 一郎")
    p2 = make_user(db, department=wheeling, employee_no="P2", name="出向 二郎")
    p3 = make_user(db, department=sales, employee_no="P3", name="休業 三子")
    compliance = make_user(db, "compliance", employee_no="C1", name="法令 花子", department=company)
    auditor = make_user(db, "auditor", employee_no="A1", department=company)
    sales_head = make_user(db, "manager", scope=sales, employee_no="M1", department=sales)
    wheeling_head = make_user(db, "manager", scope=wheeling, employee_no="M2", department=wheeling)
    rules, privacy = make_edition(db, slug="rules"), make_edition(db, slug="privacy")
    ethics = make_edition(db, slug="ethics")
    fy2025 = make_launched_campaign(
        db, [rules, privacy], compliance.id, name_ja="2025年度 研修", name_en="FY2025 training",
        opens_on=date(2025, 5, 1), due_on=date(2025, 6, 30),
    )  # fmt: skip
    done = _of(db, p1, fy2025, rules)
    for number, (score, passed) in enumerate([(40, False), (80, True)], 1):
        at = datetime(2025, 6, 1, number, tzinfo=UTC)
        db.add(
            Attempt(assignment_id=done.id, user_id=p1.id, edition_id=rules.id, number=number, started_at=at,
                    submitted_at=at, question_count=3, correct_count=score * 3 // 100, score=score, passed=passed)
        )  # fmt: skip
    finished = datetime(2025, 6, 1, 3, tzinfo=UTC)
    done.status, done.best_score, done.sections_done = "completed", 80, 3
    done.quiz_passed_at, done.attested_at, done.completed_at = finished, finished, finished
    certificates.issue(db, [done])  # as attest issues it
    clock.freeze(datetime(2025, 5, 20, 1, tzinfo=UTC))
    training.exempt(db, _of(db, p3, fy2025, rules), "育児休業", end_of_day(date(2026, 6, 30)), compliance.id)
    training.exempt(db, _of(db, p2, fy2025, rules), "出向", end_of_day(date(2025, 12, 31)), compliance.id)
    clock.freeze(datetime(2025, 6, 10, 1, tzinfo=UTC))
    training.end_exemption(db, _of(db, p2, fy2025, rules), compliance.id)
    for completed_at in (LAST_MINUTE, NEW_YEAR):
        clock.freeze(completed_at)
        make_assignment(db, p1, ethics, 10, status="completed", completed_at=completed_at, attested_at=completed_at,
                        best_score=100)  # fmt: skip
    clock.freeze(CLOSING)
    close(db, fy2025)
    amendments.amend(db, _of(db, p1, fy2025, privacy), "completed", "紙で受講済み", compliance.id, date(2025, 6, 20))
    amendments.amend(db, _of(db, p3, fy2025, rules), "not_completed", "免除の根拠なし", compliance.id)
    clock.freeze(datetime(2026, 4, 10, 1, tzinfo=UTC))
    fy2026 = make_launched_campaign(db, [rules, privacy], compliance.id)
    training.exempt(db, _of(db, p2, fy2026, rules), "出向（再）", end_of_day(date(2026, 5, 31)), compliance.id)
    training.exempt(db, _of(db, p3, fy2026, rules), "育児休業（延長）", end_of_day(date(2026, 12, 31)), compliance.id)
    clock.freeze(datetime(2026, 6, 1, 1, tzinfo=UTC))
    assert training.end_expired_exemptions(db) == 1
    db.commit()
    clock.freeze(NOW)
    return {
        "people": (p1, p2, p3),
        "compliance": compliance,
        "auditor": auditor,
        "sales_head": sales_head,
        "wheeling_head": wheeling_head,
        "campaigns": (fy2025, fy2026),
        "departments": (company, sales, wheeling),
        "editions": (rules, privacy, ethics),
    }


@pytest.fixture
def clients(app):
    """One signed-in client per person (a second sign-in in the same 30 seconds would replay the TOTP code)."""
    made: dict[int, object] = {}

    def client_of(user):
        if user.id not in made:
            made[user.id] = app.test_client()
            assert sign_in(made[user.id], user.employee_no).status_code == 302
        return made[user.id]

    return client_of


def register(client, **args) -> list[dict]:
    response = client.get("/reports/exemptions.csv", query_string=args)
    return read_csv(response).records()


def test_the_register_keeps_every_exemption_in_force_or_ended_with_how_it_ended(world, clients):
    rows = register(clients(world["compliance"]))
    assert [(r["Employee number"], r["Reason"], r["state_code"]) for r in rows] == [
        ("P3", "育児休業（延長）", "active"),
        ("P2", "出向（再）", "expired"),
        ("P2", "出向", "lifted"),
        ("P3", "育児休業", "closed"),  # in force when its period closed, and frozen with it
    ]
    active, expired, lifted, closed = rows
    assert (active["Department code"], active["Campaign"], active["Module"]) == (
        "SALES",
        "FY2026 conduct-rule training",
        "rules course",
    )
    assert (active["Granted by"], active["From (JST)"], active["To"]) == (
        "法令 花子 (C1)",
        "2026-04-10 10:00",
        "2026-12-31",
    )
    assert (active["Ended at (JST)"], active["Ended by"], active["corrected_code"]) == ("", "", "")
    assert (expired["Ended at (JST)"], expired["Ended by"]) == ("2026-06-01 10:00", "By expiry")
    assert (lifted["Ended at (JST)"], lifted["Ended by"], lifted["Department code"]) == (
        "2025-06-10 10:00",
        "法令 花子 (C1)",
        "WHEEL",
    )
    assert (closed["Status"], closed["To"], closed["Campaign"]) == (
        "Closed with its period",
        "2026-06-30",
        "FY2025 training",
    )
    assert (closed["Corrected by amendment"], closed["corrected_code"], closed["Amendment reason"]) == (
        "Not completed", "not_completed", "免除の根拠なし",
    )  # fmt: skip


def test_the_register_is_filtered_by_state_campaign_and_department_subtree(world, clients):
    client = clients(world["compliance"])
    fy2025, fy2026 = world["campaigns"]
    company, sales, wheeling = world["departments"]

    def reasons(**args):
        return [r["Reason"] for r in register(client, **args)]

    assert reasons(state="active") == ["育児休業（延長）"]
    assert reasons(state="ended") == ["出向（再）", "出向", "育児休業"]
    assert reasons(campaign=fy2025.id) == ["出向", "育児休業"]
    assert reasons(campaign=fy2026.id, state="ended") == ["出向（再）"]
    assert reasons(department=wheeling.id) == ["出向（再）", "出向"]
    assert len(reasons(department=company.id)) == 4  # a department and every one under it
    page = client.get("/reports/exemptions", query_string={"department": sales.id, "state": "all"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2 exemptions match." in html and "出向" not in html
    assert "Corrected to “Not completed” by an amendment" in html


def test_a_manager_sees_the_exemptions_of_their_subtree_only(db, world, clients):
    sales_head, wheeling = world["sales_head"], world["departments"][2]
    client = clients(sales_head)
    assert [r["Employee number"] for r in register(client)] == ["P3", "P3"]
    refused = client.get("/reports/exemptions", query_string={"department": wheeling.id})
    assert refused.status_code == 403
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz_fail")).one()
    assert (event.actor_id, event.target_type, event.target_id) == (sales_head.id, "department", str(wheeling.id))
    # P2 moves into Sales: the running period's exemption follows them; the closed one stays where it was.
    p2 = world["people"][1]
    p2.department_id = world["departments"][1].id
    db.commit()
    assert [r["Reason"] for r in register(client)] == ["育児休業（延長）", "出向（再）", "育児休業"]
    learner = clients(world["people"][0])
    assert learner.get("/reports/exemptions").status_code == 403


def test_the_register_pages_and_every_view_and_export_is_audited(db, world, clients):
    client = clients(world["auditor"])
    fy2026, rules = world["campaigns"][1], world["editions"][0]
    for n in range(60):
        person = make_user(db, department=world["departments"][1])
        assignment = make_assignment(db, person, rules, campaign_id=fy2026.id)
        training.exempt(db, assignment, f"理由{n}", end_of_day(date(2026, 9, 30)), world["compliance"].id)
    db.commit()
    first = client.get("/reports/exemptions").get_data(as_text=True)
    assert "64 exemptions match." in first and "Page 1 of 2" in first and "理由59" in first and "理由9<" not in first
    second = client.get("/reports/exemptions?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "理由9<" in second and "育児休業" in second and "理由59" not in second
    assert len(register(client)) == 64  # the export holds every page
    mine = (AuditEvent.actor_id == world["auditor"].id, AuditEvent.action.like("report_%"))
    viewed = db.scalars(select(AuditEvent).where(*mine).order_by(AuditEvent.id)).all()
    assert [(e.action, '"report": "exemption_register"' in e.details) for e in viewed] == [
        ("report_viewed", True), ("report_viewed", True), ("report_exported", True),
    ]  # fmt: skip


def test_the_register_is_linked_from_the_reports_index_and_exported_in_excel(world, clients):
    client = clients(world["compliance"])
    assert 'href="/reports/exemptions"' in client.get("/reports").get_data(as_text=True)
    response = client.get("/reports/exemptions.xlsx", query_string={"state": "active"})
    found = read_xlsx(response)
    assert response.headers["Content-Disposition"] == 'attachment; filename="exemptions-active-all-20260615.xlsx"'
    assert found.title == "Exemption register"
    assert found.said("Filters") == "In force" and found.said("Departments") == "The whole organisation"
    assert found.said("Produced by") == "法令 花子 (C1)"
    (row,) = found.records()
    assert row["From (JST)"] == datetime(2026, 4, 10, 10, 0) and row["To"] == datetime(2026, 12, 31)


def history(client, path: str) -> dict:
    """The CSV history at `path`, by (fiscal year, module, campaign)."""
    records = read_csv(client.get(path)).records()
    return {(r["Fiscal year"], r["Module"], r["Campaign"]): r for r in records}


def test_a_learner_sees_their_history_of_every_year_by_fiscal_year_in_japan(db, world, clients):
    p1 = world["people"][0]
    client = clients(p1)
    assert 'href="/training/history"' in client.get("/training").get_data(as_text=True)
    page = client.get("/training/history").get_data(as_text=True)
    assert page.index("FY2026") < page.index("FY2025")  # the latest year first
    fy2026, _, fy2025 = page.partition("<h2>FY2025")
    assert "FY2026 conduct-rule training" in fy2026 and "ethics course" in fy2026
    assert "FY2025 training" in fy2025 and "ethics course" in fy2025
    assert "Corrected to “Completed” by an amendment on" in fy2025 and "紙で受講済み" in fy2025
    done = _of(db, p1, world["campaigns"][0], world["editions"][0])
    number = certificates.numbers_of(db, [done.id])[done.id]
    assert f'href="/training/{done.id}/certificate"' in fy2025 and f">{number}</a>" in fy2025

    found = history(client, "/training/history.csv")
    assert sorted(found) == [
        ("2025", "ethics course", ""),
        ("2025", "privacy course", "FY2025 training"),
        ("2025", "rules course", "FY2025 training"),
        ("2026", "ethics course", ""),
        ("2026", "privacy course", "FY2026 conduct-rule training"),
        ("2026", "rules course", "FY2026 conduct-rule training"),
    ]
    rules = found[("2025", "rules course", "FY2025 training")]
    assert (rules["status_code"], rules["Best score"], rules["Attempts"]) == ("completed", "80", "2")
    assert (rules["Completed at (JST)"], rules["Attested at (JST)"]) == ("2025-06-01 12:00", "2025-06-01 12:00")
    assert rules["Certificate number"] == number
    privacy = found[("2025", "privacy course", "FY2025 training")]
    assert (privacy["status_code"], privacy["corrected_code"], privacy["Corrected completion day"]) == (
        "not_completed", "completed", "2025-06-20",
    )  # fmt: skip
    assert privacy["Certificate number"] == ""  # a correction on paper is no certificate
    assert found[("2025", "ethics course", "")]["Completed at (JST)"] == "2026-03-31 23:30"
    assert found[("2026", "ethics course", "")]["Completed at (JST)"] == "2026-04-01 00:30"
    assert found[("2026", "privacy course", "FY2026 conduct-rule training")]["status_code"] == "not_started"
    assert client.get(f"/reports/people/{world['people'][2].employee_no}/history").status_code == 403


def test_staff_in_scope_read_a_persons_history_and_each_reading_is_audited(db, world, clients):
    p1 = world["people"][0]
    for reader in (world["compliance"], world["auditor"], world["sales_head"]):
        client = clients(reader)
        page = client.get("/reports/people/P1/history")
        assert page.status_code == 200 and "受講 一郎" in page.get_data(as_text=True)
        assert client.get(f"/reports/users/{p1.id}/history").status_code == 200
        exported = read_csv(client.get("/reports/people/P1/history.csv"))
        assert exported.title == "Training history" and exported.said("Person").startswith("受講 一郎 (P1), ")
        assert exported.said("Person").endswith("(SALES)")
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "user", AuditEvent.target_id == str(p1.id))
        .order_by(AuditEvent.id)
    ).all()
    readers = (world["compliance"], world["auditor"], world["sales_head"])
    assert [e.actor_id for e in events] == [r.id for r in readers for _ in range(3)]
    assert {e.action for e in events} == {"report_viewed", "report_exported"}
    assert all('"report": "training_history"' in e.details for e in events)
    done = _of(db, p1, world["campaigns"][0], world["editions"][0])
    certificate = clients(world["sales_head"]).get(f"/reports/certificates/{done.id}").get_data(as_text=True)
    assert "Certificate of completion" in certificate and "受講 一郎" in certificate and "80%" in certificate


def test_a_manager_out_of_scope_is_refused_and_the_refusal_stands(db, world, clients):
    p1, wheeling_head = world["people"][0], world["wheeling_head"]
    client = clients(wheeling_head)
    assert client.get("/reports/people/P1/history").status_code == 403
    assert client.get(f"/reports/users/{p1.id}/history.csv").status_code == 403
    done = _of(db, p1, world["campaigns"][0], world["editions"][0])
    assert client.get(f"/reports/certificates/{done.id}").status_code == 403
    refusals = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz_fail").order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.target_type) for e in refusals] == [(wheeling_head.id, "user")] * 2 + [
        (wheeling_head.id, "assignment")
    ]
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action.like("report_%"))).all()
    assert client.get("/reports/people/P2/history").status_code == 200  # their own department's person
    assert client.get("/reports/people/NOBODY/history").status_code == 404


def test_the_history_print_view_is_headed(world, clients):
    page = clients(world["compliance"]).get("/reports/people/P1/history?print=1").get_data(as_text=True)
    assert '<div class="print-view landscape">' in page
    assert '<section class="report-heading"' in page and "2026-06-15 10:00 JST" in page and "法令 花子 (C1)" in page
    screen = clients(world["compliance"]).get("/reports/people/P1/history").get_data(as_text=True)
    assert '<section class="report-heading print-only"' in screen


def test_a_japanese_reader_gets_the_history_and_the_register_in_japanese(db, world, clients):
    compliance = world["compliance"]
    compliance.locale = "ja"
    db.commit()
    client = clients(compliance)
    page = client.get("/reports/people/P1/history").get_data(as_text=True)
    assert "受講履歴" in page and "2025年度" in page and "2026年度" in page
    rows = read_csv(client.get("/reports/exemptions.csv")).records()
    assert [r["state_code"] for r in rows] == ["active", "expired", "lifted", "closed"]
    assert all(not r["状況"].isascii() for r in rows)
