"""Certificates: numbers that reveal nothing and are unique in the database, the issuing company from the
organisation terms, the page in both languages, the PDF, and verification by number in and out of scope."""

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learning import clock
from learning.audit.models import AuditEvent
from learning.campaigns import amendments
from learning.campaigns.closing import close
from learning.courses import term_settings
from learning.training import certificates
from learning.training import services as training
from learning.training.models import Assignment, Certificate
from tests.conftest import csrf_token, sign_in
from tests.factories import make_assignment, make_department, make_edition, make_launched_campaign, make_user
from tests.reports.test_pdf import squeeze

DONE = datetime(2026, 12, 2, 3, tzinfo=UTC)  # 12:00 on 2 December in Japan


def completed(db, user, edition, **fields):
    """An assignment completed the way a learner completes one: the quiz passed, then attest."""
    assignment = make_assignment(db, user, edition, status="in_progress", quiz_passed_at=DONE, best_score=90, **fields)
    clock.freeze(DONE)
    training.attest(db, assignment, user.id)
    return assignment


@pytest.fixture
def org(app, db):
    """Two companies named as the installation's terms name them, a person in each, and their readers."""
    term_settings.set_terms(
        db,
        make_user(db, "compliance").id,
        {
            "retail_company": {"ja": "東都電力", "en": "Toto Power"},
            "grid_company": {"ja": "東都電力送配電", "en": "Toto Power Grid"},
        },
    )
    retail = make_department(db, code="R")
    retail.name_ja, retail.name_en = "東都電力株式会社", "Toto Power Co., Inc."
    grid = make_department(db, code="G")
    grid.name_ja, grid.name_en = "東都電力送配電株式会社", "Toto Power Grid Co., Inc."
    sales = make_department(db, code="R-SALES", parent=retail)
    wheeling = make_department(db, code="G-CC", parent=grid)
    edition = make_edition(db, slug="rules")
    seller = make_user(db, department=sales, employee_no="S1", name="営業 一郎")
    caller = make_user(db, department=wheeling, employee_no="W1", name="託送 花子")
    return {
        "edition": edition,
        "seller": seller,
        "caller": caller,
        "sold": completed(db, seller, edition, company_id=retail.id, department_id=sales.id),
        "called": completed(db, caller, edition, company_id=grid.id, department_id=wheeling.id),
        "compliance": make_user(db, "compliance", department=retail),
        "auditor": make_user(db, "auditor", department=retail),
        "sales_head": make_user(db, "manager", department=sales, scope=sales),
        "grid_head": make_user(db, "manager", department=wheeling, scope=wheeling),
    }


def client_of(app, db, user):
    db.commit()
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def test_a_number_is_16_characters_of_crockford_base32_shown_in_groups_and_read_as_typed():
    number = certificates.new_number()
    assert len(number) == 16 and set(number) <= set(certificates.ALPHABET)
    assert not set(number) & set("ILOU")
    assert certificates.shown("0123456789ABCDEF") == "0123-4567-89AB-CDEF"
    assert certificates.typed_number(" o123-4567 89ab-cdef ") == "0123456789ABCDEF"
    assert (
        certificates.typed_number("ｏ１２３ー４５６７ー８９ＡＢーＣＤＥＦ") == "0123456789ABCDEF"
    )  # a Japanese keyboard
    assert certificates.typed_number("I1L1-0000-0000-0000") == "1111000000000000"
    assert certificates.typed_number("0123-4567-89AB-CDE") is None  # too short
    assert certificates.typed_number("0123-4567-89AB-CDEU") is None  # U is not in the alphabet
    assert len({certificates.new_number() for _ in range(1000)}) == 1000


def test_attest_issues_one_random_number_and_the_database_refuses_a_second(db, org):
    sold, called = org["sold"], org["called"]
    rows = db.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert [r.assignment_id for r in rows] == [sold.id, called.id]
    assert all(certificates.typed_number(r.number) == r.number for r in rows) and rows[0].number != rows[1].number
    certificates.issue(db, [sold])  # again: nothing new
    assert db.scalar(select(func.count()).select_from(Certificate)) == 2
    other = make_assignment(db, org["seller"], org["edition"])
    refused = [
        Certificate(assignment_id=other.id, number=rows[0].number, issued_at=clock.now()),  # the same number twice
        Certificate(assignment_id=sold.id, number="0" * 16, issued_at=clock.now()),  # a second of one assignment
        Certificate(assignment_id=other.id, number="C-000001", issued_at=clock.now()),  # not a number of the format
    ]
    for certificate in refused:
        db.add(certificate)
        with pytest.raises(IntegrityError):
            db.flush()
        db.rollback()


def test_a_number_drawn_twice_is_drawn_again(db, org):
    taken = db.scalar(select(Certificate.number).where(Certificate.assignment_id == org["sold"].id))
    fresh = iter([taken, "ZZZZ0000ZZZZ0000"])
    other = make_assignment(db, org["seller"], make_edition(db, slug="other"), status="completed", completed_at=DONE)
    certificates.issue(db, [other], numbers=lambda: next(fresh))
    assert certificates.numbers_of(db, [other.id]) == {other.id: "ZZZZ-0000-ZZZZ-0000"}


def test_the_company_is_named_by_the_terms_of_the_tree_the_assignment_was_made_in():
    terms = {
        "retail_company": {"ja": "東都電力", "en": "Toto Power"},
        "grid_company": {"ja": "東都電力送配電", "en": "Toto Power Grid"},
    }
    assert certificates.company_term({"ja": "東都電力送配電株式会社", "en": "x"}, terms) == "grid_company"
    assert certificates.company_term({"ja": "株式会社東都電力", "en": "x"}, terms) == "retail_company"
    assert certificates.company_term({"ja": "x", "en": "Toto Power Grid Co."}, terms) == "grid_company"
    assert certificates.company_term({"ja": "関連会社", "en": "Affiliate"}, terms) is None


def test_the_certificate_page_in_both_languages_names_the_company_from_the_terms(app, db, org):
    caller, called = org["caller"], org["called"]
    client = client_of(app, db, caller)
    number = certificates.numbers_of(db, [called.id])[called.id]
    english = client.get(f"/training/{called.id}/certificate").get_data(as_text=True)
    for expected in ("Toto Power Grid", "Certificate of completion", "託送 花子", "rules course", "Edition 1 (2026)",
                     "December 2, 2026", number, f"/training/{called.id}/certificate.pdf"):  # fmt: skip
        assert expected in english, expected
    assert "C-0000" not in english
    caller.locale = "ja"
    db.commit()
    client.post("/locale", data={"locale": "ja", "csrf_token": csrf_token(client, "/"), "next": "/"})
    japanese = client.get(f"/training/{called.id}/certificate").get_data(as_text=True)
    for expected in ("東都電力送配電", "修了証", "rules 研修", "2026年12月2日", number):
        assert expected in japanese, expected
    retail = client_of(app, db, org["seller"]).get(f"/training/{org['sold'].id}/certificate").get_data(as_text=True)
    assert '<p class="org">Toto Power</p>' in retail


def test_the_pdf_carries_the_company_the_module_the_date_and_the_number_in_the_embedded_font(app, db, org):
    caller, called = org["caller"], org["called"]
    caller.locale = "ja"
    client = client_of(app, db, caller)
    response = client.get(f"/training/{called.id}/certificate.pdf")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    number = certificates.numbers_of(db, [called.id])[called.id]
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="certificate-{number.replace("-", "")}.pdf"'
    )
    pdf = PdfReader(io.BytesIO(response.data))
    text = squeeze(pdf.pages[0].extract_text())  # pypdf reads fpdf2's two-byte codes with a NUL before each glyph
    for expected in ("東都電力送配電", "修了証", "託送花子", "rules研修", "2026年12月2日", number):
        assert expected in text, expected
    fonts = pdf.pages[0]["/Resources"]["/Font"]
    assert any("NotoSansJP" in str(font.get_object()["/BaseFont"]) for font in fonts.values())
    assert len(pdf.pages) == 1
    other = client_of(app, db, org["seller"])
    assert other.get(f"/training/{called.id}/certificate.pdf").status_code == 404  # another's
    assert client.get("/training/999999/certificate.pdf").status_code == 404


def test_staff_in_scope_download_the_pdf_audited_and_others_are_refused(app, db, org):
    called = org["called"]
    response = client_of(app, db, org["grid_head"]).get(f"/reports/certificates/{called.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "report_exported")).one()
    assert (event.target_type, event.target_id) == ("assignment", str(called.id)) and '"format": "pdf"' in event.details
    assert client_of(app, db, org["sales_head"]).get(f"/reports/certificates/{called.id}.pdf").status_code == 403


def verify(client, number):
    return client.post(
        "/certificates/verify", data={"number": number, "csrf_token": csrf_token(client, "/certificates/verify")}
    )


def test_verification_tells_staff_in_scope_whose_which_and_when(app, db, org):
    called = org["called"]
    number = certificates.numbers_of(db, [called.id])[called.id]
    for reader in ("compliance", "auditor", "grid_head"):
        response = verify(client_of(app, db, org[reader]), number.lower().replace("-", " "))
        page = response.get_data(as_text=True)
        assert response.status_code == 200, reader
        for expected in ("託送 花子", "W1", "Toto Power Grid", "rules course", "Edition 1 (2026)", "December 2, 2026",
                         "Valid: the completion stands on record."):  # fmt: skip
            assert expected in page, (reader, expected)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "report_viewed")).all()
    assert len(events) == 3 and all('"report": "certificate_verification"' in e.details for e in events)


def test_out_of_scope_and_unknown_numbers_get_the_same_404_and_guessing_slows_down(app, db, org):
    called = org["called"]
    number = certificates.numbers_of(db, [called.id])[called.id]
    client = client_of(app, db, org["sales_head"])  # heads retail sales, not the wheeling call centre
    outside, unknown = verify(client, number), verify(client, "0000-0000-0000-0000")
    assert outside.status_code == unknown.status_code == 404
    assert "No certificate with this number was found." in outside.get_data(as_text=True)
    assert "託送 花子" not in outside.get_data(as_text=True)
    assert verify(client, "not a number").status_code == 404
    for _ in range(8):
        verify(client, "0000-0000-0000-0001")
    locked = verify(client, certificates.numbers_of(db, [org["sold"].id])[org["sold"].id])
    assert locked.status_code == 429 and "Please wait" in locked.get_data(as_text=True)
    assert client_of(app, db, make_user(db)).get("/certificates/verify").status_code == 403  # a learner


def test_a_certificate_whose_period_was_corrected_is_shown_withdrawn(app, db, org):
    clock.freeze(datetime(2026, 4, 5, tzinfo=UTC))
    seller, ethics = org["seller"], make_edition(db, slug="ethics")
    campaign = make_launched_campaign(db, [ethics], org["compliance"].id)
    assignment = db.scalar(
        select(Assignment).where(Assignment.campaign_id == campaign.id, Assignment.user_id == seller.id)
    )
    assignment.quiz_passed_at = clock.now()
    training.attest(db, assignment, seller.id)
    number = certificates.numbers_of(db, [assignment.id])[assignment.id]
    clock.freeze(datetime(2027, 4, 2, 1, tzinfo=UTC))
    close(db, campaign)
    db.refresh(assignment)  # close freezes the rows in one UPDATE
    amendments.amend(db, assignment, "not_completed", "受講者本人ではない", org["compliance"].id)
    page = verify(client_of(app, db, org["compliance"]), number).get_data(as_text=True)
    assert "Withdrawn:" in page and "受講者本人ではない" in page and "Valid:" not in page


def test_the_menu_leads_staff_who_may_verify_to_the_verification_page_and_nobody_else(app, db, org):
    link = '<a href="/certificates/verify">Verify a certificate</a>'
    assert link in client_of(app, db, org["sales_head"]).get("/").get_data(as_text=True)
    assert link not in client_of(app, db, make_user(db)).get("/").get_data(as_text=True)
