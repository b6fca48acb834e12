"""My training, the reader, attestation and the certificate, over HTTP."""

from datetime import timedelta

from sqlalchemy import func, select

from learning import clock
from learning.audit.models import AuditEvent
from learning.training import services as training
from learning.training.models import Assignment
from tests.conftest import post, sign_in
from tests.factories import make_assignment, make_edition, make_user
from tests.helpers import answers_for, learner_with_assignment, read_all_sections, start_quiz


def test_my_training_lists_overdue_first_then_by_due_date(db, client):
    user = make_user(db)
    later = make_assignment(db, user, make_edition(db, slug="later"), due_in_days=20)
    soon = make_assignment(db, user, make_edition(db, slug="soon"), due_in_days=3)
    late = make_assignment(db, user, make_edition(db, slug="late"), due_in_days=-2)
    done = make_assignment(
        db, user, make_edition(db, slug="done"), due_in_days=-40, status="completed", completed_at=clock.now()
    )
    db.commit()
    sign_in(client, user.employee_no)
    page = client.get("/training").get_data(as_text=True)
    order = [page.index(f'/training/{a.id}"') for a in (late, soon, later, done)]
    assert order == sorted(order)
    assert "Overdue" in page and "Completed" in page


def test_reader_saves_progress_and_resumes(db, client):
    _, _edition, assignment = learner_with_assignment(db, client, sections=3)
    overview = client.get(f"/training/{assignment.id}").get_data(as_text=True)
    assert "Start reading" in overview
    assert post(client, f"/training/{assignment.id}/sections/1").location.endswith(
        f"/training/{assignment.id}/sections/2"
    )
    db.expire_all()
    row = db.get(Assignment, assignment.id)
    assert (row.sections_done, row.last_section, row.status) == (1, 2, "in_progress")
    overview = client.get(f"/training/{assignment.id}").get_data(as_text=True)
    assert "Continue reading" in overview and f"/training/{assignment.id}/sections/2" in overview
    page = client.get(f"/training/{assignment.id}/sections/2").get_data(as_text=True)
    assert "Section 2 of 3" in page and "Body 2" in page


def test_sections_cannot_be_skipped(db, client):
    _, _, assignment = learner_with_assignment(db, client, sections=3)
    response = client.get(f"/training/{assignment.id}/sections/3")
    assert response.status_code == 302
    assert "Please read the sections in order." in client.get(response.location).get_data(as_text=True)
    assert post(client, f"/training/{assignment.id}/sections/3").status_code == 302
    db.expire_all()
    assert db.get(Assignment, assignment.id).sections_done == 0


def test_the_last_section_leads_to_the_quiz(db, client):
    _, _, assignment = learner_with_assignment(db, client, sections=2)
    post(client, f"/training/{assignment.id}/sections/1")
    response = post(client, f"/training/{assignment.id}/sections/2")
    assert response.location.endswith(f"/training/{assignment.id}/quiz")
    assert "Start the quiz" in client.get(response.location).get_data(as_text=True)


def test_pass_attest_complete_and_certificate(db, client):
    user, edition, assignment = learner_with_assignment(db, client)
    assert post(client, f"/training/{assignment.id}/attest", {"confirm": "y"}).status_code == 302
    db.expire_all()
    assert db.get(Assignment, assignment.id).status != "completed"  # no attestation before passing

    read_all_sections(client, assignment.id, len(edition.sections))
    attempt_id = start_quiz(client, assignment.id)
    post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id))
    unticked = post(client, f"/training/{assignment.id}/attest", {})
    assert unticked.status_code == 400
    assert "Please tick the box" in unticked.get_data(as_text=True)
    response = post(client, f"/training/{assignment.id}/attest", {"confirm": "y"})
    assert response.location.endswith(f"/training/{assignment.id}/certificate")
    db.expire_all()
    row = db.get(Assignment, assignment.id)
    assert row.status == "completed" and row.attested_at and row.completed_at
    certificate = client.get(response.location).get_data(as_text=True)
    for expected in (user.name, user.employee_no, "sample course", "Edition 1 (2026)", "100%"):
        assert expected in certificate
    assert db.scalar(select(func.count()).where(AuditEvent.action == "training_completed")) == 1
    home = client.get("/").get_data(as_text=True)
    assert "Nothing is due" in home
    assert client.get("/api/v1/me/status").get_json() == {"assigned": 1, "completed": 1, "due_soon": 0, "overdue": 0}


def test_certificate_of_an_unfinished_assignment_is_not_found(db, client):
    _, _, assignment = learner_with_assignment(db, client)
    assert client.get(f"/training/{assignment.id}/certificate").status_code == 404


def test_other_peoples_and_missing_assignments_are_not_found(db, client, app):
    _, _, assignment = learner_with_assignment(db, client)
    other = make_user(db)
    db.commit()
    other_client = app.test_client()
    sign_in(other_client, other.employee_no)
    for path in (
        f"/training/{assignment.id}",
        f"/training/{assignment.id}/sections/1",
        f"/training/{assignment.id}/certificate",
        "/training/999999",
        "/training/999999/sections/1",
    ):
        assert other_client.get(path).status_code == 404, path
    assert post(other_client, f"/training/{assignment.id}/sections/1").status_code == 404
    assert other_client.get("/training/abc").status_code == 404


def test_status_api_counts(db, client):
    user = make_user(db)
    edition = make_edition(db)
    make_assignment(db, user, edition, due_in_days=3)
    make_assignment(db, user, edition, due_in_days=-1)
    make_assignment(db, user, edition, due_in_days=30)
    db.commit()
    assert client.get("/api/v1/me/status").status_code == 401
    sign_in(client, user.employee_no)
    assert client.get("/api/v1/me/status").get_json() == {"assigned": 3, "completed": 0, "due_soon": 1, "overdue": 1}


def test_the_banner_counts_from_a_read_list_equal_the_status_query(db, client):
    """Home and "my training" count from the list they read; the status API asks the database. Every kind of
    assignment that one of them could count differently is here: open, due soon, overdue, completed, exempt,
    in a closed period, withdrawn."""
    user = make_user(db)
    edition = make_edition(db)
    for days, fields in [
        (3, {}),
        (-1, {}),
        (30, {"status": "in_progress"}),
        (-5, {"status": "in_progress"}),
        (-40, {"status": "completed", "completed_at": clock.now()}),
        (-2, {"status": "exempt"}),
        (-3, {"frozen_at": clock.now()}),
        (2, {"withdrawn_at": clock.now()}),
    ]:
        make_assignment(db, user, edition, due_in_days=days, **fields)
    db.commit()
    now = clock.now()
    from_list = training.counts_of(training.my_assignments(db, user.id), now)
    assert from_list == training.status_counts(db, user.id, now)
    assert (from_list.assigned, from_list.completed, from_list.due_soon, from_list.overdue) == (5, 1, 1, 2)
    sign_in(client, user.employee_no)
    page = client.get("/").get_data(as_text=True)
    assert client.get("/api/v1/me/status").get_json() == {"assigned": 5, "completed": 1, "due_soon": 1, "overdue": 2}
    assert '<div class="alert"><strong>2</strong>' in page


def test_due_dates_are_shown_in_tokyo_time(db, client):
    user = make_user(db)
    assignment = make_assignment(db, user, make_edition(db))
    # 2026-03-31 16:00 UTC is already 1 April in Tokyo.
    assignment.due_at = clock.now().replace(year=2026, month=3, day=31, hour=16, minute=0) + timedelta(0)
    db.commit()
    sign_in(client, user.employee_no)
    assert "Apr 1, 2026" in client.get("/training").get_data(as_text=True)


def test_completing_an_edition_completes_the_same_edition_held_elsewhere(db, client):
    user, edition, assignment = learner_with_assignment(db, client)
    leftover = make_assignment(db, user, edition, due_in_days=-300)  # last period's, still open
    db.commit()
    read_all_sections(client, assignment.id, len(edition.sections))
    attempt_id = start_quiz(client, assignment.id)
    post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id))
    post(client, f"/training/{assignment.id}/attest", {"confirm": "y"})
    db.expire_all()
    assert db.get(Assignment, leftover.id).status == "completed"
    assert client.get("/api/v1/me/status").get_json()["overdue"] == 0
