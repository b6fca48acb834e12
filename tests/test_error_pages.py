"""Error pages that never fail, and input that cannot crash: every status in both languages and on the API,
an unreachable database while signed in, a connection dropped in the middle of a request, and a sweep of
every route with ids beyond the database's range and NUL bytes."""

from __future__ import annotations

import logging
import re

import pytest
from flask import abort
from sqlalchemy import create_engine, event, select, text

from learning.authz import Role, public
from learning.web.database import Database
from tests.conftest import PG_URL, csrf_token, post, sign_in
from tests.factories import make_user

HUGE = "9999999999999999999"


def _add_failing_routes(app) -> None:
    """Routes that fail on purpose: abort() with a code, and an exception nobody expected."""

    def fails(code: int):
        if code == 500:
            raise RuntimeError("an unexpected failure")
        abort(code)

    app.add_url_rule("/test/fail/<int:code>", "test_fail", public(fails))
    app.add_url_rule("/api/test/fail/<int:code>", "test_api_fail", public(fails))


@pytest.fixture
def failing_app(app):
    _add_failing_routes(app)
    return app


def _is_portal_page(response, lang: str) -> bool:
    html = response.get_data(as_text=True)
    return f'<html lang="{lang}">' in html and 'class="site"' in html and "portal.css" in html


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 413, 429, 500, 503])
def test_every_status_renders_in_the_layout_in_both_languages_and_as_json(failing_app, code):
    client = failing_app.test_client()
    for lang in ("en", "ja"):
        response = client.get(f"/test/fail/{code}", headers={"Accept-Language": lang})
        assert response.status_code == code
        assert _is_portal_page(response, lang), response.get_data(as_text=True)[:300]
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    english = client.get(f"/test/fail/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    japanese = client.get(f"/test/fail/{code}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert english != japanese  # the title and the way home are translated
    api = client.get(f"/api/test/fail/{code}")
    assert api.status_code == code and api.is_json
    assert api.json["error"] and api.json["request_id"] == api.headers["X-Request-ID"]


def test_routing_csrf_and_size_errors_are_portal_pages(app, db):
    client = app.test_client()
    assert _is_portal_page(client.get("/no/such/page"), "en")
    assert client.put("/login").status_code == 405
    refused = client.post("/login", data={"username": "x", "password": "y"})
    assert refused.status_code == 400 and "The form has expired" in refused.get_data(as_text=True)
    large = client.post("/login", data={"username": "x" * (3 * 1024 * 1024)})
    assert large.status_code == 413 and _is_portal_page(large, "en")


def test_signed_out_api_answers_json(client):
    response = client.get("/api/v1/me/status")
    assert response.status_code == 401 and response.is_json and "error" in response.json


def test_someone_elses_attempt_and_a_bad_invitation_are_portal_pages(app, db):
    user = make_user(db)
    db.commit()
    client = app.test_client()
    bad_link = client.get("/welcome/not-a-token")
    assert bad_link.status_code == 404 and _is_portal_page(bad_link, "en")
    assert "not valid any more" in bad_link.get_data(as_text=True)
    sign_in(client, user.employee_no)
    missing = client.get("/attempts/123456")
    assert missing.status_code == 404 and _is_portal_page(missing, "en")


def test_a_request_id_from_the_client_is_not_trusted_without_a_proxy(client):
    response = client.get("/login", headers={"X-Request-ID": "chosen-by-the-client"})
    assert response.headers["X-Request-ID"] != "chosen-by-the-client"


def test_out_of_range_ids_and_nul_bytes_are_refused_not_crashed(app, db):
    user = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    assert client.get(f"/training/{HUGE}").status_code == 404
    assert client.get("/desk?edition=" + "9" * 30).status_code == 404
    refused = client.get("/faq?q=a%00b")
    assert refused.status_code == 400 and "“q”" in refused.get_data(as_text=True)
    asked = post(client, "/desk", {"body": "a\x00b", "category": "other"})
    assert asked.status_code == 400 and "control characters" in asked.get_data(as_text=True)
    assert "a\ufffdb</textarea>" in asked.get_data(as_text=True)  # the text stays, the NUL marked


def test_a_thirty_digit_department_in_a_form_is_refused_not_crashed(app, db):
    admin, learner = make_user(db, "admin"), make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, admin.employee_no)
    response = post(client, f"/admin/people/{learner.id}/grants", {"role": "manager", "department": "9" * 30})
    assert response.status_code == 400 and _is_portal_page(response, "en")


def test_nul_in_the_sign_in_name_is_a_form_error(client):
    token = csrf_token(client)
    response = client.post("/login", data={"username": "a\x00b", "password": "x" * 12, "csrf_token": token})
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)


def _url(rule, value) -> str:
    args = {}
    for name, converter in rule._converters.items():
        if type(converter).__name__ == "DatabaseIdConverter":
            args[name] = 1
        elif type(converter).__name__ == "AnyConverter":
            args[name] = next(iter(converter.items))
        else:
            args[name] = value
    return rule.build(args)[1]


def test_every_route_survives_huge_ids_and_nul_bytes(app, db):
    """Signed in with every role, for every rule: NUL in its text parts and the query string; 30-digit
    numbers in the query string and in the form fields ids travel in, with NUL in the text fields, by GET
    and by POST; and its int parts beyond range. Never a 500."""
    make_user(db, Role.DESK)  # id 1 and grant 1 are someone else's: the admin's POSTs must not sign us out
    person = make_user(db, *[r for r in Role if r != Role.LEARNER])
    db.commit()
    client = app.test_client()
    sign_in(client, person.employee_no)
    token = csrf_token(client, "/")
    numbers = "&".join(f"{name}={'9' * 30}" for name in ("edition", "module", "before", "against", "from", "section"))
    body = {"csrf_token": token, **dict.fromkeys(("body", "name", "code", "slug", "reason", "role"), "a\x00b")}
    body |= dict.fromkeys(("department", "assignee", "modules", "include", "exclude", "section", "edition"), "9" * 30)
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "accounts.logout"):
            continue
        methods = sorted(rule.methods & {"GET", "POST"})
        tries = [(_url(rule, "a\x00b") + "?q=a%00b", "GET")]
        tries += [(_url(rule, "x") + "?" + numbers, method) for method in methods]
        if any(type(c).__name__ == "DatabaseIdConverter" for c in rule._converters.values()):
            tries += [(re.sub(r"/1(?=/|\.|$)", f"/{HUGE}", _url(rule, "x")), method) for method in methods]
        for url, method in tries:
            if method not in rule.methods:
                continue
            response = client.open(url, method=method, data=body if method == "POST" else None)
            response.close()  # file downloads hold their file open until closed
            if response.status_code >= 500:
                failures.append((method, url, response.status_code))
    assert failures == []
    assert client.get("/").status_code == 200  # still signed in: every request above reached its view


class _Unreachable:
    """Points the app at a database that cannot be reached, then back."""

    def __init__(self, app):
        self.app, self.real = app, app.extensions["db"]

    def __enter__(self):
        url = "postgresql+psycopg://nobody@127.0.0.1:1/none" if PG_URL else "sqlite:////nonexistent/dir/x.db"
        self.app.extensions["db"] = Database(url)

    def __exit__(self, *exc):
        self.app.extensions["db"].engine.dispose()
        self.app.extensions["db"] = self.real


def test_an_unreachable_database_gives_signed_in_people_the_503_page_and_recovers(app, db, caplog):
    from learning.web import errors

    errors._seen.clear()  # the throttle is per process: earlier tests may have reported the same failure
    user = make_user(db, locale="ja")
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    with caplog.at_level(logging.WARNING, logger="learning.errors"), _Unreachable(app):
        pages = [client.get("/training", headers={"Accept-Language": "en"}) for _ in range(20)]
        api = client.get("/api/v1/me/status")
    assert {p.status_code for p in pages} == {503}
    assert _is_portal_page(pages[0], "ja")  # the person's own language, though the person was never loaded
    assert "サービス" in pages[0].get_data(as_text=True)
    assert api.status_code == 503 and api.is_json
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1 and tracebacks[0].getMessage().startswith("GET /training [")
    assert client.get("/training").status_code == 200  # the database is back: no restart needed


@pytest.mark.skipif(not PG_URL, reason="a connection dropped by the server is a PostgreSQL scenario")
def test_a_connection_dropped_in_the_middle_of_a_signed_in_request_gives_the_503_page(app, db):
    user = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    engine = app.extensions["db"].engine
    killer = create_engine(PG_URL)
    armed = {"on": True}

    @event.listens_for(engine, "after_cursor_execute")
    def _drop_after_loading_the_person(conn, cursor, statement, *args):
        if armed["on"] and "FROM users" in statement:
            armed["on"] = False
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with killer.begin() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    try:
        response = client.get("/training")
    finally:
        event.remove(engine, "after_cursor_execute", _drop_after_loading_the_person)
        killer.dispose()
    assert response.status_code == 503 and _is_portal_page(response, "en")
    assert client.get("/training").status_code == 200


def test_nothing_of_a_refused_request_is_kept_but_its_security_event(app, db):
    from learning.audit.models import AuditEvent

    learner = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, learner.employee_no)
    assert client.get("/campaigns").status_code == 403
    refusal = db.scalar(select(AuditEvent).where(AuditEvent.action == "authz_fail"))
    assert refusal is not None and refusal.actor_id == learner.id


def test_every_500_is_logged_with_its_request_id_and_traceback(failing_app, caplog):
    from learning.web import errors

    errors._seen.clear()
    with caplog.at_level(logging.ERROR, logger="learning.errors"):
        response = failing_app.test_client().get("/test/fail/500")
    (logged,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert response.headers["X-Request-ID"] in logged.getMessage() and logged.exc_info is not None
    assert "an unexpected failure" in logged.getMessage()
