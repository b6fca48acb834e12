"""In headless Chromium: the desktop shortcut's address (/sso/start) leads through the real provider's sign-in
form and lands on the portal's home page signed in; signing out ends the portal's session."""

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from learning import clock
from tests.factories import make_user
from tests.sso.conftest import PASSWORD, _make_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def app(database_url, tmp_path, provider):
    portal = f"http://127.0.0.1:{provider.live_port}/"
    app = _make_app(database_url, tmp_path, provider.env(PORTAL_URL=portal, SSO_CONTACT="IT help desk, ext. 1234"))
    yield app
    app.extensions["db"].engine.dispose()
    clock.freeze(None)


@pytest.fixture
def portal(app, provider):
    server = make_server("127.0.0.1", provider.live_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{provider.live_port}"
    server.shutdown()
    thread.join()


def test_the_shortcut_lands_signed_in_through_the_providers_form(db, portal, tmp_path):
    from playwright.sync_api import sync_playwright

    make_user(db, email="alice.sato@example.co.jp", name="佐藤 花子", locale="ja")
    db.commit()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        page = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}).new_page()
        page.goto(f"{portal}/login")
        assert page.locator("#sso-start").inner_text() == "会社のアカウントでサインイン"
        page.screenshot(path=str(tmp_path / "login.png"), full_page=True)
        page.goto(f"{portal}/sso/start")  # where the desktop shortcut leads
        assert page.url.startswith("http://127.0.0.1:") and "/interaction/" in page.url
        page.fill("input[name=login]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{portal}/")
        assert "佐藤 花子" in page.content()
        page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
        page.locator("form[action='/logout'] button").first.click()
        page.wait_for_url(f"{portal}/login")
        page.goto(f"{portal}/")
        assert page.url.startswith(f"{portal}/login")
        browser.close()
