"""A year of `jobs run`: reminders before and after the due date, managers' digests, the rollover,
and joiners' invitations, each sent once, in each recipient's language, through a real SMTP server."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from learning import clock
from learning.accounts.models import User
from learning.campaigns.models import Campaign
from learning.campaigns.reminders import reminder_step
from learning.training.models import Assignment
from tests.conftest import PG_URL, csrf_token, make_settings
from tests.factories import make_department, make_edition, make_launched_campaign, make_user


def test_reminder_steps():
    assert [reminder_step(d, [14, 7, 1]) for d in (20, 14, 10, 7, 2, 1, 0, -1, -7, -8, -15)] == [
        None,
        "before:14",
        "before:14",
        "before:7",
        "before:7",
        "before:1",
        "before:1",
        "overdue:0",
        "overdue:0",
        "overdue:1",
        "overdue:2",
    ]


def at(year, month, day, hour=0):
    return datetime(year, month, day, hour, tzinfo=UTC)  # 09:00 in Tokyo


def test_a_year_of_jobs(app, db, smtp_server, tmp_path):
    from learning.app import create_app

    clock.freeze(at(2026, 4, 1))
    branch = make_department(db, code="BR")
    section = make_department(db, code="BR-S", parent=branch)
    manager = make_user(
        db, "manager", department=branch, scope=branch, name="上長 一郎", email="boss@example.jp", locale="ja"
    )
    make_user(db, department=section, name="遅れ 花子", email="hanako@example.jp", locale="ja")
    make_user(db, department=section, name="Late Ken", email="ken@example.jp", locale="en")
    edition = make_edition(db, slug="rules")
    campaign = make_launched_campaign(db, [edition])
    db.commit()
    settings_app = create_app(
        make_settings(
            app.extensions["settings"].database_url,
            tmp_path / "jobs",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_server.port),
            PORTAL_URL="https://portal.example.intra",
        )
    )
    runner = settings_app.test_cli_runner()
    received = smtp_server.handler_messages

    def run_on(day: datetime) -> list:
        clock.freeze(day)
        before = len(received)
        for _ in range(2):  # every run is repeated: a second run the same day sends nothing more
            result = runner.invoke(args=["jobs", "run"])
            assert result.exit_code == 0, result.output
        return received[before:]

    assert run_on(at(2026, 6, 1)) == []  # 29 days before: nothing yet
    first = run_on(at(2026, 6, 16))  # 14 days before
    # Everyone is reminded, the manager too: managers are learners as well.
    assert sorted(m["To"] for m in first) == ["boss@example.jp", "hanako@example.jp", "ken@example.jp"]
    by_to = {m["To"]: m for m in first}
    assert by_to["hanako@example.jp"]["Subject"] == "[行為規制ポータル] 行為規制研修の期限が近づいています"
    assert "遅れ 花子 様" in by_to["hanako@example.jp"].get_content()
    assert by_to["ken@example.jp"]["Subject"] == "[Conduct Rules Portal] Your conduct-rule training is due soon"
    assert "https://portal.example.intra/" in by_to["ken@example.jp"].get_content()
    assert len(run_on(at(2026, 6, 20))) == 0  # 10 days before: still the 14-day step
    assert len(run_on(at(2026, 6, 23))) == 3  # 7 days before
    assert len(run_on(at(2026, 6, 29))) == 3  # 1 day before
    overdue = run_on(at(2026, 7, 1))  # 1 day overdue
    assert {m["Subject"] for m in overdue} >= {"[行為規制ポータル] 行為規制研修の期限を過ぎています"}

    # The manager completes; the other two stay late. Seven days overdue: the daily digest begins.
    row = db.scalar(select(Assignment).where(Assignment.user_id == manager.id))
    row.status, row.completed_at = "completed", clock.now()
    db.commit()
    week = run_on(at(2026, 7, 7))
    assert [m["To"] for m in week] == ["boss@example.jp"]  # digest only: the weekly reminder is not due
    digest = week[0].get_content()
    assert "遅れ 花子" in digest and "Late Ken" in digest and "7日" in digest
    next_day = run_on(at(2026, 7, 8))
    assert sorted(m["To"] for m in next_day) == ["boss@example.jp", "hanako@example.jp", "ken@example.jp"]

    # A year later the campaign has rolled over with a fresh period and everyone is assigned again.
    run_on(at(2027, 4, 1))
    db.expire_all()
    successor = db.scalar(select(Campaign).where(Campaign.period_start == date(2027, 4, 1)))
    assert successor is not None and successor.status == "running"
    assert db.get(Campaign, campaign.id).status == "closed"
    assert len(db.scalars(select(Assignment).where(Assignment.campaign_id == successor.id)).all()) == 3
    settings_app.extensions["db"].engine.dispose()


def test_joiner_is_invited_sets_a_password_and_signs_in(app, db, smtp_server, tmp_path):
    from learning.app import create_app

    make_department(db, code="R-SALES")
    db.commit()
    jobs_app = create_app(
        make_settings(
            app.extensions["settings"].database_url,
            tmp_path / "j",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_server.port),
            PORTAL_URL="https://portal.example.intra",
        )
    )
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "employee_no,name,email,department_code,status\nN9,新人 次郎,jiro@example.jp,R-SALES,active\n", encoding="utf-8"
    )
    runner = jobs_app.test_cli_runner()
    assert runner.invoke(args=["roster", "import", str(roster)]).exit_code == 0
    assert runner.invoke(args=["jobs", "run"]).exit_code == 0
    (invitation,) = smtp_server.handler_messages
    assert invitation["To"] == "jiro@example.jp" and "アカウント" in invitation["Subject"]
    token = re.search(r"https://portal\.example\.intra/welcome/(\S+)", invitation.get_content()).group(1)
    client = app.test_client()
    page = client.get(f"/welcome/{token}")
    assert page.status_code == 200 and "N9" in page.get_data(as_text=True)
    weak = client.post(
        f"/welcome/{token}",
        data={"new": "short", "confirm": "short", "csrf_token": csrf_token(client, f"/welcome/{token}")},
    )
    assert weak.status_code == 400 and "Use at least 12 characters" in weak.get_data(as_text=True)
    done = client.post(
        f"/welcome/{token}",
        data={
            "new": "a long enough phrase",
            "confirm": "a long enough phrase",
            "csrf_token": csrf_token(client, f"/welcome/{token}"),
        },
    )
    assert done.status_code == 302
    assert client.get(f"/welcome/{token}").status_code == 404  # the link works once
    login = client.post(
        "/login", data={"username": "N9", "password": "a long enough phrase", "csrf_token": csrf_token(client)}
    )
    assert login.status_code == 302 and login.location == "/"
    assert db.scalar(select(User).where(User.employee_no == "N9")).password_hash
    jobs_app.extensions["db"].engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="overlapping job runs are a PostgreSQL concern (SQLite serialises writers)")
def test_two_overlapping_job_runs_queue_each_email_once(app, db):
    import threading

    from learning.campaigns.jobs import run_jobs
    from learning.notify.models import OutboxMessage

    clock.freeze(at(2026, 4, 1))
    branch = make_department(db, code="BR")
    make_user(db, "manager", department=branch, scope=branch, email="boss@example.jp")
    for n in range(30):
        make_user(db, department=branch, email=f"p{n}@example.jp")
    edition = make_edition(db)
    make_launched_campaign(db, [edition])
    db.commit()
    clock.freeze(at(2026, 7, 10))  # overdue long enough for reminders and the managers' digest
    settings = app.extensions["settings"]
    errors = []

    def run():
        session = app.extensions["db"].factory()
        try:
            assert run_jobs(session, settings).failed == []
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    kinds = [m.kind for m in db.scalars(select(OutboxMessage))]
    assert kinds.count("reminder") == 31 and kinds.count("manager_digest") == 1
