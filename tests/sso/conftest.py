"""A real OpenID provider (tests/sso/provider: panva's oidc-provider on Node) for the SSO tests, and apps
configured to sign in through it. The provider runs once per test session on a free port of 127.0.0.1;
`npm ci` installs it first when its node_modules are missing. Without Node the tests skip, saying so."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from learning import clock
from learning.app import create_app
from tests.conftest import TEMPLATE_CODE, EnglishClient, _fast_sqlite, make_settings

PROVIDER_DIR = Path(__file__).parent / "provider"
CLIENT_SECRET = "portal-client-secret-for-the-test-provider"
OTHER_SECRET = "another-application-secret-for-the-test-provider"
PORTAL_URL = "http://portal.test/"
ID_TOKEN_TTL = 120  # seconds; the expiry test moves the portal's clock past it
PASSWORD = "directory-password"
ACCOUNTS = {
    "alice": {"password": PASSWORD, "email": "Alice.Sato@example.co.jp", "employee_no": "D10001", "name": "佐藤 花子"},
    "boss": {"password": PASSWORD, "email": "boss@example.co.jp", "employee_no": "D10002", "amr": ["pwd", "mfa"]},
    "plainboss": {"password": PASSWORD, "email": "plainboss@example.co.jp", "employee_no": "D10003"},
    "stranger": {"password": PASSWORD, "email": "stranger@example.co.jp", "employee_no": "D99999"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class TestProvider:
    issuer: str
    live_port: int  # the port the browser test's portal listens on (registered as a redirect URI)

    def env(self, **overrides) -> dict[str, str]:
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": "portal",
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_CLOCK_SKEW_SECONDS": "5",
            "PORTAL_URL": PORTAL_URL,
            **overrides,
        }


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip(
            "Node.js is not installed: the SSO tests run a real OpenID provider on it (apt-get install nodejs npm)"
        )
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        if npm is None:
            pytest.skip(
                "npm is not installed: it installs the test OpenID provider (npm ci --prefix tests/sso/provider)"
            )
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True, capture_output=True)
    port, live_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{port}"
    clients = [
        {
            "client_id": "portal",
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{PORTAL_URL}sso/callback", f"http://127.0.0.1:{live_port}/sso/callback"],
        },
        {"client_id": "other-app", "client_secret": OTHER_SECRET, "redirect_uris": [f"{PORTAL_URL}sso/callback"]},
    ]
    env = {
        **os.environ,
        "OP_PORT": str(port),
        "OP_ISSUER": issuer,
        "OP_CLIENTS": json.dumps(clients),
        "OP_ACCOUNTS": json.dumps(ACCOUNTS),
        "OP_ID_TOKEN_TTL": str(ID_TOKEN_TTL),
    }
    log = tmp_path_factory.mktemp("provider") / "provider.log"
    with log.open("w") as output:
        process = subprocess.Popen([node, "provider.mjs"], cwd=PROVIDER_DIR, env=env, stdout=output, stderr=output)
    try:
        for _ in range(100):  # until it answers discovery (a start-up wait, not an assertion on time)
            if process.poll() is not None:
                pytest.fail(f"the test OpenID provider stopped: {log.read_text()}")
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield TestProvider(issuer, live_port)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _make_app(database_url, tmp_path, env):
    app = create_app(make_settings(database_url, tmp_path / "instance", **env))
    app.config["TESTING"] = True
    app.test_client_class = EnglishClient
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    _fast_sqlite(app.extensions["db"].engine)
    return app


@pytest.fixture
def app(database_url, tmp_path, provider, request):
    """An app signing in through the test provider; a test marked `sso_env(NAME=value, …)` changes settings."""
    marker = request.node.get_closest_marker("sso_env")
    app = _make_app(database_url, tmp_path, provider.env(**(marker.kwargs if marker else {})))
    yield app
    app.extensions["db"].engine.dispose()
    clock.freeze(None)


def provider_sign_in(authorize_url: str, login: str, password: str = PASSWORD, stop_at: str = PORTAL_URL) -> str:
    """Signs in at the provider's own form, as a browser would, and returns the redirect back to the portal
    (with its code and state) without following it."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if url.startswith(stop_at):
                return url
            continue
        form = re.search(r'<form method="post" action="([^"]+)"', response.text)
        assert form, response.text
        response = browser.post(
            urljoin(url, form.group(1)), data={"login": login, "password": password}, allow_redirects=False, timeout=10
        )
        assert response.status_code in (302, 303), response.text
        url = urljoin(url, response.headers["Location"])
        if url.startswith(stop_at):
            return url
    raise AssertionError(f"the provider never sent the browser back: {url}")


def back_to_portal(client, url: str):
    """Follows the provider's redirect into the portal with the test client."""
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")
