"""A department's head names a deputy for its self-inspections from the department's own people, through a
last day, and removes them; the deputy answers the department's inspections while in force (not after the
day, not once removed) and names nobody; every step audited; the page in both languages, heads only."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.audit.models import AuditEvent
from learning.inspections import rounds
from learning.inspections.models import InspectionDeputy, InspectionResponse
from learning.inspections.rounds import AnswerInput
from learning.inspections.services import InspectionError
from tests.conftest import PG_URL, post, sign_in
from tests.factories import make_department, make_user
from tests.inspections.test_rounds import MAX, organisation, starter


def today():
    return clock.tokyo_date(clock.now())


def test_a_named_deputy_answers_until_the_last_day_and_not_once_removed(db):
    version = starter(db)
    _company, north, south, head_n, head_s, _office, compliance = organisation(db)
    deputy = make_user(db, department=north)
    outsider = make_user(db, department=south)
    rounds.create_round(db, version.id, [north.id], "yearly", 60, today(), compliance.id)
    rounds.open_periods(db, today())
    inspection = db.scalar(select(InspectionResponse))
    with pytest.raises(InspectionError, match="not_head"):
        rounds.delegate(db, north.id, deputy.id, head_s.id, today())
    with pytest.raises(InspectionError, match="deputy_department"):
        rounds.delegate(db, north.id, outsider.id, head_n.id, today())  # not one of the department's people (a sibling)
    with pytest.raises(InspectionError, match="deputy_ends_on"):
        rounds.delegate(db, north.id, deputy.id, head_n.id, today() - timedelta(days=1))
    with pytest.raises(InspectionError, match="deputy_ends_on"):
        rounds.delegate(db, north.id, deputy.id, head_n.id, today() + timedelta(days=400))
    section_member = make_user(db, department=make_department(db, parent=north))
    rounds.delegate(db, north.id, section_member.id, head_n.id, today())  # someone of a section under it
    row = rounds.delegate(db, north.id, deputy.id, head_n.id, today() + timedelta(days=7))
    assert rounds.answerable_departments(db, deputy.id) == {north.id}
    assert rounds.save_answers(db, inspection.id, [AnswerInput(version.items[1].id, "conforms")], deputy.id, MAX) == {}
    # The deputy heads nothing: they cannot name a deputy of their own.
    with pytest.raises(InspectionError, match="not_head"):
        rounds.delegate(db, north.id, make_user(db, department=north).id, deputy.id, today())
    # Named again: the same row, a new last day.
    again = rounds.delegate(db, north.id, deputy.id, head_n.id, today() + timedelta(days=30))
    assert again.id == row.id and again.ends_on == today() + timedelta(days=30)
    # After the last day the deputy answers no more.
    clock.freeze(clock.now() + timedelta(days=31))
    try:
        assert rounds.answerable_departments(db, deputy.id) == set()
        assert rounds.deputies_of(db, {north.id}) == []
        with pytest.raises(InspectionError, match="not_yours"):
            rounds.save_answers(db, inspection.id, [AnswerInput(version.items[1].id, "conforms")], deputy.id, MAX)
        renewed = rounds.delegate(db, north.id, deputy.id, head_n.id, today() + timedelta(days=1))
        assert renewed.id != row.id  # the passed one was closed first: the open-row index holds
        assert rounds.answerable_departments(db, deputy.id) == {north.id}
        rounds.remove_deputy(db, renewed.id, head_n.id)
        assert rounds.answerable_departments(db, deputy.id) == set()
        with pytest.raises(InspectionError, match="not_head"):
            rounds.remove_deputy(db, renewed.id, head_s.id)
    finally:
        clock.freeze(None)
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("inspection_deputy%"))))
    assert actions.count("inspection_deputy_delegated") == 4 and actions.count("inspection_deputy_removed") == 1


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_head_names_and_removes_a_deputy_on_the_page(app, db, lang):
    _company, north, _south, head_n, _head_s, _office, _compliance = organisation(db)
    head_n.locale = lang
    deputy = make_user(db, department=north, name="佐藤 次郎")
    db.commit()
    client = app.test_client()
    sign_in(client, head_n.employee_no)
    assert "/inspections/deputies" in client.get("/inspections").get_data(as_text=True)
    page = client.get("/inspections/deputies").get_data(as_text=True)
    assert ("自主点検の代理者" if lang == "ja" else "Deputies for self-inspections") in page
    found = client.get(f"/inspections/deputies?department={north.id}&q=佐藤").get_data(as_text=True)
    assert "佐藤 次郎" in found and f'name="deputy" value="{deputy.id}"' in found
    last = (today() + timedelta(days=10)).isoformat()
    bad = post(client, "/inspections/deputies", {"department": north.id, "deputy": deputy.id, "ends_on": "soon"})
    assert bad.status_code == 400
    named = post(client, "/inspections/deputies", {"department": north.id, "deputy": deputy.id, "ends_on": last})
    assert named.status_code == 303
    db.expire_all()
    row = db.scalar(select(InspectionDeputy))
    assert (row.deputy_id, row.ends_on.isoformat(), row.ended_at) == (deputy.id, last, None)
    listed = client.get("/inspections/deputies").get_data(as_text=True)
    assert "佐藤 次郎" in listed and f"/inspections/deputies/{row.id}/remove" in listed
    assert post(client, f"/inspections/deputies/{row.id}/remove").status_code == 303
    db.expire_all()
    assert db.scalar(select(InspectionDeputy.ended_at)) is not None


def test_only_a_head_reaches_the_page_and_only_for_their_department(app, db):
    _company, north, _south, head_n, head_s, _office, compliance = organisation(db)
    deputy = make_user(db, department=north)
    unscoped_manager = make_user(db, "manager")
    db.commit()
    row = rounds.delegate(db, north.id, deputy.id, head_n.id, today())
    db.commit()
    for person, status in ((deputy, 403), (compliance, 403), (unscoped_manager, 404)):
        client = app.test_client()
        sign_in(client, person.employee_no)
        assert client.get("/inspections/deputies").status_code == status, person.roles
    other = app.test_client()
    sign_in(other, head_s.employee_no)
    assert other.get("/inspections/deputies").status_code == 200
    named = post(other, "/inspections/deputies", {"department": north.id, "deputy": deputy.id, "ends_on": today()})
    assert named.status_code == 403
    assert post(other, f"/inspections/deputies/{row.id}/remove").status_code == 404
    db.expire_all()
    assert db.scalar(select(func.count(InspectionDeputy.id))) == 1
    assert db.scalar(select(InspectionDeputy.ended_at)) is None


@pytest.mark.skipif(not PG_URL, reason="naming at once needs PostgreSQL")
def test_naming_the_same_deputy_twice_at_once_makes_one_row(app, db):
    _company, north, _south, head_n, _head_s, _office, _compliance = organisation(db)
    deputy = make_user(db, department=north)
    db.commit()
    factory = app.extensions["db"].factory
    barrier, outcomes = threading.Barrier(2), []

    def attempt():
        session = factory()
        try:
            barrier.wait()
            rounds.delegate(session, north.id, deputy.id, head_n.id, today() + timedelta(days=5))
            session.commit()
            outcomes.append("named")
        except Exception as exc:  # the test reports what went wrong
            session.rollback()
            outcomes.append(type(exc).__name__)
        finally:
            session.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["named", "named"]
    db.expire_all()
    assert db.scalar(select(func.count(InspectionDeputy.id))) == 1
