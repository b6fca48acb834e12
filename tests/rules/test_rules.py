"""The rules library: versions in force by Tokyo day, history, PDFs checked by their bytes, module links that
follow the version in force, acknowledgements and view counts that count once."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from fpdf import FPDF
from sqlalchemy import func, select

from learning import clock
from learning.audit.models import AuditEvent
from learning.courses.formats.checking import check
from learning.courses.formats.writing import write_module
from learning.courses.markdown import render_markdown
from learning.rules import pdf, services
from learning.rules.models import RuleAcknowledgement, RuleView
from tests.conftest import PG_URL, csrf_token, post, sign_in
from tests.factories import make_user, module_spec

TODAY = date(2026, 12, 3)
NOON = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo
LIMIT = 1024 * 1024


def real_pdf(text: str = "Rules") -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def draft(day: date, text: str = "## 第5条\n\n情報の取扱い", **fields) -> services.VersionDraft:
    return services.VersionDraft(day, "制定", "Issued", text, text.replace("情報の取扱い", "Handling"), **fields)


def regulation(db, actor_id: int | None = None):
    document = services.create_document(db, actor_id, "conduct-regulation", "regulation", "行為規制規程", "Regulation")
    services.add_version(db, document, actor_id, draft(date(2024, 4, 1), "## 第5条\n\n旧版の本文"), LIMIT)
    services.add_version(
        db,
        document,
        actor_id,
        replace(draft(date(2027, 4, 1), "## 第5条\n\n新版の本文"), changes_en="Rewritten"),
        LIMIT,
    )
    db.commit()
    return document


def test_the_version_in_force_is_the_newest_whose_day_has_come(db):
    document = regulation(db)
    assert services.in_force(document, date(2024, 3, 31)) is None
    assert services.in_force(document, TODAY).number == 1
    assert services.in_force(document, date(2027, 3, 31)).number == 1
    assert services.in_force(document, date(2027, 4, 1)).number == 2
    assert [v.number for v in services.scheduled(document, TODAY)] == [2]
    with pytest.raises(services.RulesError) as refused:
        services.add_version(db, document, None, draft(date(2027, 3, 1)), LIMIT)
    assert (refused.value.code, refused.value.field) == ("past_day", "effective_on")


def test_a_module_link_follows_the_version_in_force(app, db):
    regulation(db)
    html = render_markdown("[社内規程 第5条](rules:conduct-regulation#第5条)")
    assert 'href="/rules/conduct-regulation#h-第5条"' in html
    learner = make_user(db)
    db.commit()
    client = app.test_client()
    clock.freeze(NOON)
    sign_in(client, learner.employee_no)
    page = client.get("/rules/conduct-regulation").get_data(as_text=True)
    assert 'id="h-第5条"' in page and "旧版の本文" in page and "新版の本文" not in page
    assert client.get("/rules/conduct-regulation/v/2").status_code == 404  # scheduled: managers only
    clock.freeze(datetime(2027, 3, 31, 15, 0, tzinfo=UTC))  # 1 April 2027, 00:00 in Tokyo
    sign_in(client, learner.employee_no)  # months later: a new session
    page = client.get("/rules/conduct-regulation").get_data(as_text=True)
    assert "新版の本文" in page and "旧版の本文" not in page
    old = client.get("/rules/conduct-regulation/v/1").get_data(as_text=True)
    assert "旧版の本文" in old and "This is not the version in force." in old
    assert "Rewritten" in page  # the history's summary of changes


def test_pdfs_are_checked_by_their_bytes():
    assert pdf.problem(real_pdf(), LIMIT) is None
    assert pdf.problem(b"<html>not a pdf</html>", LIMIT) == ("not_pdf", {})
    assert pdf.problem(b"%PDF-1.7\nthis is not a PDF at all\n%%EOF", LIMIT)[0] == "broken_pdf"
    assert pdf.problem(b"%PDF-" + b"0" * (LIMIT + 1), LIMIT) == ("pdf_too_large", {"size": "1", "limit": "1"})


def _version_form(client, slug: str) -> dict:
    token = csrf_token(client, f"/rules/manage/{slug}/versions/new")
    page = client.get(f"/rules/manage/{slug}/versions/new").get_data(as_text=True)
    once = page.split('name="once" value="')[1].split('"')[0] if 'name="once"' in page else None
    form = {"csrf_token": token, "effective_on": "2027-06-01", "changes_ja": "PDF版", "changes_en": "As a PDF"}
    if once:
        form["once"] = once
    return form


def test_compliance_uploads_a_pdf_and_a_fake_one_is_refused_with_the_reason(app, db):
    import io

    document = regulation(db)
    officer = make_user(db, "compliance")
    db.commit()
    client = app.test_client()
    clock.freeze(NOON)
    sign_in(client, officer.employee_no)
    fake = _version_form(client, document.slug)
    fake["pdf_ja"] = (io.BytesIO(b"MZ\x90\x00 an executable"), "規程.pdf")
    fake["pdf_en"] = (io.BytesIO(real_pdf()), "rules.pdf")
    response = client.post(f"/rules/manage/{document.slug}/versions/new", data=fake, content_type="multipart/form-data")
    assert response.status_code == 400, response.get_data(as_text=True)[-3000:]
    page = response.get_data(as_text=True)
    assert "The Japanese file is not a PDF (it does not start like one)." in page, page[page.find("<main") :][:3000]
    assert db.scalar(select(func.count()).select_from(services.RuleVersion)) == 2  # nothing half-written

    good = _version_form(client, document.slug)
    japanese = real_pdf("ja")  # made once: fpdf2 writes the moment it was made into the file
    good["pdf_ja"] = (io.BytesIO(japanese), "規程.pdf")
    good["pdf_en"] = (io.BytesIO(real_pdf("en")), "rules.pdf")
    response = client.post(f"/rules/manage/{document.slug}/versions/new", data=good, content_type="multipart/form-data")
    assert (response.status_code, response.location) == (302, f"/rules/{document.slug}/v/3")
    download = client.get(f"/rules/{document.slug}/v/3/ja.pdf")
    assert download.status_code == 200
    assert download.data == japanese
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"].startswith("sandbox")
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"conduct-regulation-v3-ja.pdf\"; filename*=UTF-8''"
        "%E8%A1%8C%E7%82%BA%E8%A6%8F%E5%88%B6%E8%A6%8F%E7%A8%8B%20v3.pdf"
    )
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == officer.id).order_by(AuditEvent.id))
    assert [a for a in actions if a.startswith("rule_")] == ["rule_version_added"]  # the refused upload left none


def test_a_scheduled_version_is_edited_and_one_in_force_is_not(app, db):
    regulation(db)
    officer = make_user(db, "compliance")
    db.commit()
    client = app.test_client()
    clock.freeze(NOON)
    sign_in(client, officer.employee_no)
    page = client.get("/rules/manage/conduct-regulation/v/2/edit")
    assert page.status_code == 200 and "新版の本文" in page.get_data(as_text=True)
    response = post(
        client,
        "/rules/manage/conduct-regulation/v/2/edit",
        {
            "effective_on": "2027-05-01",
            "changes_ja": "改定",
            "changes_en": "Revised",
            "body_ja": "改",
            "body_en": "Rev",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert services.by_slug(db, "conduct-regulation").versions[1].effective_on == date(2027, 5, 1)
    response = client.get("/rules/manage/conduct-regulation/v/1/edit")
    assert (response.status_code, response.location) == (302, "/rules/conduct-regulation/v/1")


def test_views_are_counted_in_one_row_per_document_and_day(app, db):
    document = regulation(db)
    other = services.create_document(db, None, "contacts", "contacts", "連絡先", "Contacts")
    services.add_version(db, other, None, draft(date(2024, 4, 1)), LIMIT)
    learner = make_user(db)
    db.commit()
    client = app.test_client()
    clock.freeze(NOON)
    sign_in(client, learner.employee_no)
    for _ in range(3):
        assert client.get("/rules/conduct-regulation").status_code == 200
    assert client.get("/rules/contacts").status_code == 200
    rows = db.execute(select(RuleView.document_id, RuleView.day, RuleView.views).order_by(RuleView.views)).all()
    assert rows == [(other.id, TODAY, 1), (document.id, TODAY, 3)]
    ranked = services.most_viewed(db, TODAY, 5)
    assert [(d.slug, n) for d, n in ranked] == [("conduct-regulation", 3), ("contacts", 1)]
    assert services.most_viewed(db, date(2027, 1, 10), 5) == []  # outside the last 30 days


def test_search_entries_give_the_text_in_force_in_both_languages(db):
    regulation(db)
    entries = [(d.slug, v.number, lang, title, text) for d, v, lang, title, text in services.search_entries(db, TODAY)]
    assert entries == [
        ("conduct-regulation", 1, "ja", "行為規制規程", "## 第5条\n\n旧版の本文"),
        ("conduct-regulation", 1, "en", "Regulation", "## 第5条\n\n旧版の本文"),
    ]


def test_an_acknowledgement_counts_once(app, db):
    document = services.create_document(db, None, "manual", "manual", "手引き", "Manual")
    services.add_version(db, document, None, draft(date(2024, 4, 1), needs_acknowledgement=True), LIMIT)
    learner = make_user(db)
    db.commit()
    client = app.test_client()
    clock.freeze(NOON)
    sign_in(client, learner.employee_no)
    page = client.get("/rules/manual").get_data(as_text=True)
    assert "I have read this version" in page
    for _ in range(2):
        assert post(client, "/rules/manual/v/1/acknowledge").status_code == 302
    assert "You have acknowledged this version." in client.get("/rules/manual").get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(RuleAcknowledgement)) == 1
    assert db.scalar(select(func.count()).where(AuditEvent.action == "rule_acknowledged")) == 1


@pytest.mark.skipif(not PG_URL, reason="concurrent acknowledgements are a PostgreSQL concern (SQLite serialises)")
def test_acknowledgements_sent_at_once_make_one_row_and_one_event(app, db):
    document = services.create_document(db, None, "manual", "manual", "手引き", "Manual")
    services.add_version(db, document, None, draft(date(2024, 4, 1), needs_acknowledgement=True), LIMIT)
    learner = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, learner.employee_no)
    token = csrf_token(client, "/")
    barrier, responses = threading.Barrier(8), []

    def send():
        tab = app.test_client()
        tab.set_cookie("portal", client.get_cookie("portal").value)
        barrier.wait()
        responses.append(tab.post("/rules/manual/v/1/acknowledge", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert responses == [302] * 8
    assert db.scalar(select(func.count()).select_from(RuleAcknowledgement)) == 1
    assert db.scalar(select(func.count()).where(AuditEvent.action == "rule_acknowledged")) == 1


def test_the_content_check_flags_a_link_to_an_unknown_document(app, db, tmp_path):
    regulation(db)
    body = "[規程](rules:conduct-regulation#第5条) と [手引き](rules:no-such-manual)"
    write_module(module_spec(slug="linking", body=body), tmp_path / "linking")
    with app.app_context():
        problems = [p for p in check(tmp_path / "linking") if "rules library" in p.message]
    assert [(p.file.rsplit("/", 2)[-2:], p.line, p.params) for p in problems] == [
        (["sections", f"0{n}-section.ja.md"], 3, {"document": "no-such-manual"}) for n in (1, 2, 3)
    ]  # the Japanese bodies hold the links (the English ones do not), each on its file's third line
    assert not [p for p in check(tmp_path / "linking") if "rules library" in p.message]  # no app: not checked


def test_a_pdf_over_the_limit_is_refused_with_its_size_and_the_limit(database_url, db, tmp_path):
    import io

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    from learning.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(database_url, tmp_path / "instance", RULES_PDF_MAX_MB="1"))
    app.config["TESTING"] = True
    regulation(db)
    officer = make_user(db, "compliance")
    db.commit()
    client = app.test_client()
    clock.freeze(NOON)
    try:
        sign_in(client, officer.employee_no)
        form = _version_form(client, "conduct-regulation")
        large = real_pdf() + b"\n%" + b"0" * (3 * LIMIT // 2)  # a real PDF padded past 1 MB with a comment
        form["pdf_ja"] = FileStorage(io.BytesIO(large), "large.pdf", content_type="application/pdf")
        form["pdf_en"] = FileStorage(io.BytesIO(real_pdf()), "rules.pdf", content_type="application/pdf")
        # Encoded here, in memory: the test client would spool so large a body to a file it never closes.
        boundary, body = encode_multipart(MultiDict(form))
        response = client.post(
            "/rules/manage/conduct-regulation/versions/new",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        assert response.status_code == 400
        assert "The Japanese PDF is 1.5 MB; the limit is 1 MB." in response.get_data(as_text=True)
    finally:
        app.extensions["db"].engine.dispose()
