"""Comprehension figures and the minimum group size, including the subtraction a small group could leak by."""

from datetime import UTC, datetime, timedelta

from learning import clock
from learning.campaigns.models import Campaign
from learning.quizzes.models import Attempt
from learning.reports.comprehension import Scores, rolled_up
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_campaign_row, make_department, make_edition, make_user


def shown(cells):
    return {department: cell.shown for (department, _module), cell in cells.items()}


def test_small_groups_are_withheld_and_cannot_be_subtracted_out():
    order = [(1, None), (2, 1), (3, 1)]
    own = {(2, 9): Scores(scored=10), (3, 9): Scores(scored=2)}
    assert shown(rolled_up(order, own, [9])) == {1: False, 2: True, 3: False}  # 12 − 10 would give 3 away
    own[(1, 9)] = Scores(scored=3)  # people directly in department 1 join the hidden part: 2 + 3 = 5
    assert shown(rolled_up(order, own, [9])) == {1: True, 2: True, 3: False}
    own[(3, 9)] = Scores(scored=0)
    del own[(1, 9)]
    assert shown(rolled_up(order, own, [9])) == {1: True, 2: True, 3: False}  # nothing hidden to give away


def test_figures_against_hand_computed_values(app, db):
    clock.freeze(datetime(2026, 7, 1, 3, tzinfo=UTC))
    root = make_department(db, code="R")
    big = make_department(db, code="BIG", parent=root)
    small = make_department(db, code="SMALL", parent=root)
    edition = make_edition(db)
    campaign = make_campaign_row(db, edition)

    def person(dept, scores: list[int]):
        user = make_user(db, department=dept)
        best = max(scores)
        assignment = Assignment(
            user_id=user.id,
            edition_id=edition.id,
            campaign_id=campaign.id,
            reason="campaign",
            status="completed" if best >= 60 else "in_progress",
            assigned_at=clock.now(),
            due_at=clock.now() + timedelta(days=1),
            best_score=best,
            completed_at=clock.now() if best >= 60 else None,
        )
        db.add(assignment)
        db.flush()
        for number, value in enumerate(scores, 1):
            db.add(
                Attempt(
                    assignment_id=assignment.id,
                    user_id=user.id,
                    edition_id=edition.id,
                    number=number,
                    started_at=clock.now(),
                    submitted_at=clock.now(),
                    question_count=5,
                    correct_count=value // 20,
                    score=value,
                    passed=value >= 60,
                )
            )

    for scores in ([100], [80], [40, 80], [60], [100], [20, 40, 100]):  # six in BIG
        person(big, scores)
    for scores in ([100], [40]):  # two in SMALL
        person(small, scores)
    compliance = make_user(db, "compliance", department=root)
    db.commit()
    client = app.test_client()
    sign_in(client, compliance.employee_no)
    page = client.get(f"/reports/campaigns/{campaign.id}/comprehension").get_data(as_text=True)
    # BIG: average 520/6 = 86.7; first attempt passed 4 of 6 = 67%; 9 attempts over 6 completions = 1.50
    assert "86.7 · 67% · 1.50" in page
    # SMALL, and R (8 − 6 would give SMALL away): three figures each withheld
    assert page.count("Fewer than 5 people") == 6
    from learning.reports import charts, services

    scope = services.Scope(None, None)
    rows = services.department_report(db, campaign.id, scope, "en")
    modules, cells = services.comprehension(db, db.get(Campaign, campaign.id), scope, rows)
    figure = charts.score_heatmap(rows, [(m, "M") for m in modules], cells, title="t", x_title="x", value_title="v")
    by_department = dict(zip(figure["data"][0]["y"], figure["data"][0]["z"], strict=True))
    assert by_department[big.name_en] == [86.7]
    assert by_department[small.name_en] == [None] and by_department[root.name_en] == [None]
    exported = read_csv(client.get(f"/reports/campaigns/{campaign.id}/comprehension.csv"))
    rows = {row[0]: row for row in exported.rows}
    assert rows["BIG"][3:6] == ["86.7", "66.7%", "1.50"] and rows["SMALL"][3:6] == ["", "", ""]
    assert "Figures resting on fewer than 5 people are left blank." in exported.said("Withheld")
    workbook = read_xlsx(client.get(f"/reports/campaigns/{campaign.id}/comprehension.xlsx"))
    assert workbook.header[:3] == ["Code", "Level", "Department"]
    big = next(row for row in workbook.cells if row[0].value == "BIG")
    assert [c.value for c in big[3:6]] == [86.7, 4 / 6, 1.5]
    assert [c.number_format for c in big[3:6]] == ["0.0", "0.0%", "0.00"]
