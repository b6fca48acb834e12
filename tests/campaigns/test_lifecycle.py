"""Issue 16 items 1 and 2: a campaign's life (edit, delete, copy, extend, close early, cancel) and a launch that
says what it will do and what it did, counted by the same rule assign() applies."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.models import AuditEvent
from learning.campaigns import extensions, lifecycle, preview
from learning.campaigns.models import Campaign, DueExtensionItem
from learning.campaigns.periods import end_of_day
from learning.campaigns.services import create_campaign
from learning.training.models import Assignment
from tests.campaigns.test_campaign_pages import FORM
from tests.conftest import PG_URL, post, sign_in
from tests.factories import (
    campaign_draft,
    make_assignment,
    make_department,
    make_edition,
    make_launched_campaign,
    make_user,
)

APRIL = datetime(2026, 4, 1, 3, tzinfo=UTC)  # noon in Tokyo, 1 April 2026


@pytest.fixture
def org(db):
    clock.freeze(APRIL)
    root = make_department(db, code="R")
    branch = make_department(db, code="R-BR", parent=root)
    other = make_department(db, code="R-OT", parent=root)
    compliance = make_user(db, "compliance", department=root)
    people = [make_user(db, department=branch) for _ in range(4)] + [make_user(db, department=other)]
    rules, privacy = make_edition(db, slug="rules"), make_edition(db, slug="privacy")
    db.commit()
    return {"root": root, "branch": branch, "other": other, "compliance": compliance, "people": people,
            "rules": rules, "privacy": privacy}  # fmt: skip


def office(app, org):
    client = app.test_client()
    sign_in(client, org["compliance"].employee_no)
    return client


def event(db, action):
    return db.scalar(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc()))


def test_launch_preview_counts_equal_what_launch_does(db, org):
    """Each way of being "already covered", a person covered by another campaign among them: the preview's
    counts per module are exactly what the launch then assigns and records."""
    rules, privacy = org["rules"], org["privacy"]
    completed, exempt, before_period, fresh, open_elsewhere = org["people"]
    make_launched_campaign(db, [rules], org["compliance"].id, name_ja="別", name_en="Other",
                           whole_organisation=False, include_ids=[org["other"].id])  # fmt: skip
    # Moved into the branch since: covered by the other campaign's open assignment.
    open_elsewhere.department_id = org["branch"].id
    make_assignment(db, completed, rules, status="completed", completed_at=APRIL + timedelta(hours=1))
    make_assignment(db, exempt, privacy, status="exempt", exempt_reason="休職", exempt_until=APRIL + timedelta(days=90))
    make_assignment(db, before_period, rules, status="completed", completed_at=APRIL - timedelta(days=30))
    draft = create_campaign(
        db, campaign_draft([rules, privacy], whole_organisation=False, include_ids=[org["branch"].id]),
        org["compliance"].id,
    )  # fmt: skip
    db.commit()
    lines = {line.module_id: line for line in preview.forecast(db, draft)}
    assert (lines[rules.module_id].audience, lines[rules.module_id].to_assign) == (5, 3)
    assert (lines[rules.module_id].open_elsewhere, lines[rules.module_id].completed) == (1, 1)
    assert (lines[privacy.module_id].to_assign, lines[privacy.module_id].exempt) == (4, 1)

    created = lifecycle.launch_draft(db, draft.id, org["compliance"].id, date(2026, 4, 1))
    db.commit()
    for module_id, line in lines.items():
        edition_id = line.edition_id
        made = db.scalars(
            select(Assignment.user_id).where(Assignment.campaign_id == draft.id, Assignment.edition_id == edition_id)
        ).all()
        assert len(made) == line.to_assign, module_id
    assert created == 3 + 4
    assert fresh.id in db.scalars(select(Assignment.user_id).where(Assignment.campaign_id == draft.id)).all()
    recorded = preview.launch_record(db, draft.id)
    assert recorded.assignments == 7
    by_module = {line["module_id"]: line for line in recorded.lines}
    assert by_module[rules.module_id] == {
        "module_id": rules.module_id, "edition_id": rules.id, "audience": 5, "exempt": 0, "open_elsewhere": 1,
        "completed": 1, "to_assign": 3, "assigned": 3,
    }  # fmt: skip
    assert by_module[privacy.module_id]["assigned"] == by_module[privacy.module_id]["to_assign"] == 4


def test_the_page_explains_the_launch_before_and_after(app, db, org):
    client = office(app, org)
    response = post(client, "/campaigns/new", {**FORM, "modules": [str(org["rules"].module_id)]})
    assert response.status_code == 302
    campaign = db.scalar(select(Campaign))
    page = client.get(response.location).get_data(as_text=True)
    assert "What launching will do" in page and "Already covered means:" in page
    assert "open (assigned or in progress) in another campaign" in page
    for link in (f"/campaigns/{campaign.id}/edit", f"/campaigns/{campaign.id}/copy", f"target_id={campaign.id}"):
        assert link in page, link
    assert f"/reports/campaigns/{campaign.id}" not in page  # a draft has no report yet
    launched = post(client, f"/campaigns/{campaign.id}/launch")
    page = client.get(launched.location).get_data(as_text=True)
    assert "Launched: 6 assignments created." in page
    assert "What the launch did" in page and "Assigned at launch" in page
    assert f"/reports/campaigns/{campaign.id}/people" in page and f'href="/reports/campaigns/{campaign.id}"' in page
    assert f"/audit?target_type=campaign&amp;target_id={campaign.id}" in page
    trail = client.get(f"/audit?target_type=campaign&target_id={campaign.id}").get_data(as_text=True)
    assert "Campaign launched" in trail and "Already covered: open in another campaign" in trail


def test_a_draft_is_edited_once_and_a_launched_campaign_not_at_all(app, db, org):
    client = office(app, org)
    post(client, "/campaigns/new", {**FORM, "modules": [str(org["rules"].module_id)]})
    campaign = db.scalar(select(Campaign))
    form = client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'name="revision" type="hidden" value="1"' in form and 'value="2026年度 行為規制研修"' in form
    edited = {**FORM, "name_en": "FY2026 training, edited", "revision": "1",
              "modules": [str(org["rules"].module_id), str(org["privacy"].module_id)]}  # fmt: skip
    assert post(client, f"/campaigns/{campaign.id}/edit", edited).status_code == 302
    db.expire_all()
    campaign = db.get(Campaign, campaign.id)
    assert campaign.revision == 2 and campaign.name_en == "FY2026 training, edited" and len(campaign.modules) == 2
    # The same page sent again (another editor's older copy): refused, nothing overwritten, the input kept.
    stale = post(client, f"/campaigns/{campaign.id}/edit", {**edited, "name_en": "Older page"})
    assert stale.status_code == 409
    assert "Someone else changed this draft after you opened it." in stale.get_data(as_text=True)
    assert 'value="Older page"' in stale.get_data(as_text=True)
    db.expire_all()
    assert db.get(Campaign, campaign.id).name_en == "FY2026 training, edited"
    assert json.loads(event(db, "campaign_edited").details) == {"revision": 2}

    post(client, f"/campaigns/{campaign.id}/launch")
    refused = post(client, f"/campaigns/{campaign.id}/edit", {**edited, "revision": "2", "modules": []})
    assert refused.status_code == 302
    page = client.get(refused.location).get_data(as_text=True)
    assert "its modules, audience and window can no longer be edited. Copy it instead" in page
    db.expire_all()
    assert len(db.get(Campaign, campaign.id).modules) == 2
    assert "Copy it instead" in client.get(f"/campaigns/{campaign.id}/edit", follow_redirects=True).get_data(
        as_text=True
    )
    deleted = post(client, f"/campaigns/{campaign.id}/delete", {"revision": "2"})
    assert "Copy it instead" in client.get(deleted.location).get_data(as_text=True)
    assert db.get(Campaign, campaign.id) is not None


def test_a_draft_is_deleted_only_at_the_revision_shown(app, db, org):
    client = office(app, org)
    post(client, "/campaigns/new", {**FORM, "modules": [str(org["rules"].module_id)]})
    campaign_id = db.scalar(select(Campaign.id))
    page = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Delete the draft" in page
    stale = post(client, f"/campaigns/{campaign_id}/delete", {"revision": "7"})
    assert "Someone else changed this draft" in client.get(stale.location).get_data(as_text=True)
    done = post(client, f"/campaigns/{campaign_id}/delete", {"revision": "1"})
    assert done.status_code == 302 and done.location == "/campaigns"
    db.expire_all()
    assert db.get(Campaign, campaign_id) is None
    assert json.loads(event(db, "campaign_deleted").details)["name"] == "2026年度 行為規制研修"
    assert client.get(f"/campaigns/{campaign_id}").status_code == 404


def test_a_copy_proposes_the_next_period_and_saves_a_new_draft(app, db, org):
    old = make_launched_campaign(db, [org["rules"]], org["compliance"].id)
    db.commit()
    clock.freeze(datetime(2027, 2, 1, 3, tzinfo=UTC))
    client = office(app, org)
    form = client.get(f"/campaigns/{old.id}/copy").get_data(as_text=True)
    assert 'value="2027年度 行為規制研修"' in form and 'value="FY2027 conduct-rule training"' in form
    assert 'value="2027-04-01"' in form and 'value="2027-06-30"' in form
    assert f'name="copy_of" type="hidden" value="{old.id}"' in form
    data = {**FORM, "name_ja": "2027年度 行為規制研修", "name_en": "FY2027 conduct-rule training",
            "opens_on": "2027-04-01", "due_on": "2027-06-30", "modules": [str(org["rules"].module_id)],
            "copy_of": str(old.id)}  # fmt: skip
    saved = post(client, "/campaigns/new", data)
    assert saved.status_code == 302
    copy = db.scalar(select(Campaign).where(Campaign.id != old.id))
    assert copy.status == "draft" and copy.period_start == date(2027, 4, 1) and copy.series_id == copy.id
    assert json.loads(event(db, "campaign_created").details) == {"copy_of": old.id}


def test_half_filled_rules_and_past_windows_are_refused_naming_the_field(app, db, org):
    client = office(app, org)
    module = str(org["rules"].module_id)
    half = post(client, "/campaigns/new", {**FORM, "modules": module, "transfer_from": str(org["branch"].id),
                                           "transfer_to": str(org["other"].id)})  # fmt: skip
    assert half.status_code == 400
    assert "Extra modules for those moves: A transfer rule needs at least one module" in half.get_data(as_text=True)
    no_into = post(client, "/campaigns/new", {**FORM, "modules": module, "transfer_from": str(org["branch"].id),
                                              "transfer_modules": module})  # fmt: skip
    assert "…into: A transfer rule needs the department people move into" in no_into.get_data(as_text=True)
    past = post(client, "/campaigns/new", {**FORM, "modules": module, "opens_on": "2025-01-01", "due_on": "2025-02-01"})
    assert past.status_code == 400
    assert "Opens on: The opening date must not be in the past (today is allowed)." in past.get_data(as_text=True)
    assert "Due on: The due date must not be in the past." in past.get_data(as_text=True)
    assert db.scalar(select(Campaign)) is None
    # A draft saved in time whose window has since passed is not launched.
    assert post(client, "/campaigns/new", {**FORM, "modules": module}).status_code == 302
    campaign_id = db.scalar(select(Campaign.id))
    clock.freeze(datetime(2026, 7, 2, 3, tzinfo=UTC))
    client = office(app, org)
    launched = post(client, f"/campaigns/{campaign_id}/launch")
    assert "The opening date must not be in the past" in client.get(launched.location).get_data(as_text=True)
    db.expire_all()
    assert db.get(Campaign, campaign_id).status == "draft"


def test_due_dates_are_extended_with_a_reason_and_the_original_kept(app, db, org):
    campaign = make_launched_campaign(db, [org["rules"]], org["compliance"].id)
    db.commit()
    client = office(app, org)
    first, *_rest, outsider = org["people"]
    url = f"/campaigns/{campaign.id}/extend"
    earlier = post(client, url, {"scope": "person", "employee_no": first.employee_no, "due_on": "2026-06-01",
                                 "reason": "育児休業から復帰"})  # fmt: skip
    assert earlier.status_code == 400
    # The current due date as dates read everywhere else, in the reader's language (never ISO).
    assert "New due date: The new due date must be after the current due date (Jun 30, 2026)." in earlier.get_data(
        as_text=True
    )
    org["compliance"].locale = "ja"
    db.commit()
    in_japanese = post(client, url, {"scope": "person", "employee_no": first.employee_no, "due_on": "2026-06-01",
                                     "reason": "育児休業から復帰"})  # fmt: skip
    assert in_japanese.status_code == 400
    assert "2026年6月30日" in in_japanese.get_data(as_text=True)
    assert "2026-06-30" not in in_japanese.get_data(as_text=True)
    org["compliance"].locale = "en"
    db.commit()
    nobody = post(client, url, {"scope": "person", "employee_no": "NOPE", "due_on": "2026-07-31", "reason": "x"})
    assert "Employee number: No one has the employee number NOPE." in nobody.get_data(as_text=True)
    no_reason = post(client, url, {"scope": "campaign", "due_on": "2026-07-31", "reason": ""})
    assert no_reason.status_code == 400 and "Reason for the extension: This field is required." in no_reason.get_data(
        as_text=True
    )
    done = post(client, url, {"scope": "person", "employee_no": first.employee_no, "due_on": "2026-07-31",
                              "reason": "育児休業から復帰"})  # fmt: skip
    assert done.status_code == 302
    assert "Due date extended for 1 assignments." in client.get(done.location).get_data(as_text=True)
    department = post(client, url, {"scope": "department", "department": str(org["branch"].id),
                                    "due_on": "2026-07-15", "reason": "繁忙期"})  # fmt: skip
    assert department.status_code == 302
    mine = {a.user_id: a for a in db.scalars(select(Assignment).where(Assignment.campaign_id == campaign.id))}
    db.expire_all()
    assert db.get(Assignment, mine[first.id].id).due_at == end_of_day(date(2026, 7, 31))  # never moved back
    assert db.get(Assignment, mine[org["people"][1].id].id).due_at == end_of_day(date(2026, 7, 15))
    assert db.get(Assignment, mine[outsider.id].id).due_at == end_of_day(date(2026, 6, 30))
    assert extensions.original_due(db, [mine[first.id].id]) == {mine[first.id].id: end_of_day(date(2026, 6, 30))}
    everyone = post(client, url, {"scope": "campaign", "due_on": "2026-07-20", "reason": "システム停止"})
    assert everyone.status_code == 302
    db.expire_all()
    assert db.get(Campaign, campaign.id).due_on == date(2026, 7, 20)
    assert db.get(Assignment, mine[outsider.id].id).due_at == end_of_day(date(2026, 7, 20))
    details = json.loads(event(db, "due_date_extended").details)
    assert details == {"scope": "campaign", "due_on": "2026-07-20", "reason": "システム停止", "assignments": 5}
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Due dates extended" in page and "育児休業から復帰" in page and "繁忙期" in page
    person = client.get(f"/people?q={first.employee_no}").get_data(as_text=True)
    assert "(extended; originally Jun 30, 2026)" in person


def test_closing_early_keeps_and_cancelling_withdraws_open_assignments(app, db, org):
    from learning.training import services as training

    kept = make_launched_campaign(db, [org["rules"]], org["compliance"].id)
    gone = make_launched_campaign(db, [org["privacy"]], org["compliance"].id, name_en="Second", name_ja="二")
    finished = db.scalar(select(Assignment).where(Assignment.campaign_id == gone.id).limit(1))
    finished.status, finished.completed_at = "completed", clock.now()
    db.commit()
    client = office(app, org)
    no_reason = post(client, f"/campaigns/{kept.id}/close", {"reason": " "})
    assert no_reason.status_code == 400
    assert "Reason: This field is required." in no_reason.get_data(as_text=True)
    assert post(client, f"/campaigns/{kept.id}/close", {"reason": "組織再編のため前倒し"}).status_code == 302
    db.expire_all()
    closed = db.get(Campaign, kept.id)
    assert (closed.status, closed.ended_how, closed.ended_reason) == ("closed", "closed_early", "組織再編のため前倒し")
    rows = db.scalars(select(Assignment).where(Assignment.campaign_id == kept.id)).all()
    assert len(rows) == 6 and all(a.frozen_at and a.withdrawn_at is None for a in rows)

    cancelled = post(client, f"/campaigns/{gone.id}/cancel", {"reason": "誤って作成"})
    assert "5 open assignments withdrawn" in client.get(cancelled.location).get_data(as_text=True)
    db.expire_all()
    rows = db.scalars(select(Assignment).where(Assignment.campaign_id == gone.id)).all()
    assert sorted((a.status, a.withdrawn_reason) for a in rows) == [("assigned", "cancelled")] * 5 + [
        ("completed", None)
    ]
    assert db.get(Campaign, gone.id).ended_how == "cancelled"
    assert json.loads(event(db, "campaign_cancelled").details) == {"reason": "誤って作成", "withdrawn": 5}
    again = post(client, f"/campaigns/{gone.id}/cancel", {"reason": "二度目"})
    assert "Only a running campaign" in client.get(again.location).get_data(as_text=True)
    learner = org["people"][4]
    assert [a for a in training.my_assignments(db, learner.id) if a.campaign_id == gone.id and a.is_open] == []


@pytest.mark.skipif(not PG_URL, reason="row-lock waits are PostgreSQL's (SQLite serialises writers)")
def test_two_extensions_at_once_are_applied_one_after_the_other(app, db, org):
    campaign = make_launched_campaign(db, [org["rules"]], org["compliance"].id)
    db.commit()
    person = org["people"][0]
    engine = app.extensions["db"].engine
    barrier, errors = threading.Barrier(2), []

    def extending(day):
        with Session(engine) as session:
            barrier.wait()
            try:
                extensions.extend(session, campaign.id, "person", day, "並行", org["compliance"].id, user_id=person.id)
                session.commit()
            except lifecycle.LifecycleError as exc:
                errors.append(exc.code)

    threads = [threading.Thread(target=extending, args=(day,)) for day in (date(2026, 7, 10), date(2026, 7, 20))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    items = db.scalars(select(DueExtensionItem).order_by(DueExtensionItem.id)).all()
    # The second waited for the first: it recorded the date the first set, never the original twice.
    assert errors in ([], ["extension_before_due"])
    previous = [item.previous_due_at for item in items]
    assert previous[0] == end_of_day(date(2026, 6, 30)) and len(set(previous)) == len(previous)
    if len(items) == 2:
        assert items[1].previous_due_at == items[0].new_due_at


@pytest.mark.skipif(not PG_URL, reason="row-lock waits are PostgreSQL's (SQLite serialises writers)")
def test_a_launch_and_an_edit_at_once_never_edit_a_launched_campaign(app, db, org):
    draft = create_campaign(db, campaign_draft([org["rules"]]), org["compliance"].id)
    db.commit()
    engine = app.extensions["db"].engine
    barrier, outcomes = threading.Barrier(2), {}

    def launching():
        with Session(engine) as session:
            barrier.wait()
            outcomes["launch"] = lifecycle.launch_draft(session, draft.id, org["compliance"].id, date(2026, 4, 1))
            session.commit()

    def editing():
        with Session(engine) as session:
            barrier.wait()
            edited = campaign_draft([org["rules"], org["privacy"]])
            try:
                lifecycle.update_draft(session, draft.id, 1, edited, org["compliance"].id, date(2026, 4, 1))
                session.commit()
                outcomes["edit"] = "saved"
            except lifecycle.LifecycleError as exc:
                outcomes["edit"] = exc.code

    threads = [threading.Thread(target=launching), threading.Thread(target=editing)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.expire_all()
    campaign = db.get(Campaign, draft.id)
    assert campaign.status == "running"
    modules = {cm.module_id for cm in campaign.modules}
    made = set(db.scalars(select(Assignment.edition_id).where(Assignment.campaign_id == draft.id)))
    if outcomes["edit"] == "saved":  # the edit came first: the launch launched the edited draft, both modules
        assert modules == {org["rules"].module_id, org["privacy"].module_id} and len(made) == 2
    else:
        assert outcomes["edit"] == "not_a_draft" and modules == {org["rules"].module_id} and len(made) == 1


def test_double_clicks_on_edit_and_cancel_land_on_the_first_result(app, db, org):
    import re

    client = office(app, org)
    post(client, "/campaigns/new", {**FORM, "modules": [str(org["rules"].module_id)]})
    campaign_id = db.scalar(select(Campaign.id))
    form = client.get(f"/campaigns/{campaign_id}/edit").get_data(as_text=True)
    token = re.search(r'name="once" value="([^"]+)"', form).group(1)
    edited = {**FORM, "name_en": "Edited", "revision": "1", "once": token, "modules": [str(org["rules"].module_id)]}
    first, second = (post(client, f"/campaigns/{campaign_id}/edit", edited) for _ in range(2))
    assert (first.status_code, second.status_code) == (302, 302) and first.location == second.location
    db.expire_all()
    assert db.get(Campaign, campaign_id).revision == 2
    assert "Someone else changed" not in client.get(second.location).get_data(as_text=True)

    post(client, f"/campaigns/{campaign_id}/launch")
    page = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    tokens = re.findall(r'name="once" value="([^"]+)"', page)
    cancel = {"reason": "誤って作成", "once": tokens[-1]}  # the cancel form is the last on the page
    first, second = (post(client, f"/campaigns/{campaign_id}/cancel", cancel) for _ in range(2))
    assert (first.status_code, second.status_code) == (302, 302)
    assert "Only a running campaign" not in client.get(second.location).get_data(as_text=True)
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "campaign_cancelled")) is not None
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "campaign_cancelled")).all()) == 1
