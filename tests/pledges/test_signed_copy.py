"""A pledge's signed copy (a PDF with the text as signed, the signer, the time in Tokyo, the hash and the
verification code; audited; none for a refusal or for another's signature), verifying it by its code (staff in
scope only, the same 404 otherwise, codes typed loosely, throttled), and a current TOTP code asked for with the
password from people who have a second factor."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from learning import clock
from learning.accounts.models import ThrottleCounter
from learning.accounts.second_factor import current_code
from learning.audit.models import AuditEvent
from learning.pledges import services
from learning.pledges.models import PledgeSignature
from tests.conftest import post, sign_in
from tests.factories import TOTP_SECRET, make_department, make_user
from tests.pledges.test_signing import PASSWORD, published_pledge


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def squeezed(text: str) -> str:
    return "".join(text.replace("\x00", "").split())  # pypdf reads fpdf2's two-byte codes with a NUL before each


@pytest.fixture
def signed(db):
    version, author, _ = published_pledge(db)
    department = make_department(db)
    person = make_user(db, department=department, name="山田 花子")
    clock.freeze(datetime(2026, 4, 1, 1, 30, tzinfo=UTC))  # 10:30 in Tokyo
    try:
        signature = services.sign(db, person, version.id, {1: False}, PASSWORD, address=None)
    finally:
        clock.freeze(None)
    db.commit()
    return version, person, department, signature, author


def audits(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_signed_copy_holds_the_text_the_signer_the_time_the_hash_and_the_code(app, db, signed, lang):
    version, person, department, signature, _ = signed
    person.locale = lang
    db.commit()
    client = app.test_client()
    sign_in(client, person.employee_no)
    page = client.get(f"/pledges/{version.id}").get_data(as_text=True)
    assert f"/pledges/signatures/{signature.id}/copy.pdf" in page
    response = client.get(f"/pledges/signatures/{signature.id}/copy.pdf")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    text = squeezed(pdf_text(response.data))
    clauses = [p.texts[lang] for p in version.clauses]
    for expected in [
        version.titles[lang],
        *clauses,
        version.declarations[0].texts[lang],
        "山田花子",
        person.employee_no,
        department.names[lang],
        signature.content_hash,
        "-".join(signature.code[i : i + 4] for i in range(0, 16, 4)),
        "http://localhost/pledges/verify",
        "10:30",
    ]:
        assert squeezed(expected) in text, expected
    assert ("1." + squeezed(clauses[0])) in text and ("2." + squeezed(clauses[1])) in text
    assert ("いいえ" if lang == "ja" else "No") in text  # the declaration's answer
    assert ("第1版" if lang == "ja" else "Version1") in text
    assert ("2026/04/01" if lang == "ja" else "Apr1,2026") in text
    events = audits(db, "report_exported")
    assert len(events) == 1 and '"report": "pledge_copy"' in events[0].details
    assert (events[0].actor_id, events[0].target_type, events[0].target_id) == (
        person.id,
        "pledge_signature",
        str(signature.id),
    )


def test_no_signed_copy_of_a_refusal_or_of_another_persons_signature(app, db, signed):
    version, _, _, signature, _ = signed
    refusing, other = make_user(db), make_user(db)
    refusal = services.sign(db, refusing, version.id, {}, PASSWORD, address=None, refusal_reason="I disagree.")
    db.commit()
    client = app.test_client()
    sign_in(client, refusing.employee_no)
    assert client.get(f"/pledges/signatures/{refusal.id}/copy.pdf").status_code == 404
    assert "copy.pdf" not in client.get(f"/pledges/{version.id}").get_data(as_text=True)
    stranger = app.test_client()
    sign_in(stranger, other.employee_no)
    assert stranger.get(f"/pledges/signatures/{signature.id}/copy.pdf").status_code == 404
    assert stranger.get("/pledges/signatures/999999/copy.pdf").status_code == 404
    assert audits(db, "report_exported") == []


def verify(client, code: str):
    return post(client, "/pledges/verify", {"code": code})


def test_verifying_a_code_shows_the_signature_to_staff_in_scope_only(app, db, signed):
    version, person, department, signature, compliance = signed
    sibling = make_department(db)
    head = make_user(db, "manager", scope=department)
    other_head = make_user(db, "manager", scope=sibling)
    auditor = make_user(db, "auditor")
    db.commit()
    typed = " " + "-".join(signature.code[i : i + 4] for i in range(0, 16, 4)).lower() + " "
    for reader in (compliance, head, auditor):
        client = app.test_client()
        sign_in(client, reader.employee_no)
        response = verify(client, typed)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, reader.roles
        assert "Valid: the signature is on record" in body
        assert person.name in body and person.employee_no in body and department.name_en in body
        assert version.content_hash in body and "Pledge on the conduct rules" in body
        assert "Apr 1, 2026, 10:30:00" in body  # Tokyo time
    outside = app.test_client()
    sign_in(outside, other_head.employee_no)
    hidden = verify(outside, signature.code)
    unknown = verify(outside, "AAAA-BBBB-CCCC-DDDD")
    assert hidden.status_code == unknown.status_code == 404
    assert "No signature with this code was found." in hidden.get_data(as_text=True)
    assert person.name not in hidden.get_data(as_text=True)
    events = audits(db, "report_viewed")
    assert sum('"report": "pledge_verification"' in e.details for e in events) == 3


def test_a_learner_cannot_open_the_verify_page(app, db, signed):
    _, person, _, _, _ = signed
    client = app.test_client()
    sign_in(client, person.employee_no)
    assert client.get("/pledges/verify").status_code == 403


def test_codes_not_found_are_counted_and_the_gate_closes(app, db, signed):
    _, _, _, signature, compliance = signed
    client = app.test_client()
    sign_in(client, compliance.employee_no)
    for _ in range(10):  # the claim page's policy: ten free failures
        assert verify(client, "AAAA-BBBB-CCCC-DDDD").status_code == 404
    db.expire_all()
    assert db.scalar(select(func.count(ThrottleCounter.key)).where(ThrottleCounter.scope.like("pledge_code%"))) == 2
    assert verify(client, "AAAA-BBBB-CCCC-DDDE").status_code == 404  # the eleventh closes the gate
    locked = verify(client, signature.code)
    assert locked.status_code == 429 and "Too many codes not found" in locked.get_data(as_text=True)


def test_a_person_with_a_second_factor_signs_with_a_current_code_too(app, db):
    version, _, _ = published_pledge(db)
    person = make_user(db, "compliance")  # a second factor set up (factories.TOTP_SECRET)
    replay = make_user(db, "compliance")
    assert person.totp_secret == TOTP_SECRET
    with pytest.raises(services.PledgeError, match="code_required"):
        services.sign(db, person, version.id, {1: True}, PASSWORD, address=None)
    db.commit()
    now = datetime(2026, 5, 1, 3, 0, 10, tzinfo=UTC)
    clock.freeze(now)  # one TOTP step for the whole test
    try:
        client = app.test_client()
        sign_in(client, person.employee_no)
        page = client.get(f"/pledges/{version.id}").get_data(as_text=True)
        assert 'name="code"' in page
        answers = {"declaration_1": "yes", "password": PASSWORD}
        wrong = post(client, f"/pledges/{version.id}", {**answers, "code": "000000"})
        assert wrong.status_code == 401
        assert "The code from your authenticator app is not correct" in wrong.get_data(as_text=True)
        db.expire_all()
        assert db.scalar(select(func.count(PledgeSignature.id))) == 0
        assert len(audits(db, "pledge_signature_code_fail")) == 1
        assert db.scalar(select(func.count(ThrottleCounter.key)).where(ThrottleCounter.scope.like("totp_%"))) == 2
        # The code the sign-in used is spent (a replay, refused); the next step's code signs.
        used = post(client, f"/pledges/{version.id}", {**answers, "code": current_code(TOTP_SECRET, now)})
        assert used.status_code == 401 and len(audits(db, "authn_token_reuse")) == 1
        code = current_code(TOTP_SECRET, now + timedelta(seconds=30))
        signed = post(client, f"/pledges/{version.id}", {**answers, "code": code})
        assert (signed.status_code, signed.location) == (302, f"/pledges/{version.id}")
        db.expire_all()
        assert db.scalar(select(PledgeSignature.user_id)) == person.id
        # Another person's sign-in spends only their own step: the same code signs for them once.
        other = app.test_client()
        sign_in(other, replay.employee_no)
        assert post(other, f"/pledges/{version.id}", {**answers, "code": code}).status_code == 302
    finally:
        clock.freeze(None)


def test_a_learner_without_a_second_factor_is_not_asked_for_a_code(app, db):
    version, _, _ = published_pledge(db)
    person = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, person.employee_no)
    assert 'name="code"' not in client.get(f"/pledges/{version.id}").get_data(as_text=True)
