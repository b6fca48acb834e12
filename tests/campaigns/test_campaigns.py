"""Campaigns: validation, launch, completions that count, fiscal-year rollover, joiners and movers."""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts.imports import apply_roster
from learning.campaigns.models import Campaign
from learning.campaigns.running import process_personnel_events, roll_over
from learning.campaigns.services import CampaignInvalid, create_campaign, launch
from learning.training.models import Assignment
from tests.conftest import PG_URL
from tests.factories import campaign_draft, make_assignment, make_department, make_edition, make_user


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def org(db):
    """Two company trees: retail (R > R-BR > R-BR-S) and grid (G > G-NC)."""
    clock.freeze(at(2026, 4, 1, 1))
    tree = {}
    tree["R"] = make_department(db, code="R")
    tree["R-BR"] = make_department(db, code="R-BR", parent=tree["R"])
    tree["R-BR-S"] = make_department(db, code="R-BR-S", parent=tree["R-BR"])
    tree["R-HQ"] = make_department(db, code="R-HQ", parent=tree["R"])
    tree["G"] = make_department(db, code="G")
    tree["G-NC"] = make_department(db, code="G-NC", parent=tree["G"])
    people = {code: make_user(db, department=dept, employee_no=f"P-{code}") for code, dept in tree.items()}
    compliance = make_user(db, "compliance", department=tree["R-HQ"])
    db.commit()
    return tree, people, compliance


draft = campaign_draft


def assignments(db, **filters):
    query = select(Assignment)
    for name, value in filters.items():
        query = query.where(getattr(Assignment, name) == value)
    return db.scalars(query.order_by(Assignment.id)).all()


def test_invalid_campaigns_name_their_fields(db, org):
    _tree, _, compliance = org
    edition = make_edition(db)
    with pytest.raises(CampaignInvalid) as caught:
        create_campaign(db, draft([edition], module_ids=[], due_on=date(2026, 3, 1)), compliance.id)
    assert caught.value.problems == {"modules": "no_modules", "due_on": "due_before_open"}
    empty = make_department(db, code="EMPTY")
    with pytest.raises(CampaignInvalid) as caught:
        create_campaign(db, draft([edition], whole_organisation=False, include_ids=[empty.id]), compliance.id)
    assert caught.value.problems == {"departments": "empty_audience"}


def test_launch_assigns_the_audience_once(db, org):
    tree, people, compliance = org
    editions = [make_edition(db, slug="a"), make_edition(db, slug="b")]
    campaign = create_campaign(
        db,
        draft(editions, whole_organisation=False, include_ids=[tree["R"].id], exclude_ids=[tree["R-HQ"].id]),
        compliance.id,
    )
    assert launch(db, campaign, compliance.id) == 2 * 3  # R, R-BR, R-BR-S; not R-HQ, not the grid
    assert launch(db, campaign, compliance.id) == 0
    db.commit()
    holders = {a.user_id for a in assignments(db, campaign_id=campaign.id)}
    assert holders == {people["R"].id, people["R-BR"].id, people["R-BR-S"].id}
    assert {a.reason for a in assignments(db, campaign_id=campaign.id)} == {"campaign"}


def test_a_completion_in_the_period_counts(db, org):
    _tree, people, compliance = org
    edition = make_edition(db)
    make_assignment(db, people["R-BR"], edition, status="completed", completed_at=clock.now())
    campaign = create_campaign(db, draft([edition]), compliance.id)
    launch(db, campaign, compliance.id)
    assert people["R-BR"].id not in {a.user_id for a in assignments(db, campaign_id=campaign.id)}


def test_fiscal_year_rollover_with_the_then_current_editions(db, org):
    _tree, people, compliance = org
    edition = make_edition(db, slug="rules")
    campaign = create_campaign(db, draft([edition]), compliance.id)
    launch(db, campaign, compliance.id)
    db.commit()
    clock.freeze(at(2027, 3, 31))
    assert roll_over(db) == []  # the period has not ended yet
    revised = make_edition(db, slug="rules", body="改訂版。")
    clock.freeze(at(2027, 4, 1, 0))  # 09:00 on 1 April in Tokyo
    (successor,) = roll_over(db)
    db.commit()
    assert successor.name_ja == "2027年度 行為規制研修" and successor.name_en == "FY2027 conduct-rule training"
    assert (successor.opens_on, successor.due_on, successor.period_start) == (
        date(2027, 4, 1),
        date(2027, 6, 30),
        date(2027, 4, 1),
    )
    new = assignments(db, campaign_id=successor.id)
    assert {a.edition_id for a in new} == {revised.id} and len(new) == len(people) + 1
    old = assignments(db, campaign_id=campaign.id)
    assert {a.edition_id for a in old} == {edition.id}  # last year's assignments stay as they were
    assert db.get(Campaign, campaign.id).status == "closed"
    assert roll_over(db) == []
    clock.freeze(at(2029, 5, 1))  # nobody ran the job for two years: both years catch up, once
    assert [c.period_start.year for c in roll_over(db)] == [2028, 2029]


def test_joiners_and_movers_are_assigned_with_the_reason(db, org):
    tree, people, compliance = org
    edition = make_edition(db, slug="rules")
    transfer_extra = make_edition(db, slug="for-movers")
    campaign = create_campaign(
        db,
        draft(
            [edition],
            whole_organisation=False,
            include_ids=[tree["R"].id],
            transfer_from_id=tree["G"].id,
            transfer_to_id=tree["R"].id,
            transfer_module_ids=[transfer_extra.module_id],
        ),
        compliance.id,
    )
    launch(db, campaign, compliance.id)
    db.commit()
    clock.freeze(at(2026, 6, 20))
    header = "employee_no,name,email,department_code,status\n"
    roster = header + "N1,新人,,R-BR-S,active\nP-G-NC,移る人,,R-BR,active\n"
    apply_roster(db, roster.encode(), actor_id=None)
    assert process_personnel_events(db) == 3
    assert process_personnel_events(db) == 0
    db.commit()
    joiner = assignments(db, reason="new_hire")
    assert len(joiner) == 1 and joiner[0].due_at.date() == date(2026, 7, 20)  # 30 days after the event
    mover = {a.reason: a for a in assignments(db, user_id=people["G-NC"].id)}
    assert set(mover) == {"transfer", "transfer_rule"}
    assert mover["transfer_rule"].edition_id == transfer_extra.id


@pytest.mark.skipif(not PG_URL, reason="overlapping job runs are a PostgreSQL concern (SQLite serialises writers)")
def test_overlapping_runs_create_no_duplicates(app, db, org):
    _tree, people, compliance = org
    edition = make_edition(db)
    campaign = create_campaign(db, draft([edition]), compliance.id)
    db.commit()
    header = "employee_no,name,email,department_code,status\n"
    apply_roster(db, (header + "".join(f"J{i},人{i},,R-BR,active\n" for i in range(40))).encode(), actor_id=None)
    db.commit()
    errors = []

    def run():
        session = app.extensions["db"].factory()
        try:
            launch(session, session.get(Campaign, campaign.id), None)
            process_personnel_events(session)
            session.commit()
        except Exception as exc:
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = db.scalar(select(func.count()).select_from(Assignment).where(Assignment.campaign_id == campaign.id))
    distinct = db.scalar(
        select(func.count(func.distinct(Assignment.user_id))).where(Assignment.campaign_id == campaign.id)
    )
    assert total == distinct == len(people) + 1 + 40


def test_an_open_assignment_of_the_same_edition_is_not_doubled(db, org):
    _tree, people, compliance = org
    edition = make_edition(db)
    make_assignment(db, people["R-BR"], edition)  # assigned directly before the campaign
    campaign = create_campaign(db, draft([edition]), compliance.id)
    launch(db, campaign, compliance.id)
    held = assignments(db, user_id=people["R-BR"].id)
    assert len(held) == 1 and held[0].campaign_id is None
