"""Pledges: published through two officers with a content hash; signed with the password (a wrong one
refused, counted by the sign-in throttle, nothing signed); a "no" or a refusal opens a case; a new version
leaves earlier signatures as they were; one signature per person and version, also at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from learning.accounts.models import ThrottleCounter
from learning.audit.models import AuditEvent
from learning.pledges import services
from learning.pledges.models import PledgeCase, PledgeSignature, PledgeVersion
from tests.conftest import PG_URL, post, sign_in
from tests.factories import make_department, make_user

PASSWORD = "correct-horse-battery"
TEXT = services.DraftInput(
    {"ja": "行為規制に関する誓約書", "en": "Pledge on the conduct rules"},
    {"ja": "", "en": ""},
    {
        "ja": "非公開情報を漏らしません。\n\n規程を守ります。",
        "en": "I disclose no non-public information.\n\nI keep the rules.",
    },
    {"ja": "他社社員用のログインIDを保有していません。", "en": "I hold no login ID issued to another company's staff."},
)


def published_pledge(db, text=TEXT, slug="conduct-pledge"):
    author, approver = make_user(db, "compliance"), make_user(db, "compliance")
    version = services.new_pledge(db, slug, text.title, author.id)
    services.save_draft(db, version.id, text, author.id)
    services.submit(db, version.id, author.id)
    with pytest.raises(services.PledgeError, match="own_version"):
        services.approve(db, version.id, author.id)
    services.approve(db, version.id, approver.id)
    db.commit()
    return version, author, approver


def test_publishing_needs_a_second_officer_and_fixes_the_content_hash(db):
    version, _, _ = published_pledge(db)
    db.refresh(version)
    assert version.status == "published"
    assert [p.text_en for p in version.clauses] == ["I disclose no non-public information.", "I keep the rules."]
    assert len(version.declarations) == 1
    assert version.content_hash == services.content_hash(version) and len(version.content_hash) == 64


def test_clauses_must_match_in_both_languages(db):
    author = make_user(db, "compliance")
    version = services.new_pledge(db, "p", TEXT.title, author.id)
    uneven = services.DraftInput(TEXT.title, TEXT.intro, {"ja": "一。\n\n二。", "en": "One."}, TEXT.declarations)
    with pytest.raises(services.PledgeError) as caught:
        services.save_draft(db, version.id, uneven, author.id)
    assert (caught.value.field, caught.value.params) == ("clauses_en", {"ja": 2, "en": 1})


def test_signing_requires_the_password_and_records_the_version_hash(db):
    version, _, _ = published_pledge(db)
    department = make_department(db)
    person = make_user(db, department=department)
    with pytest.raises(services.PledgeError) as caught:
        services.sign(db, person, version.id, {1: True}, "wrong", address="10.0.0.1")
    assert caught.value.code == "wrong_password" and caught.value.refusal is not None
    assert db.scalar(select(func.count(PledgeSignature.id))) == 0
    with pytest.raises(services.PledgeError, match="answer_required"):
        services.sign(db, person, version.id, {}, PASSWORD, address="10.0.0.1")
    signature = services.sign(db, person, version.id, {1: True}, PASSWORD, address="10.0.0.1")
    db.commit()
    assert signature.outcome == "signed" and signature.content_hash == version.content_hash
    assert (signature.employee_no, signature.department_id, signature.answers) == (
        person.employee_no,
        department.id,
        {"1": True},
    )
    assert len(signature.code) == 16
    assert db.scalar(select(func.count(PledgeCase.id))) == 0
    with pytest.raises(services.PledgeError, match="already_signed"):
        services.sign(db, person, version.id, {1: True}, PASSWORD, address="10.0.0.1")


def test_a_declaration_answered_no_or_a_refusal_opens_a_case(db):
    version, _, _ = published_pledge(db)
    no, refusing = make_user(db), make_user(db)
    services.sign(db, no, version.id, {1: False}, PASSWORD, address=None)
    with pytest.raises(services.PledgeError, match="reason_required"):
        services.sign(db, refusing, version.id, {}, PASSWORD, address=None, refusal_reason="  ")
    services.sign(db, refusing, version.id, {}, PASSWORD, address=None, refusal_reason="I disagree with clause 2.")
    db.commit()
    found = {(c.signature.user_id, c.reason) for c in services.cases(db)}
    assert found == {(no.id, "declaration_no"), (refusing.id, "refused")}


def test_a_new_version_leaves_earlier_signatures_as_they_were(db):
    first, author, approver = published_pledge(db)
    person = make_user(db)
    services.sign(db, person, first.id, {1: True}, PASSWORD, address=None)
    old_hash = first.content_hash
    draft = services.start_draft(db, first.pledge_id, author.id)
    changed = services.DraftInput(TEXT.title, TEXT.intro, {"ja": "三。", "en": "Three."}, TEXT.declarations)
    services.save_draft(db, draft.id, changed, author.id)
    services.submit(db, draft.id, author.id)
    services.approve(db, draft.id, approver.id)
    db.commit()
    db.refresh(first)
    assert first.status == "retired"
    assert draft.content_hash != old_hash
    kept = db.scalar(select(PledgeSignature).where(PledgeSignature.version_id == first.id))
    assert (kept.user_id, kept.content_hash) == (person.id, old_hash)
    assert services.signature_of(db, draft.id, person.id) is None


def test_the_signing_page_refuses_a_wrong_password_counts_it_and_signs_with_the_right_one(app, db):
    version, _, _ = published_pledge(db)
    person = make_user(db)
    db.commit()
    client = app.test_client()
    assert sign_in(client, person.employee_no).status_code == 302
    page = client.get(f"/pledges/{version.id}")
    assert page.status_code == 200 and "I keep the rules." in page.get_data(as_text=True)
    counted = db.scalar(select(func.count(ThrottleCounter.key)))
    wrong = post(client, f"/pledges/{version.id}", {"declaration_1": "yes", "password": "nope"})
    assert wrong.status_code == 401
    assert "The password is not correct. Nothing was signed." in wrong.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(func.count(PledgeSignature.id))) == 0
    assert db.scalar(select(func.count(ThrottleCounter.key))) > counted
    assert (
        db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "pledge_signature_password_fail")) == 1
    )
    unanswered = post(client, f"/pledges/{version.id}", {"password": PASSWORD})
    assert unanswered.status_code == 400 and "Answer declaration 1 with yes or no." in unanswered.get_data(as_text=True)
    signed = post(client, f"/pledges/{version.id}", {"declaration_1": "no", "password": PASSWORD})
    assert (signed.status_code, signed.location) == (302, f"/pledges/{version.id}")
    db.expire_all()
    signature = db.scalar(select(PledgeSignature))
    assert (signature.user_id, signature.answers) == (person.id, {"1": False})
    assert db.scalar(select(PledgeCase.reason)) == "declaration_no"
    again = client.get(f"/pledges/{version.id}").get_data(as_text=True)
    assert "You signed this pledge on" in again


@pytest.mark.skipif(not PG_URL, reason="concurrent signing needs PostgreSQL")
def test_two_signatures_at_once_make_one(app, db):
    version, _, _ = published_pledge(db)
    person = make_user(db)
    db.commit()
    factory = app.extensions["db"].factory
    barrier, outcomes = threading.Barrier(2), []

    def attempt():
        session = factory()
        try:
            user = session.get(type(person), person.id)
            barrier.wait()
            services.sign(session, user, version.id, {1: True}, PASSWORD, address=None)
            session.commit()
            outcomes.append("signed")
        except services.PledgeError as exc:
            session.rollback()
            outcomes.append(exc.code)
        finally:
            session.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_signed", "signed"]
    db.expire_all()
    assert db.scalar(select(func.count(PledgeSignature.id)).where(PledgeSignature.version_id == version.id)) == 1
    assert db.scalar(select(PledgeVersion.status).where(PledgeVersion.id == version.id)) == "published"
