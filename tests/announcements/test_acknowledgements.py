"""Who has read a notice: by department with the training reports' scope (a head their subtrees, compliance and
audit everything; another department 403, recorded), a department's people, CSV with the export heading; the
reminder to those who have not, once a day per notice and department (two at once on PostgreSQL send once)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts.models import User
from learning.announcements import reminders, services
from learning.announcements.models import NoticeReminder
from learning.audit.models import AuditEvent
from learning.notify.models import OutboxMessage
from tests.announcements.test_notices import draft
from tests.conftest import PG_URL, csrf_token, sign_in
from tests.factories import make_department, make_user

NOW = datetime(2026, 6, 1, 1, 30, tzinfo=UTC)  # 10:30 in Tokyo


@pytest.fixture
def org(db):
    """Head office over branches A (with section A1) and B; a head of A; the president's message to everyone."""
    clock.freeze(NOW)
    root = make_department(db, code="HO")
    a, b = make_department(db, code="A", parent=root), make_department(db, code="B", parent=root)
    a1 = make_department(db, code="A1", parent=a)
    people = {
        "head_a": make_user(db, "manager", department=a, scope=a, name="部長 A"),
        "compliance": make_user(db, "compliance", department=root),
        "approver": make_user(db, "compliance", department=root),
        "auditor": make_user(db, "auditor", department=root),
        "read_a": make_user(db, department=a, email="read@example.jp", name="読んだ 人"),
        "unread_a": make_user(db, department=a, email="unread@example.jp", name="未読 太郎", locale="ja"),
        "unread_a1": make_user(db, department=a1, email="section@example.jp", name="Section Sam", locale="en"),
        "left_a": make_user(db, department=a, status="left"),
        "unread_b": make_user(db, department=b, email="b@example.jp"),
    }
    notice = services.create(
        db,
        draft(
            kind="management",
            sender_ja="社長",
            sender_en="President",
            title_en="President's message",
            requires_ack=True,
        ),
        people["compliance"].id,
    )
    notice = services.submit(db, notice.id, notice.revision, people["compliance"].id)
    notice = services.approve(db, notice.id, notice.revision, people["approver"].id)
    db.commit()
    services.acknowledge(db, db.get(User, people["read_a"].id), notice.id)
    db.commit()
    return {"a": a, "b": b, "a1": a1, "root": root, "notice": notice, **people}


def client_of(app, user):
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def rows(page: str) -> dict[str, list[str]]:
    """Department name -> its figures, from the report's table."""
    import re

    found = {}
    for row in re.findall(r'<tr data-id="\d+".*?</tr>', page, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        found[cells[0].replace("▾", "").strip()] = cells[1:]
    return found


def test_compliance_sees_every_department_and_the_head_only_their_subtree(app, db, org):
    notice = org["notice"]
    whole = rows(client_of(app, org["compliance"]).get(f"/reports/notices/{notice.id}").get_data(as_text=True))
    # People addressed, acknowledged, not yet, rate: the left person is not counted; heads and officers are.
    assert whole[org["root"].name_en] == ["8", "1", "7", "12.5%"]
    assert whole[org["b"].name_en] == ["1", "0", "1", "0.0%"]
    head = client_of(app, org["head_a"])
    page = head.get(f"/reports/notices/{notice.id}").get_data(as_text=True)
    mine = rows(page)
    assert list(mine) == [org["a"].name_en, org["a1"].name_en]
    assert mine[org["a"].name_en] == ["4", "1", "3", "25.0%"]  # head, read, unread (A) and Sam (A1)
    assert mine[org["a1"].name_en] == ["1", "0", "1", "0.0%"]
    assert head.get(f"/reports/notices/{notice.id}/departments/{org['b'].id}").status_code == 403
    refused = db.scalar(select(AuditEvent).where(AuditEvent.action == "authz_fail"))
    assert (refused.actor_id, refused.target_id) == (org["head_a"].id, str(org["b"].id))
    people = head.get(f"/reports/notices/{notice.id}/departments/{org['a'].id}").get_data(as_text=True)
    assert people.index("未読 太郎") < people.index("読んだ 人")  # those who have not come first
    assert "Acknowledged on" in people


def test_the_auditor_reads_and_downloads_the_report_with_its_heading(app, db, org):
    notice = org["notice"]
    auditor = client_of(app, org["auditor"])
    csv = auditor.get(f"/reports/notices/{notice.id}.csv")
    assert csv.status_code == 200
    body = csv.get_data().decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Acknowledgements by department")
    assert "President's message" in body and "The whole organisation" in body and "JST" in body
    assert "People addressed,Acknowledged,Not yet acknowledged,Acknowledgement rate" in body
    assert f"HO,1,{org['root'].name_en},8,1,7,12.5%" in body
    assert f"notice{notice.id}-all-20260601.csv" in csv.headers["Content-Disposition"]
    xlsx = auditor.get(f"/reports/notices/{notice.id}/departments/{org['a'].id}.xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
    exported = db.scalars(select(AuditEvent.details).where(AuditEvent.action == "report_exported")).all()
    assert len(exported) == 2
    assert remind(auditor, notice.id, org["a"].id).status_code == 403  # audit reads, never reminds


def remind(client, notice_id: int, department_id: int):
    token = csrf_token(client, f"/reports/notices/{notice_id}/departments/{department_id}")
    return client.post(
        f"/reports/notices/{notice_id}/departments/{department_id}/remind",
        data={"csrf_token": token},
        follow_redirects=True,
    )


def test_the_head_reminds_those_who_have_not_read_it_once_a_day(app, db, org):
    notice, a = org["notice"], org["a"]
    head = client_of(app, org["head_a"])
    page = remind(head, notice.id, a.id).get_data(as_text=True)
    assert "A reminder has been sent to 2 people who have not acknowledged it." in page
    recipients = db.scalars(select(OutboxMessage.to_address).where(OutboxMessage.kind == "notice_reminder")).all()
    assert sorted(recipients) == ["section@example.jp", "unread@example.jp"]  # not the reader, the head, B
    again = remind(head, notice.id, a.id).get_data(as_text=True)
    assert "A reminder went today at 10:30" in again
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert remind(head, notice.id, org["b"].id).status_code == 403
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "section@example.jp"))
    assert mail.subject == "[Conduct Rules Portal] Please confirm you have read: President's message"
    assert f"/notices/{notice.id}" in mail.body
    compliance = client_of(app, org["compliance"])
    assert "has been sent to 1 person" in remind(compliance, notice.id, org["b"].id).get_data(as_text=True)


@pytest.mark.skipif(not PG_URL, reason="two transactions really overlapping on the unique key is PostgreSQL's")
def test_two_reminders_at_once_send_once(app, db, org):
    notice, a = org["notice"], org["a"]
    first_inserted, outcomes = threading.Event(), {}
    factory = app.extensions["db"].factory

    def click(name: str, hold: bool):
        session = factory()
        try:
            if not hold:
                first_inserted.wait(5)
            reminders.send(session, session.get(User, org["head_a"].id), notice.id, a.id, "http://portal/")
            if hold:
                first_inserted.set()
                time.sleep(0.5)  # the other click is now waiting on this row
            session.commit()
            outcomes[name] = "sent"
        except services.AnnouncementError as error:
            session.rollback()
            outcomes[name] = error.code
        finally:
            first_inserted.set()
            session.close()

    threads = [threading.Thread(target=click, args=(n, n == "first")) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"first": "sent", "second": "reminder_already_sent"}
    assert db.scalar(select(func.count()).select_from(NoticeReminder)) == 1
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2


@pytest.mark.skipif(not PG_URL, reason="two transactions really overlapping on the unique key is PostgreSQL's")
def test_two_acknowledgements_at_once_record_once(app, db, org):
    notice, person_id = org["notice"], org["unread_a"].id
    barrier, outcomes = threading.Barrier(2), []
    factory = app.extensions["db"].factory

    def click():
        session = factory()
        try:
            barrier.wait()
            services.acknowledge(session, session.get(User, person_id), notice.id)
            session.commit()
            outcomes.append("ok")
        finally:
            session.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ok", "ok"]
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "notice_acknowledged", AuditEvent.actor_id == person_id)
    ).all()
    assert len(events) == 1
