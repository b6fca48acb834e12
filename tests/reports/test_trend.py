"""Trend across periods of a recurring campaign."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from learning import clock
from learning.campaigns.running import roll_over
from learning.reports import services
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.exported import read_csv
from tests.factories import make_department, make_edition, make_launched_campaign, make_user
from tests.helpers import chart_in, plotted


def test_rates_per_period(app, db):
    clock.freeze(datetime(2026, 4, 1, 3, tzinfo=UTC))
    root = make_department(db, code="R")
    people = [make_user(db, department=root) for _ in range(4)]
    compliance = make_user(db, "compliance", department=root)
    edition = make_edition(db)
    make_launched_campaign(db, [edition], compliance.id)
    for assignment in db.scalars(select(Assignment).where(Assignment.user_id.in_([p.id for p in people[:2]]))):
        assignment.status, assignment.completed_at = "completed", clock.now()
    db.commit()
    clock.freeze(datetime(2027, 4, 2, 3, tzinfo=UTC))
    (second,) = roll_over(db)
    for assignment in db.scalars(select(Assignment).where(Assignment.campaign_id == second.id)):
        if assignment.user_id != compliance.id:
            assignment.status, assignment.completed_at = "completed", clock.now()
    db.commit()
    periods, overall, by_department = services.trend(db, second, services.Scope(None, None), "en")
    assert [p.period_start for p in periods] == [date(2026, 4, 1), date(2027, 4, 1)]
    assert [round(rate, 2) for rate, _on_time in overall] == [0.4, 0.8]  # 2 of 5, then 4 of 5
    client = app.test_client()
    sign_in(client, compliance.employee_no)
    page = client.get(f"/reports/campaigns/{second.id}/trend").get_data(as_text=True)
    assert "40.0%" in page and "80.0%" in page and "FY2027" in page
    # FY2027 is due on 30 June 2027: still running. Both periods are plotted, by name; the running one marked.
    figure = chart_in(page, "trend-chart")
    assert figure["layout"]["xaxis"]["categoryarray"] == ["FY2026", "FY2027"]
    assert plotted(figure, "Whole scope") == {"FY2026": 40.0, "FY2027": 80.0}
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["Running: figures still grow"]
    assert page.count("In progress: figures still grow until the due date") == 1
    assert by_department[root.name_en] == [0.4, 0.8]
    exported = read_csv(client.get(f"/reports/campaigns/{second.id}/trend.csv"))
    assert [(r["Period"], r["Completion rate"], r["figures_code"]) for r in exported.records()] == [
        ("2026-04-01", "40.0%", "past_due"),
        ("2027-04-01", "80.0%", "in_progress"),
    ]
