"""The transfer rule that fires and says so: grid call centre → retail sales through the HR import and
`jobs run`, with a completion at the grid company before the move; skips with their reasons; once only."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts.imports import apply_roster
from learning.accounts.models import Department, PendingImport, PersonnelEvent, User
from learning.accounts.tree import parent_map, subtree
from learning.app import create_app
from learning.audit.models import AuditEvent
from learning.campaigns import transfers
from learning.campaigns.models import Campaign, TransferRuleOutcome
from learning.campaigns.running import process_personnel_events
from learning.campaigns.services import create_campaign, launch
from learning.training.models import Assignment
from tests.campaigns.test_jobs_overlap import all_at_once
from tests.conftest import PG_URL, csrf_token, make_settings, sign_in
from tests.factories import campaign_draft, make_department, make_edition, make_user

HEADER = "employee_no,name,email,department_code,status\n"


def at(month, day, hour=1):
    return datetime(2026, month, day, hour, tzinfo=UTC)  # 10:00 in Tokyo


@pytest.fixture
def scenario(db):
    """Grid (G > G-CC, the wheeling call centre) and retail (R > R-SALES); a grid campaign that had everyone
    there take the firewall module, and a retail campaign whose transfer rule gives it to movers G → R."""
    clock.freeze(at(4, 1))
    grid = make_department(db, code="G")
    call_centre = make_department(db, code="G-CC", parent=grid)
    retail = make_department(db, code="R")
    sales = make_department(db, code="R-SALES", parent=retail)
    hq = make_department(db, code="R-HQ", parent=retail)
    call_centre.name_ja, call_centre.name_en = "託送コールセンター", "Wheeling call centre"
    sales.name_ja, sales.name_en = "小売営業課", "Retail sales"
    people = {
        code: make_user(db, department=call_centre, employee_no=code, name=name, locale="en")
        for code, name in (("G1", "清水 花子"), ("G2", "後で 済む"), ("G3", "他で 開く"))
    }
    make_user(db, department=sales, employee_no="R1")
    compliance = make_user(db, "compliance", department=hq)
    firewall = make_edition(db, slug="firewall")
    rules = make_edition(db, slug="rules")
    grid_campaign = create_campaign(
        db,
        campaign_draft(
            [firewall],
            name_ja="送配電 2026",
            name_en="Grid FY2026",
            whole_organisation=False,
            include_ids=[grid.id],
            due_on=date(2027, 3, 31),
        ),
        compliance.id,
    )
    launch(db, grid_campaign, compliance.id)
    retail_campaign = create_campaign(
        db,
        campaign_draft(
            [rules],
            name_ja="小売 2026",
            name_en="Retail FY2026",
            whole_organisation=False,
            include_ids=[retail.id],
            transfer_from_id=grid.id,
            transfer_to_id=retail.id,
            transfer_module_ids=[firewall.module_id],
        ),
        compliance.id,
    )
    launch(db, retail_campaign, compliance.id)
    db.commit()
    # G1 completes the firewall module in May, at the grid company.
    clock.freeze(at(5, 10))
    first = db.scalar(select(Assignment).where(Assignment.user_id == people["G1"].id))
    first.status, first.completed_at = "completed", clock.now()
    db.commit()
    return {
        "people": people,
        "compliance": compliance,
        "firewall": firewall,
        "grid": grid_campaign,
        "retail": retail_campaign,
        "sales": sales,
    }


def hr_import_moves(db, app, *codes):
    """The roster CSV through the admin's upload, dry run and apply: the path HR files take."""
    admin = make_user(db, "admin")
    db.commit()
    client = app.test_client()
    sign_in(client, admin.employee_no)
    lines = "".join(f"{p},{name},,R-SALES,active\n" for p, name in codes)
    data = (HEADER + lines).encode("cp932")
    token = csrf_token(client, "/admin/imports")
    preview = client.post(
        "/admin/imports",
        data={"kind": "roster", "file": (io.BytesIO(data), "roster.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    pending = db.scalar(select(PendingImport).order_by(PendingImport.id.desc()))
    applied = client.post(
        f"/admin/imports/{pending.id}/apply", data={"csrf_token": csrf_token(client, "/admin/imports")}
    )
    assert applied.status_code == 200


def jobs_run(app, tmp_path, smtp_server):
    runner = create_app(
        make_settings(
            app.extensions["settings"].database_url,
            tmp_path / "jobs",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_server.port),
        )
    )
    result = runner.test_cli_runner().invoke(args=["jobs", "run"])
    runner.extensions["db"].engine.dispose()
    assert result.exit_code == 0, result.output
    return result.output


def outcomes(db):
    rows = db.scalars(select(TransferRuleOutcome).order_by(TransferRuleOutcome.id)).all()
    return {(r.user_id, r.outcome, r.reason) for r in rows}


def test_grid_call_centre_to_retail_sales_end_to_end(app, db, scenario, tmp_path, smtp_server):
    people, firewall = scenario["people"], scenario["firewall"]
    clock.freeze(at(6, 20))
    hr_import_moves(db, app, ("G1", "清水 花子"), ("G2", "後で 済む"), ("G3", "他で 開く"))
    # G2 completes the grid campaign's firewall module after the move, before the job runs.
    clock.freeze(at(6, 20, 3))
    later = db.scalar(select(Assignment).where(Assignment.user_id == people["G2"].id))
    later.status, later.completed_at = "completed", clock.now()
    g3_open = db.scalar(select(Assignment).where(Assignment.user_id == people["G3"].id))
    assert g3_open.due_at.date() == date(2027, 3, 31)
    db.commit()

    clock.freeze(at(6, 21))
    output = jobs_run(app, tmp_path, smtp_server)
    assert "joiners and movers" in output
    g1, g2, g3 = (people[c].id for c in ("G1", "G2", "G3"))
    assert outcomes(db) == {
        (g1, "assigned", "completed_before_move"),
        (g2, "skipped", "completed_after_move"),
        (g3, "skipped", "open_elsewhere_due_brought_forward"),
    }
    mine = db.scalar(
        select(Assignment).where(
            Assignment.user_id == g1,
            Assignment.campaign_id == scenario["retail"].id,
            Assignment.edition_id == firewall.id,
        )
    )
    assert mine.reason == "transfer_rule" and mine.status == "assigned"
    assert mine.due_at.date() == date(2026, 7, 20)  # 30 days after the move
    db.expire_all()
    # G3's open assignment elsewhere now falls due on the rule's day; nobody holds the edition open twice.
    assert db.get(Assignment, g3_open.id).due_at == mine.due_at
    open_firewall = db.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.user_id == g3, Assignment.edition_id == firewall.id, Assignment.status == "assigned")
    )
    assert open_firewall == 1
    fired = db.scalars(select(AuditEvent).where(AuditEvent.action == "transfer_rule_fired")).all()
    assert len(fired) == 1 and json.loads(fired[0].details) == {
        "assigned": 1,
        "skipped": 2,
        "events": sorted(e.id for e in db.scalars(select(PersonnelEvent)) if e.kind == "transfer"),
    }

    # A second run adds nothing.
    jobs_run(app, tmp_path, smtp_server)
    assert db.scalar(select(func.count()).select_from(TransferRuleOutcome)) == 3
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "transfer_rule_fired")) == 1
    )

    # The campaign page says what fired and what was skipped, and why.
    officer = app.test_client()
    sign_in(officer, scenario["compliance"].employee_no)
    page = officer.get(f"/campaigns/{scenario['retail'].id}").get_data(as_text=True)
    assert "Transfer rule: fired / skipped" in page
    assert "清水 花子" in page and "Wheeling call centre → Retail sales" in page and "Jun 20, 2026" in page
    assert "Assigned although completed before the move" in page
    assert "Skipped: completed this edition after the move." in page
    assert "its due date was brought forward to the rule&#39;s." in page
    assert f"/people?q=G3#assignment-{g3_open.id}" in page  # the skip links the open assignment
    person = officer.get("/people?q=G1").get_data(as_text=True)
    assert "Transfer rule: fired / skipped" in person and "Retail FY2026" in person

    # Her module page says why.
    learner = app.test_client()
    sign_in(learner, "G1")
    why = learner.get(f"/training/{mine.id}").get_data(as_text=True)
    assert (
        "Assigned because you moved from Wheeling call centre to Retail sales on Jun 20, 2026 "
        "(transfer rule of “Retail FY2026”)." in why
    )
    other = app.test_client()
    sign_in(other, "G3")
    moved_up = other.get(f"/training/{g3_open.id}").get_data(as_text=True)
    assert "Its due date was brought forward because you moved from Wheeling call centre to Retail sales" in moved_up


def test_the_japanese_why(app, db, scenario, tmp_path, smtp_server):
    clock.freeze(at(6, 20))
    hr_import_moves(db, app, ("G1", "清水 花子"))
    process_personnel_events(db)
    db.commit()
    mine = db.scalar(select(Assignment).where(Assignment.reason == "transfer_rule"))
    learner = app.test_client()
    learner.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    db.get(User, scenario["people"]["G1"].id).locale = "ja"
    db.commit()
    sign_in(learner, "G1")
    page = learner.get(f"/training/{mine.id}").get_data(as_text=True)
    assert "託送コールセンターから小売営業課へ異動したため" in page and "「小売 2026」" in page


def test_a_move_outside_the_rule_and_a_leaver_are_not_fired(db, scenario):
    clock.freeze(at(6, 20))
    make_department(db, code="R-OTHER", parent=db.get(Department, scenario["sales"].parent_id))
    db.commit()
    roster = HEADER + "R1,動く,,R-OTHER,active\nG1,清水 花子,,R-SALES,left\n"
    apply_roster(db, roster.encode(), actor_id=None)
    process_personnel_events(db)
    db.commit()
    assert outcomes(db) == set()  # a move within retail is no move along the rule; a leaver is not a mover
    assert db.scalar(select(func.count()).select_from(Assignment).where(Assignment.reason == "transfer_rule")) == 0


def test_already_in_the_campaign_is_a_skip_and_a_rerun_records_once(db, scenario):

    clock.freeze(at(6, 20))
    apply_roster(db, (HEADER + "G1,清水 花子,,R-SALES,active\n").encode(), actor_id=None)
    assert process_personnel_events(db) >= 1
    db.commit()
    event = db.scalar(select(PersonnelEvent))
    campaign = scenario["retail"]
    db.refresh(campaign)
    parents = parent_map(db)
    area = (subtree([campaign.transfer_from_id], parents), subtree([campaign.transfer_to_id], parents))
    assert transfers.fire(db, campaign, area, [event]) == 0  # the same move again: recorded once
    db.commit()
    assert db.scalar(select(func.count()).select_from(TransferRuleOutcome)) == 1
    db.execute(TransferRuleOutcome.__table__.delete())
    assert transfers.fire(db, campaign, area, [event]) == 0
    db.commit()
    (row,) = db.scalars(select(TransferRuleOutcome)).all()
    assert (row.outcome, row.reason) == ("skipped", "already_in_campaign") and row.assignment_id


@pytest.mark.skipif(not PG_URL, reason="overlapping job runs are a PostgreSQL concern (SQLite serialises writers)")
def test_overlapping_runs_fire_once(app, db, scenario):

    clock.freeze(at(6, 20))
    moves = "".join(f"M{i},移る{i},,R-SALES,active\n" for i in range(20))
    apply_roster(db, (HEADER + moves.replace("R-SALES", "G-CC")).encode(), actor_id=None)
    db.execute(PersonnelEvent.__table__.delete())
    apply_roster(db, (HEADER + moves).encode(), actor_id=None)
    db.commit()
    events = db.scalars(select(PersonnelEvent)).all()
    assert len(events) == 20
    made = []

    def fire_directly():  # both see every event: only the unique outcome and assignment keys hold them apart
        session = app.extensions["db"].factory()
        try:
            campaign = session.get(Campaign, scenario["retail"].id)
            parents = parent_map(session)
            area = (subtree([campaign.transfer_from_id], parents), subtree([campaign.transfer_to_id], parents))
            mine = session.scalars(select(PersonnelEvent).order_by(PersonnelEvent.id)).all()
            made.append(transfers.fire(session, campaign, area, mine))
            session.commit()
        finally:
            session.close()

    def job():
        session = app.extensions["db"].factory()
        try:
            made.append(process_personnel_events(session))
            session.commit()
        finally:
            session.close()

    assert all_at_once(3, fire_directly) == []
    assert sum(made) == 20
    assert db.scalar(select(func.count()).select_from(TransferRuleOutcome)) == 20
    assert all_at_once(2, job) == []
    assert db.scalar(select(func.count()).select_from(TransferRuleOutcome)) == 20
    assert db.scalar(select(func.count()).select_from(Assignment).where(Assignment.reason == "transfer_rule")) == 20


def test_a_move_after_launch_but_before_the_window_opens_is_not_lost(app, db, tmp_path, smtp_server):
    """A campaign launched ahead of its window already holds its audience; someone who moves into it (or
    along its rule) before the window opens is assigned by the next jobs run, not marked done and forgotten."""
    clock.freeze(at(6, 1))
    grid = make_department(db, code="G")
    call_centre = make_department(db, code="G-CC", parent=grid)
    retail = make_department(db, code="R")
    make_department(db, code="R-SALES", parent=retail)
    mover = make_user(db, department=call_centre, employee_no="G1", name="清水 花子")
    compliance = make_user(db, "compliance", department=retail)
    rules, firewall = make_edition(db, slug="rules"), make_edition(db, slug="firewall")
    second_half = create_campaign(
        db,
        campaign_draft(
            [rules],
            name_ja="小売 下期",
            name_en="Retail second half",
            whole_organisation=False,
            include_ids=[retail.id],
            opens_on=date(2026, 10, 1),
            due_on=date(2026, 12, 25),
            recurrence="none",
            transfer_from_id=grid.id,
            transfer_to_id=retail.id,
            transfer_module_ids=[firewall.module_id],
        ),
        compliance.id,
    )
    launch(db, second_half, compliance.id)
    db.commit()

    clock.freeze(at(6, 20))
    hr_import_moves(db, app, ("G1", "清水 花子"))
    clock.freeze(at(6, 21))
    jobs_run(app, tmp_path, smtp_server)
    held = db.execute(
        select(Assignment.edition_id, Assignment.reason).where(
            Assignment.user_id == mover.id, Assignment.campaign_id == second_half.id
        )
    ).all()
    assert sorted(held) == sorted([(rules.id, "transfer"), (firewall.id, "transfer_rule")])
    assert outcomes(db) == {(mover.id, "assigned", "moved")}
