"""A substantive change reopens the module for those who completed the replaced edition this fiscal year;
people still studying keep their edition, and completions stay on record."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from learning import clock
from learning.audit.models import AuditEvent
from learning.authoring import review
from learning.authoring import services as authoring
from learning.courses.services import spec_from_edition
from learning.training.models import Assignment
from tests.conftest import sign_in
from tests.factories import make_assignment, make_campaign_row, make_edition, make_user

NOW = datetime(2026, 6, 1, 3, tzinfo=UTC)  # 1 June 2026 in Tokyo, fiscal year 2026 began 1 April


@pytest.fixture
def published_change(db):
    """The old edition with four learners in different states, and a way to publish a change to it."""
    clock.freeze(NOW)
    old = make_edition(db, slug="rules")
    campaign = make_campaign_row(db, old)
    people = {name: make_user(db, login_id=name) for name in ("this_year", "last_year", "studying", "also_new")}
    done = make_assignment(db, people["this_year"], old, campaign_id=campaign.id, status="completed")
    done.completed_at = NOW - timedelta(days=20)
    before = make_assignment(db, people["last_year"], old, status="completed")
    before.completed_at = datetime(2026, 3, 31, 14, 59, tzinfo=UTC)  # 23:59 on 31 March in Tokyo: FY2025
    make_assignment(db, people["studying"], old, status="in_progress")
    db.flush()
    author, reviewer = make_user(db, "trainer"), make_user(db, "trainer")

    def publish(substantive: bool, note: str = "取引先情報の扱いを改訂 / Revised handling of customer data"):
        draft = authoring.start_draft(db, old.module_id, author.id)
        spec = spec_from_edition(db, draft)
        sections = [replace(spec.sections[0], body={"ja": "改訂された本文", "en": "Revised body"}), *spec.sections[1:]]
        spec = replace(spec, edition_label="2026b", sections=sections)
        draft = authoring.save_draft(db, draft.id, draft.revision, spec, author.id)
        review.submit(db, draft.id, draft.revision, author.id, note, substantive)
        new, _replaced = review.approve(db, draft.id, reviewer.id)
        db.flush()
        return new

    return old, campaign, people, publish


def assignments_of(db, user):
    return list(db.scalars(select(Assignment).where(Assignment.user_id == user.id).order_by(Assignment.id)))


def test_a_substantive_change_reopens_for_those_who_completed_this_fiscal_year(app, db, published_change):
    old, campaign, people, publish = published_change
    new = publish(substantive=True)

    first, reopened = assignments_of(db, people["this_year"])
    assert (first.edition_id, first.status) == (old.id, "completed")  # the record of what they studied stays
    assert (reopened.edition_id, reopened.status, reopened.reason) == (new.id, "assigned", "reattest")
    assert reopened.campaign_id == campaign.id
    assert reopened.note == "取引先情報の扱いを改訂 / Revised handling of customer data"
    assert reopened.due_at == NOW + timedelta(days=30)

    assert [a.edition_id for a in assignments_of(db, people["last_year"])] == [old.id]
    studying = assignments_of(db, people["studying"])
    assert [(a.edition_id, a.status) for a in studying] == [(old.id, "in_progress")]  # not disturbed

    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "reattestation_required"))
    assert json.loads(event.details)["people"] == 1 and event.target_id == str(new.id)


def test_a_change_not_marked_substantive_reopens_nothing(app, db, published_change):
    _old, _campaign, people, publish = published_change
    publish(substantive=False)
    assert len(assignments_of(db, people["this_year"])) == 1
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "reattestation_required")) is None


def test_the_learner_sees_why_the_module_reopened(app, db, published_change):
    _old, _campaign, people, publish = published_change
    publish(substantive=True, note="Section 2 now covers shared terminals.")
    reopened = assignments_of(db, people["this_year"])[-1]
    db.commit()
    client = app.test_client()
    sign_in(client, "this_year")
    html = client.get(f"/training/{reopened.id}").get_data(as_text=True)
    assert "changed substantively after you completed it" in html
    assert "What changed: Section 2 now covers shared terminals." in html


def test_someone_studying_keeps_reading_the_edition_they_were_assigned(app, db, published_change):
    old, _campaign, people, publish = published_change
    new = publish(substantive=True)
    studying = assignments_of(db, people["studying"])[0]
    db.commit()
    client = app.test_client()
    sign_in(client, "studying")
    page = client.get(f"/training/{studying.id}/sections/1")
    assert page.status_code == 200 and "Body 1" in page.get_data(as_text=True)
    assert "Revised body" not in page.get_data(as_text=True)
    assert (old.status, new.status) == ("retired", "published")
