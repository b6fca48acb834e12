"""A module's minimum reading time: stated, counted by the server from the first opening, refused early."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from learning import clock
from learning.training.models import Assignment, SectionOpen
from tests.conftest import post
from tests.quizzes.test_fair_quiz import learner, tagged_module

T0 = datetime(2026, 6, 1, 1, tzinfo=UTC)


def test_marking_read_is_refused_before_the_time_and_accepted_after(db, client):
    clock.freeze(T0)
    edition = tagged_module(db, slug="slow", min_read_seconds=60)
    assignment = learner(db, client, edition)
    overview = client.get(f"/training/{assignment.id}").get_data(as_text=True)
    assert "Each section needs at least 60 seconds of reading before it can be marked read." in overview

    page = client.get(f"/training/{assignment.id}/sections/1").get_data(as_text=True)
    assert "you can mark this one read in 60 seconds" in page
    clock.freeze(T0 + timedelta(seconds=20))
    client.get(f"/training/{assignment.id}/sections/1")  # a reload does not restart the count
    early = post(client, f"/training/{assignment.id}/sections/1")
    assert early.status_code == 302 and early.location == f"/training/{assignment.id}/sections/1"
    shown = client.get(early.location).get_data(as_text=True)
    assert "needs at least 60 seconds of reading. Please stay with this one 40 seconds more" in shown
    db.expire_all()
    assert db.get(Assignment, assignment.id).sections_done == 0

    clock.freeze(T0 + timedelta(seconds=60))
    done = post(client, f"/training/{assignment.id}/sections/1")
    assert done.status_code == 302 and done.location == f"/training/{assignment.id}/sections/2"
    again = post(client, f"/training/{assignment.id}/sections/1")  # a double click: harmless
    assert again.status_code == 302 and again.location == f"/training/{assignment.id}/sections/2"
    db.expire_all()
    assert db.get(Assignment, assignment.id).sections_done == 1
    assert db.scalar(select(SectionOpen.opened_at).where(SectionOpen.assignment_id == assignment.id)) == T0


def test_a_section_never_opened_has_its_whole_time_to_go(db, client):
    clock.freeze(T0)
    edition = tagged_module(db, slug="forced", min_read_seconds=30)
    assignment = learner(db, client, edition)
    forced = post(client, f"/training/{assignment.id}/sections/1")  # straight to "mark read", no page opened
    assert forced.status_code == 302 and forced.location == f"/training/{assignment.id}/sections/1"
    assert "30 seconds more" in client.get(forced.location).get_data(as_text=True)
    db.expire_all()
    assert db.get(Assignment, assignment.id).sections_done == 0


def test_without_a_minimum_nothing_is_kept_and_nothing_waits(db, client):
    edition = tagged_module(db, slug="quick")
    assignment = learner(db, client, edition)
    assert "seconds of reading" not in client.get(f"/training/{assignment.id}").get_data(as_text=True)
    client.get(f"/training/{assignment.id}/sections/1")
    assert post(client, f"/training/{assignment.id}/sections/1").location == f"/training/{assignment.id}/sections/2"
    assert db.scalar(select(func.count()).select_from(SectionOpen)) == 0
