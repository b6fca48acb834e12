"""Department completion: figures against hand-computed expectations, scope, exports, chart data."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from learning import clock
from learning.audit.models import AuditEvent
from learning.campaigns.models import Campaign
from learning.reports.completion import Counts, organisation_total
from learning.reports.exports import safe
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_campaign_row, make_department, make_edition, make_user

NOW = datetime(2026, 7, 10, 3, tzinfo=UTC)


@pytest.fixture
def report(db):
    """R > BR1 > S1 (3 people), R > BR2 (2 people, one named like a formula); one campaign, one module."""
    clock.freeze(NOW)
    root = make_department(db, code="R")
    br1 = make_department(db, code="BR1", parent=root)
    s1 = make_department(db, code="S1", parent=br1)
    br2 = make_department(db, code="BR2", parent=root)
    br2.name_en = '=HYPERLINK("http://evil")'
    edition = make_edition(db)
    campaign = make_campaign_row(db, edition)
    due = datetime(2026, 6, 30, 14, 59, tzinfo=UTC)

    def assign(dept, status, completed_at=None, due_at=due):
        person = make_user(db, department=dept)
        db.add(
            Assignment(
                user_id=person.id,
                edition_id=edition.id,
                campaign_id=campaign.id,
                reason="campaign",
                status=status,
                assigned_at=NOW - timedelta(days=90),
                due_at=due_at,
                completed_at=completed_at,
            )
        )
        return person

    assign(s1, "completed", due - timedelta(days=3))  # on time
    assign(s1, "completed", due + timedelta(days=2))  # late
    assign(s1, "exempt")
    assign(br2, "in_progress")  # overdue
    assign(br2, "assigned", due_at=NOW + timedelta(days=5))  # not yet due
    manager = make_user(db, "manager", department=br1, scope=br1)
    compliance = make_user(db, "compliance", department=root)
    db.commit()
    return {
        "root": root,
        "br1": br1,
        "s1": s1,
        "br2": br2,
        "campaign": campaign,
        "manager": manager,
        "compliance": compliance,
    }


def client_for(app, user):
    client = app.test_client()
    sign_in(client, user.employee_no)
    return client


def rows_by_code(data):
    return {d["code"]: d for d in data["departments"]}


def test_figures_roll_up_with_exemptions_left_out(app, report):
    client = client_for(app, report["compliance"])
    data = rows_by_code(client.get(f"/reports/campaigns/{report['campaign'].id}.json").get_json())
    assert (data["S1"]["assigned"], data["S1"]["completed"], data["S1"]["exempt"]) == (3, 2, 1)
    assert data["S1"]["completion_rate"] == 1.0 and data["S1"]["on_time_rate"] == 0.5
    assert data["BR1"]["completed"] == 2 and data["BR1"]["depth"] == 1
    assert (data["BR2"]["in_progress"], data["BR2"]["not_started"], data["BR2"]["overdue"]) == (1, 1, 1)
    assert data["BR2"]["completion_rate"] == 0.0
    assert (data["R"]["assigned"], data["R"]["completion_rate"], data["R"]["on_time_rate"]) == (5, 0.5, 0.25)


def test_a_manager_sees_only_their_subtree(app, db, report):
    client = client_for(app, report["manager"])
    campaign_id = report["campaign"].id
    data = rows_by_code(client.get(f"/reports/campaigns/{campaign_id}.json").get_json())
    assert set(data) == {"BR1", "S1"}
    assert client.get(f"/reports/campaigns/{campaign_id}/departments/{report['s1'].id}").status_code == 200
    for path in (
        f"/reports/campaigns/{campaign_id}/departments/{report['br2'].id}",
        f"/reports/campaigns/{campaign_id}/departments/{report['br2'].id}.csv",
        f"/reports/campaigns/{campaign_id}/departments/{report['root'].id}",
    ):
        assert client.get(path).status_code == 403
    refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz_fail")).all()
    assert len(refused) == 3 and all(e.actor_id == report["manager"].id for e in refused)
    response = client.get(f"/reports/campaigns/{campaign_id}.csv")
    assert f'filename="completion-campaign{campaign_id}-BR1-20260710.csv"' in response.headers["Content-Disposition"]
    exported = read_csv(response)
    assert [r[0] for r in exported.rows] == ["BR1", "S1"]
    assert exported.said("Departments").startswith("Department ") and "(BR1) and every department under them" in (
        exported.said("Departments")
    )
    assert client.get("/reports/campaigns/999999").status_code == 404
    learner = client_for(app, make_user(db))
    assert learner.get(f"/reports/campaigns/{campaign_id}").status_code == 403


def test_every_view_and_export_is_audited(app, db, report):
    client = client_for(app, report["compliance"])
    campaign_id = report["campaign"].id
    client.get(f"/reports/campaigns/{campaign_id}")
    client.get(f"/reports/campaigns/{campaign_id}.xlsx")
    client.get(f"/reports/campaigns/{campaign_id}/departments/{report['s1'].id}")
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.action.like("report_%")))]
    assert actions == ["report_viewed", "report_exported", "report_viewed"]


def test_csv_and_xlsx_open_cleanly_and_neutralise_formulas(app, report):
    client = client_for(app, report["compliance"])
    campaign_id = report["campaign"].id
    exported = read_csv(client.get(f"/reports/campaigns/{campaign_id}.csv"))
    assert exported.header[:4] == ["Code", "Level", "Department", "People assigned"]
    assert exported.header[6:8] == ["People overdue", "Assigned"]
    formula_row = next(r for r in exported.rows if r[0] == "BR2")
    assert formula_row[1] == "2" and formula_row[2].startswith("'=HYPERLINK")
    rate_at = exported.header.index("Completion rate")
    assert next(r for r in exported.rows if r[0] == "R")[rate_at:] == ["50.0%", "25.0%"]
    workbook = read_xlsx(client.get(f"/reports/campaigns/{campaign_id}.xlsx"))
    values = {row[0].value: row for row in workbook.cells}
    assert values["BR2"][2].data_type == "s" and values["BR2"][2].value.startswith("'=")
    assigned_at = exported.header.index("Assigned")
    assert values["R"][assigned_at].value == 5
    assert values["R"][rate_at].value == 0.5 and values["R"][rate_at].number_format == "0.0%"


def test_people_drill_down(app, report):
    client = client_for(app, report["compliance"])
    page = client.get(f"/reports/campaigns/{report['campaign'].id}/departments/{report['br2'].id}").get_data(
        as_text=True
    )
    assert page.count("<tr") == 3 and "Overdue" in page and "Not started" in page


def test_chart_data_and_sorting(app, report):
    client = client_for(app, report["compliance"])
    campaign_id = report["campaign"].id
    page = client.get(f"/reports/campaigns/{campaign_id}?sort=completion_rate&dir=desc").get_data(as_text=True)
    br1, br2 = page.index(f'data-id="{report["br1"].id}"'), page.index(f'data-id="{report["br2"].id}"')
    assert br1 < br2  # 100% before 0% among siblings
    ignored = client.get(f"/reports/campaigns/{campaign_id}?sort=1;DROP TABLE users").status_code
    assert ignored == 200
    from learning.reports import charts
    from learning.reports.completion import DepartmentRow

    row = DepartmentRow(1, "R", "Root", 0, None)
    row.total = Counts(assigned=4, completed=3)
    figure = charts.completion_bar([row], title="t", x_title="x", y_title="y", count_title="n")
    assert figure["data"][0]["x"] == ["Root"] and figure["data"][0]["y"] == [75.0]


def test_formula_neutralisation():
    assert [safe(v) for v in ("=1+1", "+1", "-2", "@SUM", "\tx", "plain", 5)] == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@SUM",
        "'\tx",
        "plain",
        5,
    ]


def test_completion_curve_counts_each_day_against_the_counted_assignments(db, report):
    from learning.reports import services

    campaign = db.get(Campaign, report["campaign"].id)
    rows = services.department_report(db, campaign.id, services.Scope(None, None))
    days, shares = services.completion_curve(db, campaign, services.Scope(None, None), organisation_total(rows))
    assert days[0] == date(2026, 4, 1) and days[-1] == date(2026, 7, 10)  # through today, past the due date
    by_day = dict(zip(days, shares, strict=True))
    assert by_day[date(2026, 6, 26)] == 0.0
    assert by_day[date(2026, 6, 27)] == 25.0  # 23:59 in Tokyo on 27 June: one of four counted assignments
    assert by_day[date(2026, 7, 1)] == 25.0
    assert by_day[date(2026, 7, 2)] == 50.0  # the late one
    # A manager's curve counts their subtree only: BR1 > S1 holds both completions of two counted.
    scope = services.scope_of(db, report["manager"])
    mine = services.department_report(db, campaign.id, scope)
    days, shares = services.completion_curve(db, campaign, scope, organisation_total(mine))
    assert dict(zip(days, shares, strict=True))[date(2026, 6, 27)] == 50.0 and shares[-1] == 100.0
    # Before the due date the line stops today, while the chart's axis still reaches the due date.
    clock.freeze(datetime(2026, 6, 20, 3, 0, tzinfo=UTC))
    rows = services.department_report(db, campaign.id, services.Scope(None, None))
    days, shares = services.completion_curve(db, campaign, services.Scope(None, None), organisation_total(rows))
    assert days[-1] == date(2026, 6, 20) and shares[-1] == 0.0
    from learning.reports import charts

    figure = charts.completion_over_time(
        days, shares, campaign.due_on, locale="en", title="t", x_title="x", y_title="y", due_label="due"
    )
    assert figure["data"][0]["x"][-1] == "2026-06-20"
    assert figure["layout"]["xaxis"]["range"] == ["2026-04-01", campaign.due_on.isoformat()]
