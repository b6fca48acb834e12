"""Module folders and GIFT banks in and out through the browser: zip download and upload (checked as
`content check` checks), GIFT import into a draft with skipped types reported by line, GIFT download."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learning.courses.models import Edition, Module, Question
from learning.courses.services import spec_from_edition
from tests.conftest import csrf_token, post, sign_in
from tests.factories import make_edition, make_user

FIXTURE = Path(__file__).parent / "fixtures" / "every_construct.gift"


@pytest.fixture
def trainer(app, db):
    make_user(db, "trainer", login_id="author")
    client = app.test_client()
    sign_in(client, "author")
    return client


def upload(client, data: bytes, name: str = "module.zip"):
    return post(client, "/library/upload", {"archive": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def post_large(client, path: str, data: dict):
    """A multipart POST encoded in memory: the test client spools bodies over 500 KB to a temporary file that
    it never closes, which would surface as a ResourceWarning in a later test."""
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"csrf_token": csrf_token(client, "/"), **data})
    response = client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    response.close()
    return response


def editions(db) -> int:
    return db.scalar(select(func.count()).select_from(Edition))


def test_a_downloaded_edition_uploads_again_as_a_draft_with_the_same_content(app, db, trainer):
    published = make_edition(db, slug="round-trip", sections=2, questions=4)
    response = trainer.get(f"/editions/{published.id}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="round-trip-v1.zip"' in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "round-trip/module.yaml" in names and "round-trip/questions.yaml" in names

    answer = upload(trainer, response.data, "round-trip-v1.zip")
    assert answer.status_code == 302
    draft = db.scalar(select(Edition).where(Edition.module_id == published.module_id, Edition.status == "draft"))
    assert answer.location.endswith(f"/editions/{draft.id}/edit")
    assert spec_from_edition(db, draft).content_hash() == published.content_hash

    again = upload(trainer, response.data, "round-trip-v1.zip")
    assert again.status_code == 400 and "already has a draft in the works" in again.get_data(as_text=True)


def test_an_upload_with_problems_lists_each_and_saves_nothing(app, db, trainer):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("broken/module.yaml", "slug: broken\nedition: '1'\ntitle: {ja: 題}\n")
        archive.writestr("broken/sections/01-a.ja.md", "no title line\n")
    before = editions(db)
    response = upload(trainer, buffer.getvalue(), "broken.zip")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing has been saved." in html
    assert "broken.zip/broken/sections/01-a.ja.md:1: the first line must be the section title" in html
    assert "broken.zip/broken/module.yaml" in html
    assert editions(db) == before and db.scalar(select(Module).where(Module.slug == "broken")) is None

    response = upload(trainer, b"this is not a zip", "notes.zip")
    assert response.status_code == 400 and "not a zip file" in response.get_data(as_text=True)


def test_an_upload_with_a_nul_in_a_section_or_a_title_names_file_and_line_and_saves_nothing(app, db, trainer):
    shipped = Path(__file__).parents[2] / "content" / "01-why-unbundling"
    entries = {f"nul/{p.relative_to(shipped).as_posix()}": p.read_bytes() for p in shipped.rglob("*") if p.is_file()}
    section = sorted(name for name in entries if name.startswith("nul/sections/01-") and name.endswith(".en.md"))[0]
    entries[section] = entries[section].replace(b"\n", b"\n\x00", 1)  # line 2, column 1
    meta = entries["nul/module.yaml"].decode()
    title_line = next(n for n, text in enumerate(meta.splitlines(), 1) if text.lstrip().startswith("en:"))
    entries["nul/module.yaml"] = meta.replace("en: ", "en: \x00", 1).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    before = editions(db)
    response = upload(trainer, buffer.getvalue(), "nul.zip")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing has been saved." in html
    assert f"nul.zip/{section}:2: control character U+0000 in column 1" in html
    assert f"nul.zip/nul/module.yaml:{title_line}: control character U+0000" in html
    assert "\x00" not in html
    assert editions(db) == before and db.scalar(select(Module).where(Module.slug == "why-unbundling")) is None


def test_a_gift_bank_imports_into_a_new_module_with_skipped_types_named_by_line(app, db, trainer):
    response = post(
        trainer,
        "/library/gift",
        {"slug": "from-moodle", "language": "en", "file": (io.BytesIO(FIXTURE.read_bytes()), "bank.gift")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "18 question(s) were added to the draft of from-moodle." in html
    for line in (88, 90, 95, 97, 99, 101):
        assert f"Line {line}: " in html
    assert "Essay questions" in html and "Matching questions" in html
    draft = db.scalar(select(Edition).join(Module).where(Module.slug == "from-moodle"))
    assert draft.status == "draft"
    assert db.scalar(select(func.count()).select_from(Question).where(Question.edition_id == draft.id)) == 18


def test_a_gift_file_with_syntax_errors_imports_nothing_and_names_the_lines(app, db, trainer):
    bad = "::a:: Question one {=right ~wrong\n\n::b:: Two {=x ~y}\n}\n"
    before = editions(db)
    response = post(
        trainer,
        "/library/gift",
        {"slug": "broken-bank", "language": "ja", "file": (io.BytesIO(bad.encode()), "bad.gift")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported." in html
    assert re.search(r"Line 1: .{0,20}&#39;\{&#39; is not closed", html), html[-2000:]
    assert "Line 4: " in html
    assert editions(db) == before

    response = post(
        trainer,
        "/library/gift",
        {"slug": "broken-bank", "language": "ja", "file": (io.BytesIO("é".encode("latin-1")), "bad.gift")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "not UTF-8 text" in response.get_data(as_text=True)


def test_a_gift_question_with_a_nul_imports_nothing_and_names_the_line(app, db, trainer):
    bank = "::a:: Fine {=right ~wrong}\n\n::b:: Two\n with a \x00 in it {=x ~y}\n"
    before = editions(db)
    response = post(
        trainer,
        "/library/gift",
        {"slug": "nul-bank", "language": "en", "file": (io.BytesIO(bank.encode()), "nul.gift")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported." in html
    assert "Line 4: The line holds NUL or another control character" in html and "(U+0000)" in html
    assert "\x00" not in html
    assert editions(db) == before


def test_a_bank_downloads_as_gift_in_either_language(app, db, trainer):
    edition = make_edition(db, slug="exported", questions=2)
    response = trainer.get(f"/editions/{edition.id}/export.gift?language=en")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"  # the charset once
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "$CATEGORY: exported" in text and text.count("::q") == 2
    assert trainer.get(f"/editions/{edition.id}/export.gift?language=fr").status_code == 404


def test_upload_problems_read_in_japanese_for_a_japanese_trainer(app, db):
    make_user(db, "trainer", login_id="ja-author", locale="ja")
    client = app.test_client()
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    sign_in(client, "ja-author")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("m/module.yaml", "slug: m\nedition: '1'\ntitle: {ja: 題, en: T}\nminutes: 999\n")
    html = upload(client, buffer.getvalue(), "m.zip").get_data(as_text=True)
    assert "m.zip/m/module.yaml:4: &#39;minutes&#39; は1から240までの整数にしてください" in html
    assert "m.zip/m/sections: sections/ フォルダがありません" in html


def test_uploads_past_the_apps_2_mb_limit_are_taken_from_trainers_only(app, db, trainer):
    import os
    from dataclasses import replace

    from learning.courses.formats import bundle
    from tests.factories import module_spec

    big = {name: b"\x89PNG\r\n\x1a\n" + os.urandom(1_500_000) for name in ("a.png", "b.png")}
    data = bundle.zip_module(replace(module_spec(slug="heavy"), images=big))
    assert len(data) > 2 * 1024 * 1024
    from werkzeug.datastructures import FileStorage

    def archive():
        return FileStorage(io.BytesIO(data), "heavy.zip", content_type="application/zip")

    assert post_large(trainer, "/library/upload", {"archive": archive()}).status_code == 302

    make_user(db, login_id="plain")
    learner = app.test_client()
    sign_in(learner, "plain")
    assert post_large(learner, "/library/upload", {"archive": archive()}).status_code == 413  # before anything

    edition = make_edition(db, slug="pictured")
    draft_id = int(re.search(r"/editions/(\d+)/edit", post(trainer, f"/library/{edition.module_id}/draft").location)[1])
    page = trainer.get(f"/editions/{draft_id}/edit").get_data(as_text=True)
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)
    too_big = b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024)
    image = FileStorage(io.BytesIO(too_big), "big.png", content_type="image/png")
    response = post_large(trainer, f"/editions/{draft_id}/images", {"revision": revision, "image": image})
    assert response.status_code == 302
    assert "The image is larger than 2 MB." in trainer.get(response.location).get_data(as_text=True)
