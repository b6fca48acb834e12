"""The compliance office creates and launches a campaign in the browser; learners see why; exemptions."""

from datetime import UTC, datetime

from sqlalchemy import select

from learning import clock
from learning.audit.models import AuditEvent
from learning.campaigns.models import Campaign
from learning.training.models import Assignment
from tests.conftest import post, sign_in
from tests.factories import make_department, make_edition, make_user


def setup(db):
    clock.freeze(datetime(2026, 4, 1, 3, tzinfo=UTC))
    root = make_department(db, code="R")
    branch = make_department(db, code="R-BR", parent=root)
    learner = make_user(db, department=branch)
    compliance = make_user(db, "compliance", department=root)
    edition = make_edition(db, slug="rules")
    db.commit()
    return root, branch, learner, compliance, edition


FORM = {
    "name_ja": "2026年度 行為規制研修",
    "name_en": "FY2026 conduct-rule training",
    "audience": "all",
    "opens_on": "2026-04-01",
    "due_on": "2026-06-30",
    "recurrence": "yearly",
    "event_due_days": "30",
    "reminder_days": "14,7,1",
    "escalate_after_days": "7",
    "transfer_from": "",
    "transfer_to": "",
}


def test_create_launch_and_the_learner_sees_why(db, client, app):
    _root, _branch, learner, compliance, edition = setup(db)
    sign_in(client, compliance.employee_no)
    assert "New campaign" in client.get("/campaigns").get_data(as_text=True)
    response = post(client, "/campaigns/new", {**FORM, "modules": str(edition.module_id)})
    assert response.status_code == 302
    campaign = db.scalar(select(Campaign))
    assert campaign.status == "draft" and campaign.period_end.isoformat() == "2027-04-01"
    page = client.get(response.location).get_data(as_text=True)
    assert "2 active people are covered now." in page
    launched = post(client, f"/campaigns/{campaign.id}/launch")
    assert "Launched: 2 assignments created." in client.get(launched.location).get_data(as_text=True)
    assert post(client, f"/campaigns/{campaign.id}/launch").status_code == 302  # a second click adds nothing
    assert len(db.scalars(select(Assignment)).all()) == 2

    learner_client = app.test_client()
    sign_in(learner_client, learner.employee_no)
    (mine,) = db.scalars(select(Assignment).where(Assignment.user_id == learner.id)).all()
    overview = learner_client.get(f"/training/{mine.id}").get_data(as_text=True)
    assert "Why am I assigned this?" in overview
    assert "Assigned to everyone covered by the campaign “FY2026 conduct-rule training”." in overview


def test_bad_campaign_forms_name_the_field_and_keep_the_input(db, client):
    _root, _branch, _learner, compliance, edition = setup(db)
    sign_in(client, compliance.employee_no)
    response = post(client, "/campaigns/new", {**FORM, "due_on": "2026-03-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        "Modules: Choose at least one module or pledge, or give a transfer rule alone (its departments and modules)."
        in page
    )
    assert "Due on: The due date must not be before the opening date." in page
    assert 'value="2026年度 行為規制研修"' in page
    empty = make_department(db, code="EMPTY")
    db.commit()
    response = post(
        client,
        "/campaigns/new",
        {**FORM, "modules": str(edition.module_id), "audience": "selected", "include": str(empty.id)},
    )
    assert "Nobody active works in the chosen departments." in response.get_data(as_text=True)
    assert db.scalar(select(Campaign)) is None


def test_exemption_is_granted_shown_audited_and_lifted_by_the_job(db, client, app):
    _root, _branch, learner, compliance, edition = setup(db)
    sign_in(client, compliance.employee_no)
    post(client, "/campaigns/new", {**FORM, "modules": str(edition.module_id)})
    campaign = db.scalar(select(Campaign))
    post(client, f"/campaigns/{campaign.id}/launch")
    page = client.get(f"/people?q={learner.employee_no}").get_data(as_text=True)
    assert learner.name in page and "rules course" in page
    (mine,) = db.scalars(select(Assignment).where(Assignment.user_id == learner.id)).all()
    refused = post(client, f"/assignments/{mine.id}/exempt", {"reason": "", "until": "2026-09-30"})
    assert "Reason: This field is required." in client.get(refused.location).get_data(as_text=True)
    post(client, f"/assignments/{mine.id}/exempt", {"reason": "育児休業", "until": "2026-09-30"})
    db.expire_all()
    assert db.get(Assignment, mine.id).status == "exempt"
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "exemption_granted")).actor_id == compliance.id
    learner_client = app.test_client()
    sign_in(learner_client, learner.employee_no)
    assert "You are exempt from this module until Sep 30, 2026: 育児休業" in learner_client.get(
        f"/training/{mine.id}"
    ).get_data(as_text=True)
    assert learner_client.get("/api/v1/me/status").get_json()["assigned"] == 0
    clock.freeze(datetime(2026, 10, 1, 3, tzinfo=UTC))
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0 and "exemptions ended: 1" in result.output
    db.expire_all()
    assert db.get(Assignment, mine.id).status == "assigned"


def test_auditor_reads_campaigns_but_cannot_launch(db, client):
    root, _branch, _learner, compliance, edition = setup(db)
    auditor = make_user(db, "auditor", department=root)
    db.commit()
    sign_in(client, compliance.employee_no)
    post(client, "/campaigns/new", {**FORM, "modules": str(edition.module_id)})
    campaign = db.scalar(select(Campaign))
    other = client.application.test_client()
    sign_in(other, auditor.employee_no)
    page = other.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "FY2026 conduct-rule training" in page and "/launch" not in page
    assert post(other, f"/campaigns/{campaign.id}/launch").status_code == 403
