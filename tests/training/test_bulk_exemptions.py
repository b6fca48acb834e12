"""Exemptions in bulk: one person from every module of a campaign, a CSV list with a dry run (every bad line
named, nothing applied unless all are right), ending them in bulk; each one the single Exemption record."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.audit.models import AuditEvent
from learning.training import bulk_exemptions as bulk
from learning.training.models import Assignment, Exemption
from tests.conftest import csrf_token, sign_in
from tests.factories import make_department, make_edition, make_launched_campaign, make_user
from tests.test_create_once import _at_once, _Forms, double_click


@pytest.fixture
def setting(db):
    clock.freeze(datetime(2026, 5, 1, 1, tzinfo=UTC))
    branch = make_department(db, code="BR")
    people = [make_user(db, department=branch, employee_no=f"E{i}", name=f"社員 {i}") for i in range(1, 4)]
    compliance = make_user(db, "compliance", department=branch)
    campaign = make_launched_campaign(db, [make_edition(db, slug="rules"), make_edition(db, slug="gifts")])
    other = make_launched_campaign(db, [make_edition(db, slug="other")], name_ja="別", name_en="Other")
    outsider = make_user(db, department=branch, employee_no="OUT")  # joined after both launches
    db.commit()
    return {"people": people, "compliance": compliance, "campaign": campaign, "other": other, "outsider": outsider}


def officer(app, setting):
    client = app.test_client()
    assert sign_in(client, setting["compliance"].employee_no).status_code == 302
    return client


def upload(client, campaign_id, data: bytes, **fields):
    token = csrf_token(client, f"/campaigns/{campaign_id}/exemptions")
    form = {"action": "exempt", "reason": "長期休職", "until": "2026-09-30", **fields}
    return client.post(
        f"/campaigns/{campaign_id}/exemptions",
        data={**form, "file": (io.BytesIO(data), "list.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )


def exemptions(db, **where):
    db.expire_all()
    query = select(func.count()).select_from(Exemption)
    for name, value in where.items():
        query = query.where(getattr(Exemption, name) == value)
    return db.scalar(query)


def test_one_person_from_every_module_of_a_campaign_once_then_back(app, db, setting):
    client = officer(app, setting)
    person, campaign = setting["people"][0], setting["campaign"]
    page = "/people?q=E1"
    action = f"/campaigns/{campaign.id}/people/{person.id}/exemptions"
    first, second = double_click(
        app, client, page, action, {"action": "exempt", "reason": "育児休業", "until": "2026-12-31"}
    )
    assert first.location == second.location == page
    assert exemptions(db, user_id=person.id, ended_at=None) == 2  # both modules, once each
    held = db.scalars(select(Assignment).where(Assignment.user_id == person.id)).all()
    assert {(a.campaign_id, a.status) for a in held} == {(campaign.id, "exempt"), (setting["other"].id, "assigned")}
    assert {a.exempt_reason for a in held if a.status == "exempt"} == {"育児休業"}
    bulk_event = db.scalar(select(AuditEvent).where(AuditEvent.action == "exemptions_granted_in_bulk"))
    assert json.loads(bulk_event.details)["assignments"] == 2
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "exemption_granted")) == 2
    shown = client.get(page).get_data(as_text=True)
    assert "All modules of a campaign at once" in shown

    ended = client.post(action, data={"action": "end", "csrf_token": csrf_token(client, page)})
    assert ended.status_code == 302
    assert exemptions(db, user_id=person.id, ended_at=None) == 0
    assert exemptions(db, user_id=person.id, ended_how="lifted") == 2  # kept for good, with how they ended


def test_exempting_needs_a_reason_and_a_date_not_past(app, db, setting):
    client = officer(app, setting)
    person, campaign = setting["people"][0], setting["campaign"]
    action = f"/campaigns/{campaign.id}/people/{person.id}/exemptions"
    token = csrf_token(client, "/people?q=E1")
    no_reason = client.post(
        action, data={"action": "exempt", "reason": " ", "until": "2026-12-31", "csrf_token": token}
    )
    past = client.post(action, data={"action": "exempt", "reason": "休職", "until": "2026-04-01", "csrf_token": token})
    assert no_reason.status_code == past.status_code == 302
    page = client.get("/people?q=E1").get_data(as_text=True)
    assert "Give the reason for the exemption." in page and "The end date must not be in the past." in page
    assert exemptions(db) == 0


def test_a_list_with_bad_lines_names_every_one_and_applies_nothing(app, db, setting):
    client = officer(app, setting)
    campaign = setting["campaign"]
    bulk.apply(db, campaign.id, [(0, "E3")], "exempt", setting["compliance"].id, "出向", clock.now())
    db.commit()
    data = "employee_no,name\nE1,社員 1\nNOBODY,誰\nOUT,後から\nE1,重複\nE3,既に\nbad no!,x\n,名前だけ\n\n".encode(
        "cp932"
    )
    response = upload(client, campaign.id, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "6 lines cannot be applied" in page
    assert "Line 3: No one has the employee number NOBODY." in page
    assert "Line 4: OUT has no assignment in this campaign." in page
    assert "Line 5: E1 is listed twice (first on line 2)." in page
    assert "Line 6: E3 is already exempt from every open module of this campaign." in page
    assert "Line 7: “bad no!” is not an employee number." in page
    assert "Line 8: The line has no employee number in its first column." in page  # the blank line 9 skipped
    assert "Apply to these" not in page
    assert exemptions(db) == 2  # E3's two from before; nothing new


def test_a_list_dry_run_then_apply_once_then_end_in_bulk(app, db, setting):
    client = officer(app, setting)
    campaign = setting["campaign"]
    data = "\ufeffemployee_no\r\nE1\r\nE2\r\n".encode()
    dry = upload(client, campaign.id, data)
    page = dry.get_data(as_text=True)
    assert dry.status_code == 200 and "Dry run: nothing has been changed yet" in page
    assert "Modules (2): rules course, gifts course" in page
    assert exemptions(db) == 0
    parser = _Forms()
    parser.feed(page)
    action, hidden = next((a, h) for a, h in parser.forms if a and a.endswith("/apply"))
    responses = _at_once(app, client, action, hidden, f"/campaigns/{campaign.id}/exemptions")
    assert [r.status_code for r in responses] == [302, 302]
    assert exemptions(db, ended_at=None) == 4  # two people, two modules, once
    assert {e.until.date() for e in db.scalars(select(Exemption))} == {date(2026, 9, 30)}
    events = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("exemptions_%"))).all()
    assert events == ["exemptions_granted_in_bulk"]

    ending = upload(client, campaign.id, data, action="end", reason="", until="")
    parser = _Forms()
    parser.feed(ending.get_data(as_text=True))
    assert ending.status_code == 200
    action, hidden = next((a, h) for a, h in parser.forms if a and a.endswith("/apply"))
    assert client.post(action, data=hidden).status_code == 302
    assert exemptions(db, ended_at=None) == 0


def test_the_list_is_checked_again_when_applied(db, setting):
    """Between the dry run and Apply someone exempted E2 by hand: the whole list is refused."""
    campaign, actor = setting["campaign"], setting["compliance"].id
    numbers = bulk.read_numbers(b"employee_no\nE1\nE2\n")
    assert all(line.problem is None for line in bulk.plan(db, campaign.id, numbers, "exempt"))
    bulk.apply(db, campaign.id, [(0, "E2")], "exempt", actor, "出向", clock.now())
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.apply(db, campaign.id, numbers, "exempt", actor, "休職", clock.now())
    assert [(line.line, line.problem) for line in refused.value.lines] == [(3, "already_exempt")]
    assert exemptions(db, user_id=setting["people"][0].id) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"number\nE1\n", "The first line must be the header"),
        (b"employee_no\n", "The file lists no employee numbers."),
        (b"employee_no\n\xff\xfe\xfa\n", "neither UTF-8 nor Shift_JIS"),
    ],
)
def test_a_file_that_is_no_list_is_refused_with_a_message(app, db, setting, data, message):
    client = officer(app, setting)
    response = upload(client, setting["campaign"].id, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
