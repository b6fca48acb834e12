"""Contractors' staff in campaign audiences (issue 19 item 4): a company, a contract or a sponsoring subtree;
only active accounts within their end day; joiners by `jobs run`; the transfer rule between a grid-side and a
retail-side contract; the form and the campaign page; one assignment per person under concurrent launches."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts import contractor_moves
from learning.accounts.models import User
from learning.campaigns import lifecycle
from learning.campaigns.contractor_audience import Rule
from learning.campaigns.models import Campaign, CampaignContractor, TransferRuleOutcome
from learning.campaigns.running import _successor, process_personnel_events
from learning.campaigns.services import CampaignInvalid, create_campaign, launch
from learning.training.models import Assignment
from tests.campaigns.contractor_world import build, staff
from tests.campaigns.test_jobs_overlap import all_at_once
from tests.conftest import PG_URL, csrf_token, sign_in
from tests.factories import make_edition


@pytest.fixture
def world(db):
    yield build(db)
    clock.freeze(None)


def assigned(db, campaign) -> dict[str, Assignment]:
    """The campaign's assignments by the person's staff number (a contractor) or employee number."""
    rows = db.execute(
        select(Assignment, func.coalesce(User.contractor_staff_no, User.employee_no))
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.campaign_id == campaign.id)
    ).all()
    return {number: assignment for assignment, number in rows}


def test_an_audience_of_one_contractor_assigns_its_staff_only(db, world):
    campaign = create_campaign(db, world.draft(Rule("company", world.meter.id)), world.compliance.id)
    assert launch(db, campaign, world.compliance.id) == 3
    db.commit()
    got = assigned(db, campaign)
    assert sorted(got) == ["M1", "M2", "M3"]  # not M4 (access ended), not T1 (another company), no employee
    m1, m3 = got["M1"], got["M3"]
    assert (m1.department_id, m1.company_id, m1.contract_id, m1.contractor_company_id) == (
        None,
        None,
        world.grid_contract.id,
        world.meter.id,
    )
    assert m3.contract_id == world.retail_contract.id
    assert launch(db, campaign, world.compliance.id) == 0  # a second launch adds nothing


def test_by_contract_and_by_sponsoring_department(db, world):
    by_contract = create_campaign(db, world.draft(Rule("contract", world.retail_contract.id)), None)
    launch(db, by_contract, None)
    assert sorted(assigned(db, by_contract)) == ["M3"]
    # The retail subtree sponsors C-R (Meter Services) and C-T (Demo Tele): both companies' staff on them.
    # (Each campaign its own module: one held open elsewhere is not assigned twice.)
    second, third = make_edition(db, slug="second"), make_edition(db, slug="third")
    by_sponsor = create_campaign(
        db, world.draft(Rule("sponsor", world.retail.id), module_ids=[second.module_id], name_en="b"), None
    )
    launch(db, by_sponsor, None)
    assert sorted(assigned(db, by_sponsor)) == ["M3", "T1"]
    # With the departments too: the grid's employee and the grid-side contract's staff (M4 lapsed).
    both = create_campaign(
        db,
        world.draft(Rule("sponsor", world.grid.id), include_ids=[world.grid.id], module_ids=[third.module_id]),
        None,
    )
    launch(db, both, None)
    db.commit()
    assert sorted(assigned(db, both)) == ["EG", "M1", "M2"]


def test_lapsed_and_left_accounts_are_never_assigned(db, world):
    world.staff["M2"].status = "left"
    db.commit()
    campaign = create_campaign(db, world.draft(Rule("contract", world.grid_contract.id)), None)
    launch(db, campaign, None)
    db.commit()
    assert sorted(assigned(db, campaign)) == ["M1"]


def test_a_whole_organisation_campaign_takes_no_contractor_and_heads_only_none(db, world):
    whole = create_campaign(db, world.draft(whole_organisation=True), None)
    launch(db, whole, None)
    assert sorted(assigned(db, whole)) == ["COMP", "EG", "ER"]
    with pytest.raises(CampaignInvalid) as refused:
        create_campaign(db, world.draft(Rule("company", world.meter.id), managers_only=True, name_en="h"), None)
    assert refused.value.problems == {"departments": "empty_audience_managers"}
    with pytest.raises(CampaignInvalid) as empty:
        create_campaign(db, world.draft(), None)
    assert empty.value.problems == {"departments": "no_departments"}


def test_joiners_of_a_contractor_are_assigned_by_the_jobs_run(db, world):
    campaign = create_campaign(db, world.draft(Rule("company", world.meter.id)), None)
    launch(db, campaign, None)
    db.commit()
    clock.freeze(datetime(2026, 6, 20, 1, tzinfo=UTC))
    joiner = staff(db, world.grid_contract, "M5")
    elsewhere = staff(db, world.tele_contract, "T2")
    db.commit()
    assert process_personnel_events(db) == 1
    db.commit()
    got = assigned(db, campaign)
    assert "T2" not in got and elsewhere.id not in {a.user_id for a in got.values()}
    made = got["M5"]
    assert (made.user_id, made.reason, made.contract_id) == (joiner.id, "new_hire", world.grid_contract.id)
    assert clock.tokyo_date(made.due_at) == date(2026, 7, 20)  # 30 days, the campaign's due date being earlier
    assert process_personnel_events(db) == 0  # the next run: nothing twice


def test_a_joiner_is_due_by_their_last_day_of_access_when_it_comes_first(db, world):
    campaign = create_campaign(db, world.draft(Rule("company", world.meter.id)), None)
    launch(db, campaign, None)
    db.commit()
    clock.freeze(datetime(2026, 6, 20, 1, tzinfo=UTC))
    short = staff(db, world.grid_contract, "M5", ends_on=date(2026, 7, 10))  # before the 30 days' 20 July
    longer = staff(db, world.grid_contract, "M6")  # 30 September
    db.commit()
    assert process_personnel_events(db) == 2
    db.commit()
    got = assigned(db, campaign)
    assert (got["M5"].user_id, clock.tokyo_date(got["M5"].due_at)) == (short.id, date(2026, 7, 10))
    assert (got["M6"].user_id, clock.tokyo_date(got["M6"].due_at)) == (longer.id, date(2026, 7, 20))
    clock.freeze(datetime(2026, 7, 11, 1, tzinfo=UTC))  # the day after M5's access ended: overdue, not pending
    assert db.get(Assignment, got["M5"].id).due_at < clock.now()


def test_at_the_launch_too_access_ending_before_the_due_date_brings_it_forward(db, world):
    leaving = staff(db, world.grid_contract, "M7", ends_on=date(2026, 6, 10))  # the campaign is due 30 June
    campaign = create_campaign(db, world.draft(Rule("company", world.meter.id)), None)
    launch(db, campaign, None)
    db.commit()
    got = assigned(db, campaign)
    assert (got["M7"].user_id, clock.tokyo_date(got["M7"].due_at)) == (leaving.id, date(2026, 6, 10))
    assert {clock.tokyo_date(got[n].due_at) for n in ("M1", "M2", "M3")} == {date(2026, 6, 30)}


def test_the_transfer_rule_between_a_grid_side_and_a_retail_side_contract(db, world):
    firewall = world.edition
    rules = make_edition(db, slug="rules")
    retail = create_campaign(
        db,
        world.draft(
            Rule("contract", world.retail_contract.id),
            module_ids=[rules.module_id],
            transfer_from_id=world.grid.id,
            transfer_to_id=world.retail.id,
            transfer_module_ids=[firewall.module_id],
        ),
        None,
    )
    launch(db, retail, None)
    db.commit()
    assert sorted(assigned(db, retail)) == ["M3"]
    clock.freeze(datetime(2026, 5, 7, 1, tzinfo=UTC))
    mover = world.staff["M1"]
    contractor_moves.move_to_contract(db, world.compliance.id, mover, world.retail_contract, date(2026, 6, 15))
    back = world.staff["M3"]
    contractor_moves.move_to_contract(db, world.compliance.id, back, world.grid_contract)  # retail → grid
    db.commit()
    process_personnel_events(db)
    db.commit()
    (outcome,) = db.scalars(select(TransferRuleOutcome)).all()  # only the grid → retail move fires
    assert (outcome.user_id, outcome.outcome, outcome.reason) == (mover.id, "assigned", "moved")
    made = db.get(Assignment, outcome.assignment_id)
    assert (made.edition_id, made.reason, made.contract_id, made.department_id) == (
        firewall.id,
        "transfer_rule",
        world.retail_contract.id,
        None,
    )
    assert clock.tokyo_date(made.due_at) == date(2026, 6, 15)  # their last day, before the campaign's 30 June
    # Moved onto the campaign's contract, M1 is in its audience: the joiners' step gives them its module too.
    mine = {a.edition_id: a for a in db.scalars(select(Assignment).where(Assignment.user_id == mover.id))}
    assert mine[rules.id].reason == "transfer" and mine[rules.id].campaign_id == retail.id


def test_a_move_keeps_within_the_company_and_the_new_contracts_end(db, world):
    from learning.accounts.contractors import ContractorError

    with pytest.raises(ContractorError) as other_company:
        contractor_moves.move_to_contract(db, None, world.staff["M1"], world.tele_contract)
    assert other_company.value.code == "unknown_contract"
    with pytest.raises(ContractorError) as too_late:
        contractor_moves.move_to_contract(db, None, world.staff["M1"], world.retail_contract, date(2027, 4, 30))
    assert too_late.value.code == "end_after_contract"


def test_rules_go_with_edits_copies_and_the_next_period(db, world):
    draft = world.draft(Rule("company", world.tele.id), Rule("sponsor", world.grid.id), recurrence="yearly")
    campaign = create_campaign(db, draft, None)
    db.commit()
    assert lifecycle.as_draft(campaign).contractors == [Rule("company", world.tele.id), Rule("sponsor", world.grid.id)]
    edited = lifecycle.update_draft(
        db,
        campaign.id,
        campaign.revision,
        world.draft(Rule("contract", world.grid_contract.id)),
        None,
        date(2026, 4, 1),
    )
    assert lifecycle.as_draft(edited).contractors == [Rule("contract", world.grid_contract.id)]
    launch(db, edited, None)
    db.commit()
    edited = db.get(Campaign, edited.id)
    edited.recurrence = "yearly"
    successor = _successor(db, edited)
    assert [(r.contract_id, r.company_id) for r in successor.contractors] == [(world.grid_contract.id, None)]
    db.rollback()


def test_the_form_and_the_campaign_page_in_both_languages(app, db, world):
    client = app.test_client()
    sign_in(client, world.compliance.employee_no)
    form = client.get("/campaigns/new").get_data(as_text=True)
    assert "Contractor companies: all their staff" in form and "Meter Services / C-G" in form
    response = client.post(
        "/campaigns/new",
        data={
            "name_ja": "委託先 2026",
            "name_en": "Contractors FY2026",
            "modules": [str(world.edition.module_id)],
            "audience": "selected",
            "contractor_companies": [str(world.meter.id)],
            "contractor_sponsors": [str(world.retail.id)],
            "opens_on": "2026-04-02",
            "due_on": "2026-06-30",
            "recurrence": "none",
            "event_due_days": "30",
            "reminder_days": "14,7,1",
            "escalate_after_days": "7",
            "csrf_token": csrf_token(client, "/campaigns/new"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    campaign = db.scalar(select(Campaign).where(Campaign.name_en == "Contractors FY2026"))
    rules = db.scalars(select(CampaignContractor).where(CampaignContractor.campaign_id == campaign.id)).all()
    assert {(r.company_id, r.sponsor_department_id) for r in rules} == {(world.meter.id, None), (None, world.retail.id)}
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "All staff of Meter Services" in page
    assert f"Staff on contracts sponsored by {world.retail.name_en} or a department under it" in page
    # Meter Services: M1, M2, M3; the retail subtree's contracts: M3, T1. Together four people.
    assert "4 active contractors' staff are covered now" in page
    assert "The figures include 4 contractors' staff." in page  # the launch preview
    world.compliance.locale = "ja"
    db.commit()
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    japanese = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "検針サービスの全要員" in japanese and "有効な委託先要員 4 人が対象です" in japanese


@pytest.mark.skipif(not PG_URL, reason="two launches really overlapping are PostgreSQL's (SQLite serialises)")
def test_concurrent_launches_make_one_assignment_per_person(app, db, world):
    campaign = create_campaign(db, world.draft(Rule("sponsor", world.grid.id), Rule("company", world.meter.id)), None)
    db.commit()
    made = []

    def launch_it():
        session = app.extensions["db"].factory()
        try:
            made.append(launch(session, session.get(Campaign, campaign.id), None))
            session.commit()
        finally:
            session.close()

    assert all_at_once(4, launch_it) == []
    assert sum(made) == 3
    counted = db.execute(
        select(Assignment.user_id, func.count())
        .where(Assignment.campaign_id == campaign.id)
        .group_by(Assignment.user_id)
    ).all()
    assert sorted(n for _user, n in counted) == [1, 1, 1]
