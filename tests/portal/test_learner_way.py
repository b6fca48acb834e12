"""The learner's way: the idle warning and its keep-alive, each assignment once on the home page, and "continue
where you left off" on home and My training."""

from __future__ import annotations

import re
from datetime import date, timedelta

from learning import clock
from learning.campaigns.closing import close
from tests.conftest import csrf_token, post, sign_in
from tests.factories import make_assignment, make_campaign_row, make_edition, make_user
from tests.helpers import learner_with_assignment, read_all_sections, start_quiz


def test_signed_in_pages_carry_the_idle_warning(db, client):
    learner_with_assignment(db, client)
    page = client.get("/").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in page and 'data-warn-seconds="120"' in page
    assert 'data-keepalive="/api/v1/session/keepalive"' in page
    warning = re.search(r'<div class="idle-warning panel" id="idle-warning"([^>]*)>(.*?)</div>', page, re.S)
    assert warning, "no idle warning on the page"
    assert 'role="alertdialog"' in warning.group(1) and "hidden" in warning.group(1)
    assert 'aria-labelledby="idle-warning-title"' in warning.group(1)
    assert "Stay signed in" in warning.group(2) and "Your session is about to end" in warning.group(2)
    assert re.search(r'<script src="/static/session\.js\?v=[0-9a-f]{16}"></script>', page)
    # Signed out: no timer, no warning.
    anonymous = client.application.test_client().get("/login").get_data(as_text=True)
    assert "data-idle-seconds" not in anonymous and "idle-warning" not in anonymous


def test_the_warning_is_translated(db, client):
    learner_with_assignment(db, client)
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    post(client, "/locale", {"locale": "ja", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "サインインしたままにする" in page


def test_the_keep_alive_keeps_the_session(db, client):
    learner_with_assignment(db, client)
    token = csrf_token(client, "/")
    start = clock.now()
    assert client.get("/api/v1/session/keepalive").status_code == 405
    assert client.post("/api/v1/session/keepalive").status_code == 400  # no CSRF token
    for minutes in (29, 58, 87):  # each "Stay signed in" 29 minutes after the one before
        clock.freeze(start + timedelta(minutes=minutes))
        response = client.post("/api/v1/session/keepalive", headers={"X-CSRFToken": token})
        assert response.status_code == 200 and response.get_json() == {"idle_seconds": 1800}
    clock.freeze(start + timedelta(minutes=87 + 29))
    assert client.get("/").status_code == 200
    # Without it, the idle timeout applies: signed out, and the keep-alive cannot bring the session back.
    clock.freeze(start + timedelta(minutes=87 + 29 + 31))
    assert client.post("/api/v1/session/keepalive", headers={"X-CSRFToken": token}).status_code == 401
    assert client.get("/").status_code == 302


def campaign_for(db, editions, fiscal_year: int):
    campaign = make_campaign_row(db, editions[0])
    campaign.name_en = campaign.name_ja = f"FY{fiscal_year}"
    campaign.opens_on = campaign.period_start = date(fiscal_year, 4, 1)
    campaign.due_on = date(fiscal_year, 6, 30)
    campaign.period_end = date(fiscal_year + 1, 4, 1)
    db.flush()
    return campaign


def test_home_lists_each_assignment_once_across_two_periods(db, client):
    """Last year's closed campaign (two modules completed, one not) beside this year's (the same three assigned)
    and an overdue one of the same edition left from before: each module once, this year's."""
    editions = [make_edition(db, slug=f"way-{n}") for n in range(3)]
    user = make_user(db)
    last_year = campaign_for(db, editions, 2025)
    old = [make_assignment(db, user, e, campaign_id=last_year.id) for e in editions]
    for a in old[:2]:
        a.status, a.completed_at, a.quiz_passed_at = "completed", clock.now(), clock.now()
    db.flush()
    close(db, last_year)
    this_year = campaign_for(db, editions, 2026)
    leftover = make_assignment(db, user, editions[0], due_in_days=-10)  # not a campaign's; the same edition
    leftover.assigned_at = clock.now() - timedelta(days=200)
    current = [make_assignment(db, user, e, campaign_id=this_year.id) for e in editions]
    db.commit()
    sign_in(client, user.employee_no)

    page = client.get("/").get_data(as_text=True)
    for a in current:
        assert page.count(f'href="/training/{a.id}"') == 1, a.id
    for a in [*old, leftover]:
        assert f'href="/training/{a.id}"' not in page, a.id
    for n in range(3):
        assert page.count(f"way-{n} course</a>") == 1
    # My training still lists everything, last year's included.
    mine = client.get("/training").get_data(as_text=True)
    assert all(f'href="/training/{a.id}"' in mine for a in [*old, *current, leftover])


def test_a_completed_assignment_is_listed_once_under_completed(db, client):
    user, _edition, assignment = learner_with_assignment(db, client)
    other = make_assignment(db, user, make_edition(db, slug="way-done"), status="completed")
    other.completed_at = clock.now()
    db.commit()
    page = client.get("/").get_data(as_text=True)
    assert page.count(f'href="/training/{assignment.id}"') == 1 and page.count(f'href="/training/{other.id}"') == 1
    done = page.split("<h2>Completed</h2>")[1]
    assert f'href="/training/{other.id}"' in done and f'href="/training/{assignment.id}"' not in done


def continue_link(page: str) -> str | None:
    found = re.search(
        r'<section class="panel continue".*?<a class="button primary" href="([^"]+)">(.*?)</a>', page, re.S
    )
    return found and (found.group(1), re.sub(r"\s+", " ", found.group(2)).strip())


def test_continue_where_you_left_off(db, client):
    _user, _edition, assignment = learner_with_assignment(db, client, sections=3)
    assert continue_link(client.get("/").get_data(as_text=True)) is None  # nothing under way yet
    post(client, f"/training/{assignment.id}/sections/1")
    for path in ("/", "/training"):
        href, words = continue_link(client.get(path).get_data(as_text=True))
        assert href == f"/training/{assignment.id}/sections/2" and "section 2 of 3" in words
    read_all_sections(client, assignment.id, 3)
    href, words = continue_link(client.get("/").get_data(as_text=True))
    assert href == f"/training/{assignment.id}/quiz" and "the quiz is next" in words
    attempt_id = start_quiz(client, assignment.id)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    question, choice = re.search(r'name="q(\d+)" value="(\d+)"', page).groups()
    response = client.post(
        f"/api/v1/attempts/{attempt_id}/answers",
        json={"question": int(question), "choices": [int(choice)]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    for path in ("/", "/training"):
        href, words = continue_link(client.get(path).get_data(as_text=True))
        assert href == f"/attempts/{attempt_id}" and "1 of 3 questions answered" in words, words
