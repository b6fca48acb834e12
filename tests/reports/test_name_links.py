"""Names in reports link to the person's training history only where the reader may open it."""

from datetime import timedelta

from sqlalchemy import select

from learning.training.models import Assignment, Exemption
from tests.reports.test_completion_report import NOW, client_for, report  # noqa: F401 - the fixture


def test_names_link_only_within_the_readers_scope(app, db, report):  # noqa: F811 - the fixture
    exempt = db.scalar(select(Assignment).where(Assignment.status == "exempt"))
    officer = report["compliance"]
    db.add(
        Exemption(
            assignment_id=exempt.id,
            user_id=exempt.user_id,
            reason="育児休業",
            granted_by_id=officer.id,
            granted_at=NOW - timedelta(days=1),
            until=NOW + timedelta(days=60),
        )
    )
    db.commit()
    person = db.get(type(officer), exempt.user_id)
    manager = client_for(app, report["manager"])
    page = manager.get("/reports/exemptions")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'href="/reports/people/{person.employee_no}/history"' in body  # in the manager's subtree
    assert officer.name in body and f"/reports/people/{officer.employee_no}/history" not in body  # outside it
    campaign = report["campaign"].id
    drill = manager.get(f"/reports/campaigns/{campaign}/departments/{report['s1'].id}").get_data(as_text=True)
    assert f"/reports/people/{person.employee_no}/history" in drill
    office = client_for(app, officer)
    everyone = office.get("/reports/exemptions").get_data(as_text=True)
    assert f"/reports/people/{officer.employee_no}/history" in everyone  # compliance reads everyone
    assert office.get(f"/reports/people/{person.employee_no}/history").status_code == 200
    # The link the manager is not given leads nowhere for them.
    assert manager.get(f"/reports/people/{officer.employee_no}/history").status_code == 403
