"""End to end in headless Chromium: the demo learner reads, fails then passes, attests, gets a certificate."""

import re
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from learning.courses.content_format import read_tree
from learning.courses.models import Choice
from learning.courses.services import import_modules
from learning.demo import DEMO_PASSWORD, seed
from learning.firstrun import CONTENT_DIR
from learning.quizzes.models import AttemptQuestion

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def buffered(wsgi_app):
    """Reads each response whole before sending it: when the browser drops a connection mid-file
    (it abandons the favicon on navigation), no file is left open to warn about later."""

    def serve(environ, start_response):
        result = wsgi_app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            if hasattr(result, "close"):
                result.close()

    return serve


@pytest.fixture
def live_server(app):
    session = app.extensions["db"].factory()  # a transaction, as on first run (the history locks its tables)
    import_modules(session, read_tree(CONTENT_DIR))
    seed(session)
    session.commit()
    session.close()
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ja-JP", viewport={"width": 1100, "height": 900})
        page = context.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.base_url = live_server
        yield page
        assert errors == [], f"browser console errors: {errors}"
        browser.close()


def choose(page, db, right: bool) -> None:
    """Ticks, on the open quiz page, the right (or only wrong) choices of every drawn question."""
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    drawn = db.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id)).all()
    for aq in drawn:
        choices = db.scalars(select(Choice).where(Choice.question_id == aq.question_id)).all()
        picks = [c for c in choices if c.correct] if right else [next(c for c in choices if not c.correct)]
        for choice in picks:
            page.check(f'input[name="q{aq.id}"][value="{choice.id}"]')


def test_learner_completes_a_module_end_to_end(page, db):
    base = page.base_url
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("#username", "learner")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    assert page.locator("h1").inner_text().startswith("山田 花子")

    page.click("text=なぜ送配電部門は中立でなければならないのか >> nth=0")
    page.click("text=読み始める")
    while "読み終えた（次の節へ）" in page.content():
        assert page.locator("article.reading h1").inner_text()
        page.click("text=読み終えた（次の節へ）")
    page.click("text=読み終えた（テストへ進む）")
    page.click("text=テストを始める")

    choose(page, db, right=False)
    page.click("text=回答を送信する")
    assert "まだ合格していません" in page.locator("h1").inner_text()
    assert page.locator(".feedback").count() > 0  # feedback on the wrong choices picked
    assert page.locator(".explanation").count() == 8

    page.click("text=新しい問題で再挑戦する")
    choose(page, db, right=True)
    page.click("text=回答を送信する")
    assert page.locator("h1").inner_text() == "合格"

    page.click("text=誓約して修了する")
    page.check('input[name="confirm"]')
    page.click("button:has-text('誓約して修了する')")
    certificate = page.locator("article.certificate").inner_text()
    assert "修了証" in certificate and "山田 花子" in certificate and "第1版（2026）" in certificate

    page.goto(base + "/")
    assert page.locator(".counts div").nth(1).locator("strong").inner_text() == "1"  # completed


def test_english_and_a_narrow_window(page):
    base = page.base_url
    page.set_viewport_size({"width": 380, "height": 800})
    page.goto(base + "/login")
    page.click("button[lang=en]")
    page.fill("#username", "learner")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    page.goto(base + "/training")
    assert page.locator("h1").inner_text() == "My training"
    assert "Why the grid must be neutral" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the page scrolls sideways at 380px ({width}px)"
