"""Pledges in the browser: compliance picks a published pledge in the campaign form, the campaign page counts
it, the learner's home page shows it due with its date until they sign, the office exempts with a reason."""

from datetime import UTC, datetime

from sqlalchemy import select

from learning import clock
from learning.audit.models import AuditEvent
from learning.campaigns.models import Campaign
from learning.campaigns.pledge_models import PledgeAssignment
from tests.campaigns.test_campaign_pages import FORM
from tests.conftest import post, sign_in
from tests.factories import make_department, make_user
from tests.pledges.test_signing import PASSWORD, published_pledge


def setup(db):
    clock.freeze(datetime(2026, 4, 1, 3, tzinfo=UTC))
    root = make_department(db, code="R")
    learner = make_user(db, department=make_department(db, code="R-BR", parent=root))
    other = make_user(db, department=root)
    compliance = make_user(db, "compliance")
    version, _author, _approver = published_pledge(db)
    db.commit()
    return learner, other, compliance, version


def test_a_campaign_of_a_pledge_from_the_form_to_the_signature(app, db, client):
    learner, other, compliance, version = setup(db)
    sign_in(client, compliance.employee_no)
    form = client.get("/campaigns/new").get_data(as_text=True)
    assert "Pledges to sign" in form and "Pledge on the conduct rules" in form
    response = post(client, "/campaigns/new", {**FORM, "pledges": str(version.pledge_id)})
    assert response.status_code == 302
    campaign = db.scalar(select(Campaign))
    assert [cp.pledge_id for cp in campaign.pledges] == [version.pledge_id]
    draft_page = client.get(response.location).get_data(as_text=True)
    assert "2 people will be asked to sign; 0 of them have already signed in this period." in draft_page
    copy = client.get(f"/campaigns/{campaign.id}/copy").get_data(as_text=True)
    assert f'value="{version.pledge_id}" checked' in copy or 'checked id="pledges-0"' in copy
    post(client, f"/campaigns/{campaign.id}/launch")
    assert "0 of 2 signed, 0 exempt." in client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)

    mine = app.test_client()
    sign_in(mine, learner.employee_no)
    home = mine.get("/").get_data(as_text=True)
    assert "Pledge on the conduct rules" in home and "Due Jun 30, 2026" in home
    assert f"/pledges/{version.id}" in home
    signed = post(mine, f"/pledges/{version.id}", {"declaration_1": "yes", "password": PASSWORD})
    assert signed.status_code == 302
    assert "Pledge on the conduct rules" not in mine.get("/").get_data(as_text=True)
    assert db.scalar(select(PledgeAssignment.status).where(PledgeAssignment.user_id == learner.id)) == "signed"

    found = db.scalar(select(PledgeAssignment).where(PledgeAssignment.user_id == other.id))
    person = client.get(f"/people?q={other.employee_no}").get_data(as_text=True)
    assert f"pledge-assignment-{found.id}" in person and "Not signed" in person
    refused = post(client, f"/pledge-assignments/{found.id}/exempt", {"reason": ""})
    assert "Reason: This field is required." in client.get(refused.location).get_data(as_text=True)
    post(client, f"/pledge-assignments/{found.id}/exempt", {"reason": "海外出向中"})
    db.expire_all()
    assert db.get(PledgeAssignment, found.id).status == "exempt"
    entry = db.scalar(select(AuditEvent).where(AuditEvent.action == "pledge_assignment_exempted"))
    assert (entry.actor_id, entry.target_type) == (compliance.id, "pledge_assignment")
    assert "1 of 2 signed, 1 exempt." in client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
