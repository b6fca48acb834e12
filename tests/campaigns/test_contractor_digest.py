"""Overdue digests reach the sponsoring managers (issue 19): the heads of a contract's sponsoring department (its
subtree, as for employees) get their sponsored contractors' overdue staff in the daily digest, under the
contractor company's name, in their language, through a real SMTP server; a moved contractor is in the new
sponsor's digest; nobody else's."""

from datetime import UTC, datetime

import pytest

from learning import clock
from learning.accounts import contractor_moves
from learning.campaigns.contractor_audience import Rule
from learning.campaigns.services import create_campaign, launch
from tests.campaigns.contractor_world import build
from tests.conftest import make_settings
from tests.factories import make_department, make_user

JUNE_1 = datetime(2026, 6, 1, 1, tzinfo=UTC)
JULY_7 = datetime(2026, 7, 7, 0, tzinfo=UTC)  # 09:00 in Tokyo: due 30 June, seven days overdue


@pytest.fixture
def world(db):
    yield build(db)
    clock.freeze(None)


def test_sponsoring_managers_get_their_contractors_overdue_staff(app, db, world, smtp_server, tmp_path):
    from learning.app import create_app

    # The grid company's head (its subtree holds G-NET, which sponsors C-G), in Japanese; the call centre's head
    # (R-CC sponsors C-R and Demo Tele's C-T), in English; a head elsewhere in retail sees nothing of them.
    make_user(
        db, "manager", department=world.grid, scope=world.grid, employee_no="HG", email="grid@example.jp", locale="ja"
    )
    make_user(
        db,
        "manager",
        department=world.call_centre,
        scope=world.call_centre,
        employee_no="HR",
        email="centre@example.jp",
        locale="en",
    )
    sales = make_department(db, code="R-SALES", parent=world.retail)  # sponsors nothing
    make_user(db, "manager", department=sales, scope=sales, employee_no="HX", email="other@example.jp")
    campaign = create_campaign(
        db,
        world.draft(
            Rule("company", world.meter.id),
            Rule("company", world.tele.id),
            include_ids=[world.call_centre.id],
            recurrence="yearly",  # its period runs to March: reminders and digests go on after the due date
        ),
        world.compliance.id,
    )
    launch(db, campaign, world.compliance.id)  # M1, M2 (C-G), M3 (C-R), T1 (C-T), ER and HR (R-CC)
    db.commit()
    clock.freeze(JUNE_1)
    contractor_moves.move_to_contract(db, world.compliance.id, world.staff["M2"], world.retail_contract)
    db.commit()

    jobs = create_app(
        make_settings(
            app.extensions["settings"].database_url,
            tmp_path / "jobs",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_server.port),
            PORTAL_URL="https://portal.example.intra",
        )
    )
    runner = jobs.test_cli_runner()
    clock.freeze(JULY_7)
    for _ in range(2):  # a second run the same day sends no second digest
        result = runner.invoke(args=["jobs", "run"])
        assert result.exit_code == 0, result.output
    by_to = {m["To"]: m for m in smtp_server.handler_messages if m["To"] in {"grid@example.jp", "centre@example.jp"}}
    assert sorted(by_to) == ["centre@example.jp", "grid@example.jp"]
    assert [m["To"] for m in smtp_server.handler_messages].count("grid@example.jp") == 1
    assert "other@example.jp" not in [m["To"] for m in smtp_server.handler_messages]

    grid = by_to["grid@example.jp"]
    assert grid["Subject"] == "[行為規制ポータル] ご担当部署の行為規制研修 期限超過者（1名）"
    text = grid.get_content()
    assert "委託先の要員" in text and "委託 M1（検針サービス、要員番号 M1）" in text
    assert "M2" not in text and "M3" not in text and "T1" not in text  # M2 moved to the retail side on 1 June

    centre = by_to["centre@example.jp"].get_content()
    assert by_to["centre@example.jp"]["Subject"].strip() == (
        "[Conduct Rules Portal] Overdue conduct-rule training in your departments (4)"
    )
    employees, contractors = centre.split("These contractors' staff, on contracts the departments you head sponsor")
    assert "These people in the departments you head" in employees and "(ER)" in employees
    assert "M1" not in centre and "(HR)" not in centre  # the grid side's, and the head's own
    lines = [line for line in contractors.splitlines() if line.startswith("- ")]
    assert lines == [
        "- 委託 M2 (Meter Services, staff number M2): firewall course, due Jun 30, 2026, 7 days overdue",
        "- 委託 M3 (Meter Services, staff number M3): firewall course, due Jun 30, 2026, 7 days overdue",
        "- 委託 T1 (Demo Tele, staff number T1): firewall course, due Jun 30, 2026, 7 days overdue",
    ]
    jobs.extensions["db"].engine.dispose()
