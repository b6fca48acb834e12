"""Static files, plotly.js and section images are served like a production site's assets: their URLs carry a
content hash, a current one is cached for good and sent compressed, while the signed-in page linking them
stays `no-store`; a stale or wrong hash still gets the file, never cached for good."""

import gzip
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import brotli
import flask_compress.flask_compress
from sqlalchemy import event, select

from learning import clock
from learning.authoring.services import start_draft
from learning.courses.models import Edition
from learning.courses.services import import_modules
from learning.reports.views.reports import PLOTLY_JS
from tests.conftest import sign_in
from tests.factories import (
    make_assignment,
    make_department,
    make_edition,
    make_launched_campaign,
    make_user,
    module_spec,
)

STATIC = Path(__file__).resolve().parent.parent / "learning" / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def signed_in(app, db, *roles):
    user = make_user(db, *roles)
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    return client


def linked(page: str, attribute: str, prefix: str) -> str:
    (found,) = re.findall(rf'{attribute}="({re.escape(prefix)}[^"]*)"', page)
    return found


def assert_served_for_good(response, content: bytes, encoding: str) -> None:
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["Content-Encoding"] == encoding
    assert response.headers["Vary"] == "Accept-Encoding"  # not Cookie: a rewritten cookie would miss the cache
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    decode = brotli.decompress if encoding == "br" else gzip.decompress
    assert decode(response.data) == content


def test_a_signed_in_page_is_no_store_and_links_its_stylesheet_by_content_hash(app, db):
    client = signed_in(app, db)
    home = client.get("/", headers=BROWSER)
    assert home.headers["Cache-Control"] == "no-store"
    assert "Content-Encoding" not in home.headers  # pages stay uncompressed (a CSRF token beside echoed input)
    page = home.get_data(as_text=True)
    css = linked(page, "href", "/static/portal.css")
    assert css == f"/static/portal.css?v={version(STATIC / 'portal.css')}"
    assert linked(page, "href", "/static/favicon.svg") == f"/static/favicon.svg?v={version(STATIC / 'favicon.svg')}"

    content = (STATIC / "portal.css").read_bytes()
    response = client.get(css, headers=BROWSER)
    assert_served_for_good(response, content, "br")
    assert response.mimetype == "text/css" and len(response.data) < len(content) / 3
    assert_served_for_good(client.get(css, headers={"Accept-Encoding": "gzip"}), content, "gzip")
    plain = client.get(css)
    assert plain.headers["Cache-Control"] == IMMUTABLE and "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding" and plain.data == content
    # The browser asking whether its copy is still good gets 304 without the body.
    again = client.get(css, headers={**BROWSER, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_stale_or_wrong_hash_still_gets_the_current_file_but_not_for_good(app, db):
    client = signed_in(app, db)
    content = (STATIC / "portal.js").read_bytes()
    for path in ("/static/portal.js?v=0123456789abcdef", "/static/portal.js?v=old", "/static/portal.js"):
        response = client.get(path)
        assert response.status_code == 200 and response.data == content, path
        assert response.headers["Cache-Control"] == "no-cache", path
        assert response.headers["ETag"] == f'"{version(STATIC / "portal.js")}"'
    missing = client.get("/static/missing.css?v=0123456789abcdef")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    assert client.get("/static/../app.py").status_code == 404


def test_each_file_is_read_hashed_and_compressed_once_per_process(app, db, monkeypatch):
    client = signed_in(app, db)
    url = f"/static/editor.js?v={version(STATIC / 'editor.js')}"
    first = client.get(url, headers=BROWSER)
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"

    def refuse(*args, **kwargs):
        raise AssertionError("read or compressed again")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(flask_compress.flask_compress, "_compress_data", refuse)
    second = client.get(url, headers=BROWSER)
    assert second.status_code == 200 and second.data == first.data
    page = client.get("/desk/ask").get_data(as_text=True)  # builds asset URLs from what was hashed
    assert f"/static/portal.css?v={version_of_loaded('portal.css')}" in page


def version_of_loaded(name: str) -> str:
    from learning.web.assets import _FILES

    return _FILES[str(STATIC / name)].fingerprint


def test_a_public_file_loads_no_one_from_the_database(app, db):
    client = signed_in(app, db)
    statements = []
    engine = app.extensions["db"].engine
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get("/static/portal.css").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert statements == []


def test_a_report_page_links_plotly_by_hash_served_compressed_for_good_and_keeps_its_policy(app, db):
    clock.freeze(datetime(2026, 4, 1, 3, tzinfo=UTC))
    root = make_department(db, code="R")
    make_user(db, department=root)
    compliance = make_user(db, "compliance", department=root)
    campaign = make_launched_campaign(db, [make_edition(db)], compliance.id)
    db.commit()
    client = app.test_client()
    sign_in(client, compliance.employee_no)
    report = client.get(f"/reports/campaigns/{campaign.id}", headers=BROWSER)
    assert report.status_code == 200 and report.headers["Cache-Control"] == "no-store"
    csp = report.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    page = report.get_data(as_text=True)
    plotly_url = linked(page, "src", "/vendor/plotly.min.js")
    assert plotly_url == f"/vendor/plotly.min.js?v={version(PLOTLY_JS)}"
    charts = linked(page, "src", "/static/charts.js")
    assert charts == f"/static/charts.js?v={version(STATIC / 'charts.js')}"

    content = PLOTLY_JS.read_bytes()
    response = client.get(plotly_url, headers=BROWSER)
    assert_served_for_good(response, content, "br")
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert len(response.data) < len(content) / 3  # 4.8 MB as about 1.2 MB
    assert_served_for_good(client.get(plotly_url, headers={"Accept-Encoding": "gzip"}), content, "gzip")
    stale = client.get("/vendor/plotly.min.js?v=0123456789abcdef", headers=BROWSER)
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert brotli.decompress(stale.data) == content
    assert_served_for_good(client.get(charts, headers=BROWSER), (STATIC / "charts.js").read_bytes(), "br")


def test_a_published_editions_images_are_named_by_its_content_hash_and_kept_for_good(app, db):
    spec = module_spec(slug="with-image")
    spec.sections[0].body = {"ja": "![図](images/map.png)", "en": "![map](images/map.png)"}
    spec.images = {"map.png": PNG}
    import_modules(db, [spec])
    edition = db.scalar(select(Edition))
    user = make_user(db)
    assignment = make_assignment(db, user, edition)
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    section = client.get(f"/training/{assignment.id}/sections/1")
    assert section.headers["Cache-Control"] == "no-store"
    url = f"/editions/{edition.id}/{edition.content_hash[:16]}/images/map.png"
    assert f'src="{url}"' in section.get_data(as_text=True)
    image = client.get(url, headers=BROWSER)
    assert image.status_code == 200 and image.data == PNG and image.mimetype == "image/png"
    assert image.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "Content-Encoding" not in image.headers  # PNG is compressed already
    assert "Set-Cookie" not in image.headers and "Cookie" not in image.headers.get("Vary", "")
    for other in (f"/editions/{edition.id}/0123456789abcdef/images/map.png", f"/editions/{edition.id}/images/map.png"):
        response = client.get(other)
        assert response.status_code == 200 and response.data == PNG, other
        assert response.headers["Cache-Control"] == "private, no-cache", other
    assert client.get(f"/editions/{edition.id}/{edition.content_hash[:16]}/images/other.png").status_code == 404
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")


def test_a_drafts_images_are_never_kept_for_good(app, db):
    spec = module_spec(slug="drafted")
    spec.images = {"map.png": PNG}
    import_modules(db, [spec])
    published = db.scalar(select(Edition))
    trainer = make_user(db, "trainer")
    draft = start_draft(db, published.module_id, trainer.id)
    db.commit()
    assert draft.status == "draft" and draft.content_hash == ""
    client = app.test_client()
    sign_in(client, trainer.employee_no)
    page = client.get(f"/editions/{draft.id}/edit").get_data(as_text=True)
    assert f'href="/editions/{draft.id}/images/map.png"' in page
    image = client.get(f"/editions/{draft.id}/images/map.png")
    assert image.status_code == 200 and image.data == PNG
    assert image.headers["Cache-Control"] == "private, no-cache"
    # A version taken from the published edition does not make the draft's image unchanging.
    borrowed = client.get(f"/editions/{draft.id}/{published.content_hash[:16]}/images/map.png")
    assert borrowed.status_code == 200 and borrowed.headers["Cache-Control"] == "private, no-cache"
