"""Moving a contractor's staff member onto another contract of their company (issue 19 item 4) from the staff
lists: only the other running contracts of the company offered, a confirmation first, a refused end day naming
the field and the contract's end in both languages, once whatever the clicks (concurrently on PostgreSQL); the
moved person counted under the new contract in the report's contractors section; the transfer rule assigns the
retail side's modules to a person moved from a grid-sponsored contract to a retail-sponsored one."""

import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts import contractors
from learning.accounts.models import PersonnelEvent, User
from learning.audit.models import AuditEvent
from learning.campaigns.contractor_audience import Rule
from learning.campaigns.models import TransferRuleOutcome
from learning.campaigns.running import process_personnel_events
from learning.campaigns.services import create_campaign, launch
from learning.reports import contractors as contractor_report
from learning.training.models import Assignment
from tests.campaigns.contractor_world import build
from tests.campaigns.test_jobs_overlap import all_at_once
from tests.conftest import PG_URL, csrf_token, sign_in
from tests.factories import make_edition, make_user

MAY_7 = datetime(2026, 5, 7, 1, tzinfo=UTC)  # 10:00 in Tokyo


@pytest.fixture
def world(db):
    world = build(db)
    clock.freeze(MAY_7)
    # A contract of Meter Services that has not started yet: never offered.
    contractors.add_contract(
        db,
        None,
        world.meter,
        reference="C-LATER",
        sponsor_code="R-CC",
        owner_employee_no="COMP",
        starts_on=date(2026, 10, 1),
        ends_on=date(2027, 3, 31),
    )
    db.commit()
    yield world
    clock.freeze(None)


def page_of(world, person) -> str:
    return f"/contractors/{world.meter.id}/staff/{person.id}/move"


def officer(app, world):
    client = app.test_client()
    assert sign_in(client, world.compliance.employee_no).status_code == 302
    return client


def send(client, world, person, contract, ends_on="", confirmed=True, from_contract=None):
    path = page_of(world, person)
    data = {
        "csrf_token": csrf_token(client, path),
        "contract": str(contract.id),
        "ends_on": ends_on,
        "from_contract": str(from_contract or world.grid_contract.id),
    }
    if confirmed:
        data["confirmed"] = "1"
    return client.post(path, data=data)


def moves(db, person) -> int:
    return db.scalar(select(func.count()).select_from(PersonnelEvent).where(PersonnelEvent.user_id == person.id))


def test_only_the_companys_other_running_contracts_are_offered_and_linked_from_the_staff_list(app, db, world):
    client = officer(app, world)
    m1 = world.staff["M1"]
    listing = client.get(f"/contractors/{world.meter.id}/contracts/{world.grid_contract.id}").get_data(as_text=True)
    assert f'href="{page_of(world, m1)}"' in listing
    assert f'href="{page_of(world, world.staff["M4"])}"' not in listing  # access ended: no move offered
    html = client.get(page_of(world, m1)).get_data(as_text=True)
    offered = re.findall(r'<option[^>]*value="(\d+)"', html)
    assert offered == [str(world.retail_contract.id)]  # not C-G (theirs), C-LATER (not started), C-T (Demo Tele)
    assert client.get(f"/contractors/{world.tele.id}/staff/{m1.id}/move").status_code == 404  # another company
    assert client.get(f"/contractors/{world.meter.id}/staff/{world.employees['EG'].id}/move").status_code == 404


def test_a_move_is_confirmed_first_then_made_once_whatever_the_clicks(app, db, world):
    client = officer(app, world)
    m1 = world.staff["M1"]
    check = send(client, world, m1, world.retail_contract, confirmed=False)
    text = check.get_data(as_text=True)
    assert check.status_code == 200 and "Not moved yet" in text
    assert "Network Operations → Customer Call Centre" in text and "transfer rule" in text
    db.expire_all()
    assert db.get(User, m1.id).contract_id == world.grid_contract.id and moves(db, m1) == 0

    done = send(client, world, m1, world.retail_contract)
    assert done.status_code == 302
    assert done.location.endswith(f"/contractors/{world.meter.id}/contracts/{world.retail_contract.id}")
    again = send(client, world, m1, world.retail_contract)  # the double click: the same post once more
    assert again.status_code == 302 and again.location == done.location
    db.expire_all()
    moved = db.get(User, m1.id)
    assert (moved.contract_id, moved.ends_on) == (world.retail_contract.id, date(2026, 9, 30))
    (event,) = db.scalars(select(PersonnelEvent).where(PersonnelEvent.user_id == m1.id)).all()
    assert (event.kind, event.from_department_id, event.to_department_id) == (
        "transfer",
        world.network.id,
        world.call_centre.id,
    )
    trail = db.scalars(select(AuditEvent).where(AuditEvent.action == "contractor_staff_moved")).all()
    assert [(e.actor_id, json.loads(e.details)["from"], json.loads(e.details)["to"]) for e in trail] == [
        (world.compliance.id, "C-G", "C-R")
    ]
    page = client.get(done.location).get_data(as_text=True)
    assert "they were moved once" in page and "委託 M1" in page  # listed under C-R now

    # A form opened before someone else moved the person names where they are now and changes nothing.
    stale = send(client, world, m1, world.grid_contract)
    assert stale.status_code == 400 and "is on contract C-R now" in stale.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, m1.id).contract_id == world.retail_contract.id and moves(db, m1) == 1


def test_a_refused_end_day_names_the_field_and_the_contracts_end_in_both_languages(app, db, world):
    short = contractors.add_contract(
        db,
        None,
        world.meter,
        reference="C-SHORT",
        sponsor_code="R-CC",
        owner_employee_no="COMP",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 8, 31),  # before M1's end day of 30 September
    )
    db.commit()
    client = officer(app, world)
    m1 = world.staff["M1"]
    kept = send(client, world, m1, short, confirmed=False)  # their own end day is too late
    text = kept.get_data(as_text=True)
    assert kept.status_code == 400
    assert (
        "New last day of access" in text
        and "New last day of access (optional): The end date cannot be after the contract&#39;s end (Aug 31, 2026)."
        in text
    )
    later = send(client, world, m1, short, ends_on="2026-12-31")  # even when confirmed
    assert later.status_code == 400 and "(Aug 31, 2026)" in later.get_data(as_text=True)
    world.compliance.locale = "ja"
    db.commit()
    ja = send(client, world, m1, short, ends_on="2026-12-31").get_data(as_text=True)
    assert "新しいアクセス最終日" in ja and "契約の終了日（2026/08/31）より後にすることはできません" in ja
    ended = send(client, world, world.staff["M4"], short)
    assert ended.status_code == 400 and "アクセスは 2026/04/01 に終了しています" in ended.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, m1.id).contract_id == world.grid_contract.id and moves(db, m1) == 0
    fits = send(client, world, m1, short, ends_on="2026-08-31")
    assert fits.status_code == 302
    db.expire_all()
    assert db.get(User, m1.id).ends_on == date(2026, 8, 31)


def test_who_may_move_staff(app, db, world):
    admin = make_user(db, "admin", employee_no="ADM")
    head = make_user(db, "manager", department=world.network, scope=world.network, employee_no="HEAD")
    db.commit()
    m1 = world.staff["M1"]
    for number, status in (("ADM", 200), ("HEAD", 403), (world.staff["M2"].employee_no, 403)):
        client = app.test_client()
        sign_in(client, number)
        assert client.get(page_of(world, m1)).status_code == status, number
    assert admin.id and head.id
    client = app.test_client()
    sign_in(client, "HEAD")
    refused = client.post(
        page_of(world, m1),
        data={"csrf_token": csrf_token(client, "/"), "contract": str(world.retail_contract.id), "confirmed": "1"},
    )
    assert refused.status_code == 403
    db.expire_all()
    assert db.get(User, m1.id).contract_id == world.grid_contract.id


def test_a_moved_person_counts_under_the_new_contract_in_the_contractors_section(app, db, world):
    campaign = create_campaign(db, world.draft(Rule("company", world.meter.id)), world.compliance.id)
    launch(db, campaign, world.compliance.id)  # M1, M2 on C-G; M3 on C-R
    db.commit()
    assert send(officer(app, world), world, world.staff["M1"], world.retail_contract).status_code == 302
    db.expire_all()
    rows = contractor_report.section(db, campaign.id, contractor_report.ContractorScope(None), "en")
    by_key = {(r.company_code, r.sponsor_code): (r.contracts, r.total.people) for r in rows}
    assert by_key == {("K-METER", "G-NET"): (["C-G"], 1), ("K-METER", "R-CC"): (["C-R"], 2)}
    people = contractor_report.people(
        db, campaign.id, world.meter.id, contractor_report.ContractorScope(None), world.call_centre.id
    )
    assert sorted(p.user_id for p in people) == sorted([world.staff["M1"].id, world.staff["M3"].id])


def test_the_transfer_rule_assigns_the_retail_sides_modules_to_a_person_moved_on_the_page(app, db, world):
    firewall, rules = world.edition, make_edition(db, slug="rules")
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
    mover = world.staff["M1"]
    assert send(officer(app, world), world, mover, world.retail_contract).status_code == 302
    db.expire_all()
    process_personnel_events(db)
    db.commit()
    (outcome,) = db.scalars(select(TransferRuleOutcome)).all()
    assert (outcome.user_id, outcome.outcome, outcome.reason) == (mover.id, "assigned", "moved")
    made = db.get(Assignment, outcome.assignment_id)
    assert (made.edition_id, made.reason, made.contract_id, made.department_id) == (
        firewall.id,
        "transfer_rule",
        world.retail_contract.id,
        None,
    )
    mine = {a.edition_id for a in db.scalars(select(Assignment).where(Assignment.user_id == mover.id))}
    assert mine == {firewall.id, rules.id}  # the retail side's modules: the rule's and the campaign's own
    assert process_personnel_events(db) == 0  # the next run: nothing twice


@pytest.mark.skipif(not PG_URL, reason="two moves really overlapping are PostgreSQL's (SQLite serialises writers)")
def test_two_identical_moves_at_the_same_moment_move_once(app, db, world):
    m1 = world.staff["M1"]
    client = officer(app, world)
    twin = app.test_client()  # a double click: one browser, one session (a second sign-in would reuse the TOTP code)
    path = page_of(world, m1)
    token = csrf_token(client, path)
    twin.set_cookie("portal", client.get_cookie("portal").value)
    clients = [client, twin]
    bodies = [
        {
            "csrf_token": token,
            "contract": str(world.retail_contract.id),
            "ends_on": "",
            "from_contract": str(world.grid_contract.id),
            "confirmed": "1",
        }
        for _ in clients
    ]
    answers = []
    pending = list(zip(clients, bodies, strict=True))

    def one():
        who, body = pending.pop()
        answers.append(who.post(path, data=body))

    assert all_at_once(2, one) == []
    assert sorted(a.status_code for a in answers) == [302, 302]
    db.expire_all()
    assert db.get(User, m1.id).contract_id == world.retail_contract.id
    assert moves(db, m1) == 1
    trail = db.scalars(select(AuditEvent).where(AuditEvent.action == "contractor_staff_moved")).all()
    assert len(trail) == 1
