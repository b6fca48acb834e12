"""A department head's reminder from the department report: only their own subtree's not-finished people, one
email each listing what is left, in their language; once per department, campaign and Tokyo day (a second
click told when the first went; two at once on PostgreSQL send once); outside their scope 403, recorded."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from learning import clock
from learning.audit.models import AuditEvent
from learning.campaigns import staff_reminders
from learning.campaigns.models import StaffReminder
from learning.notify.models import OutboxMessage
from learning.training.models import Assignment
from tests.conftest import PG_URL, csrf_token, make_settings, sign_in
from tests.factories import make_assignment, make_campaign_row, make_department, make_edition, make_user

NOW = datetime(2026, 5, 11, 1, 30, tzinfo=UTC)  # 10:30 in Tokyo


@pytest.fixture
def org(db):
    """Head office over branch A (with section A1 under it) and branch B; a head of A and a head of B."""
    clock.freeze(NOW)
    root = make_department(db, code="HO")
    a, b = make_department(db, code="A", parent=root), make_department(db, code="B", parent=root)
    a1 = make_department(db, code="A1", parent=a)
    rules, ids = make_edition(db, slug="rules"), make_edition(db, slug="ids")
    campaign = make_campaign_row(db, rules)
    people = {
        "head_a": make_user(db, "manager", department=a, scope=a, name="部長 A"),
        "head_b": make_user(db, "manager", department=b, scope=b),
        "late": make_user(db, department=a, email="late@example.jp", name="遅 太郎", locale="ja"),
        "section": make_user(db, department=a1, email="section@example.jp", name="Section Sam", locale="en"),
        "done": make_user(db, department=a, email="done@example.jp"),
        "on_leave": make_user(db, department=a, email="leave@example.jp", status="leave"),
        "other_branch": make_user(db, department=b, email="b@example.jp"),
        "compliance": make_user(db, "compliance"),
    }
    for who in ("late", "on_leave", "other_branch"):
        make_assignment(db, people[who], rules, campaign_id=campaign.id)
    make_assignment(db, people["late"], ids, due_in_days=-3, campaign_id=campaign.id)
    make_assignment(db, people["section"], rules, due_in_days=10, status="in_progress", campaign_id=campaign.id)
    make_assignment(db, people["done"], rules, status="completed", completed_at=NOW, campaign_id=campaign.id)
    make_assignment(db, people["head_a"], rules, campaign_id=campaign.id)  # the head does not remind themself
    db.commit()
    return {"a": a, "b": b, "a1": a1, "campaign": campaign, **people}


def client_of(app, user):
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def remind(client, campaign_id: int, department_id: int, report: str | None = None):
    token = csrf_token(client, report or "/")
    return client.post(
        f"/reports/campaigns/{campaign_id}/departments/{department_id}/remind",
        data={"csrf_token": token},
        follow_redirects=True,
    )


def test_the_head_reminds_their_not_finished_staff_once_a_day(app, db, org, smtp_server, tmp_path):
    campaign, a = org["campaign"], org["a"]
    head = client_of(app, org["head_a"])
    report = f"/reports/campaigns/{campaign.id}/departments/{a.id}"
    assert "Remind those who have not finished" in head.get(report).get_data(as_text=True)

    page = remind(head, campaign.id, a.id, report)
    assert page.status_code == 200
    assert "A reminder has been sent to 2 people who have not finished." in page.get_data(as_text=True)
    assert "A reminder went today at 10:30 to 2 people" in page.get_data(as_text=True)  # instead of the button
    recipients = db.scalars(select(OutboxMessage.to_address).where(OutboxMessage.kind == "staff_reminder")).all()
    assert sorted(recipients) == ["late@example.jp", "section@example.jp"]  # A and A1; not done, on leave, B
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "staff_reminder_sent"))
    assert (event.actor_id, event.target_type, event.target_id) == (org["head_a"].id, "department", str(a.id))
    assert json.loads(event.details) == {"campaign": campaign.id, "people": 2}

    again = remind(head, campaign.id, a.id, report).get_data(as_text=True)
    assert "already went out today at 10:30 (sent by 部長 A)" in again
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2

    from learning.app import create_app

    jobs = create_app(
        make_settings(
            app.extensions["settings"].database_url,
            tmp_path / "jobs",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_server.port),
        )
    )
    assert jobs.test_cli_runner().invoke(args=["jobs", "run"]).exit_code == 0
    jobs.extensions["db"].engine.dispose()
    mails = {
        m["To"]: m
        for m in smtp_server.handler_messages
        if "department head" in m["Subject"] or "所属長" in m["Subject"]
    }
    ja, en = mails["late@example.jp"], mails["section@example.jp"]
    assert ja["Subject"] == "[行為規制ポータル] 所属長からの研修督促"
    assert "・rules 研修　期限" in ja.get_content() and "・ids 研修　期限" in ja.get_content()
    assert "（期限切れ）" in ja.get_content()  # the ids module was due three days ago
    assert en["Subject"] == "[Conduct Rules Portal] A reminder from your department head"
    assert "- rules course: due" in en.get_content() and "ids" not in en.get_content()
    assert "http://127.0.0.1:5000/" in en.get_content()

    # The next Tokyo day, another may go.
    clock.freeze(datetime(2026, 5, 11, 15, 5, tzinfo=UTC))  # 00:05 on the 12th in Tokyo
    head = client_of(app, org["head_a"])  # the session of the day before has timed out
    assert "has been sent to 2 people" in remind(head, campaign.id, a.id, report).get_data(as_text=True)


def test_a_head_of_another_department_is_refused_and_recorded(app, db, org):
    campaign, a = org["campaign"], org["a"]
    other = client_of(app, org["head_b"])
    token = csrf_token(other, "/")
    response = other.post(f"/reports/campaigns/{campaign.id}/departments/{a.id}/remind", data={"csrf_token": token})
    assert response.status_code == 403
    assert other.get(f"/reports/campaigns/{campaign.id}/departments/{a.id}").status_code == 403  # as the report
    failures = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz_fail")).all()
    assert [(e.actor_id, e.target_id) for e in failures][:1] == [(org["head_b"].id, str(a.id))]
    assert json.loads(failures[0].details)["report"] == "staff_reminder"
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.scalar(select(func.count()).select_from(StaffReminder)) == 0
    # The head of B may remind B; compliance reads the report but holds no department to remind.
    assert "has been sent to 1 person" in remind(other, campaign.id, org["b"].id).get_data(as_text=True)
    compliance = app.test_client()
    sign_in(compliance, org["compliance"].employee_no)
    page = compliance.get(f"/reports/campaigns/{campaign.id}/departments/{a.id}").get_data(as_text=True)
    assert "Remind those who have not finished" not in page
    token = csrf_token(compliance, "/")
    response = compliance.post(
        f"/reports/campaigns/{campaign.id}/departments/{a.id}/remind", data={"csrf_token": token}
    )
    assert response.status_code == 403
    token = csrf_token(other, "/")
    assert other.post("/reports/campaigns/999999/departments/1/remind", data={"csrf_token": token}).status_code == 404


def test_nothing_goes_for_a_closed_campaign_or_when_everyone_has_finished(app, db, org):
    campaign, a1 = org["campaign"], org["a1"]
    head = client_of(app, org["head_a"])
    db.execute(
        update(Assignment).where(Assignment.user_id == org["section"].id).values(status="completed", completed_at=NOW)
    )
    db.commit()
    page = remind(head, campaign.id, a1.id).get_data(as_text=True)
    assert "Everyone here has finished this campaign: there is nobody to remind." in page
    assert db.scalar(select(func.count()).select_from(StaffReminder)) == 0  # the refusal kept no claim
    campaign.status = "closed"
    db.merge(campaign)
    db.commit()
    page = remind(head, campaign.id, org["a"].id).get_data(as_text=True)
    assert "Reminders go out only while the campaign is running." in page


@pytest.mark.skipif(not PG_URL, reason="two transactions really overlapping on the unique key is PostgreSQL's")
def test_two_reminders_at_once_send_once(app, db, org):
    """The second click's INSERT waits on the first's uncommitted row, then finds it: refused, with the time."""
    campaign, a = org["campaign"], org["a"]
    first_inserted, outcomes = threading.Event(), {}
    factory = app.extensions["db"].factory

    def click(name: str, hold: bool):
        session = factory()
        try:
            if not hold:
                first_inserted.wait(5)
            staff_reminders.send(session, org["head_a"].id, campaign.id, a.id, "http://portal/")
            if hold:
                first_inserted.set()
                time.sleep(0.5)  # the other click is now waiting on this row
            session.commit()
            outcomes[name] = "sent"
        except staff_reminders.StaffReminderError as error:
            session.rollback()
            outcomes[name] = (error.code, error.params.get("at"))
        finally:
            first_inserted.set()
            session.close()

    threads = [
        threading.Thread(target=click, args=("first", True)),
        threading.Thread(target=click, args=("second", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"first": "sent", "second": ("reminder_already_sent", "10:30")}
    assert db.scalar(select(func.count()).select_from(StaffReminder)) == 1
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2
