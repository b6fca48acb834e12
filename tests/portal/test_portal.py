"""Home page, health, the desktop entry files and the desk placeholder."""

import pytest

from learning.app import create_app
from tests.conftest import EnglishClient, make_settings, sign_in
from tests.factories import make_assignment, make_edition, make_user


def test_health_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_503_while_the_database_is_unreachable_then_recovers(tmp_path):
    folder = tmp_path / "not-yet"
    app = create_app(make_settings(f"sqlite:///{folder}/portal.db", tmp_path / "i"))
    app.test_client_class = EnglishClient
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    page = sign_in(client, "someone")
    assert page.status_code == 503 and "The database cannot be reached" in page.get_data(as_text=True)
    folder.mkdir()  # the database comes back: no restart needed
    assert client.get("/healthz").status_code == 200
    app.extensions["db"].engine.dispose()


def test_home_shows_what_is_due_and_where_to_ask(db, client):
    user = make_user(db)
    edition = make_edition(db)
    make_assignment(db, user, edition, due_in_days=-1)
    db.commit()
    sign_in(client, user.employee_no)
    page = client.get("/").get_data(as_text=True)
    assert "sample course" in page and "Overdue" in page
    assert "/desk" in page and "Notices and messages" in page
    assert "Welcome, " + user.name in page
    assert client.get("/desk").status_code == 200


@pytest.mark.parametrize(
    ("env", "path", "expected"),
    [
        (
            {"PORTAL_URL": "https://portal.example.intra"},
            "/shortcut/portal.url",
            "[InternetShortcut]\r\nURL=https://portal.example.intra/\r\n",
        ),
        (
            {"PORTAL_URL": "https://portal.example.intra"},
            "/shortcut/portal.desktop",
            "URL=https://portal.example.intra/\n",
        ),
        ({"PORT": "8080"}, "/shortcut/portal.desktop", "URL=http://127.0.0.1:8080/\n"),  # no PORTAL_URL: PORT's
    ],
)
def test_desktop_entries_point_at_the_configured_address(database_url, tmp_path, db, env, path, expected):
    app = create_app(make_settings(database_url, tmp_path / "i", **env))
    user = make_user(db)
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    response = client.get(path)
    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    app.extensions["db"].engine.dispose()


def test_unknown_pages_get_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "shown"), [("trainer", True), ("learner", False)])
def test_the_menu_offers_what_questions_reveal_to_those_who_may_read_it(app, db, role, shown):
    person = make_user(db, role)
    db.commit()
    client = app.test_client()
    sign_in(client, person.employee_no)
    assert ('href="/desk/stats"' in client.get("/").get_data(as_text=True)) is shown


@pytest.mark.parametrize(("role", "work_links"), [("learner", []), ("compliance", ["/reports", "/campaigns"])])
def test_the_pages_of_someones_work_sit_in_one_menu_after_the_learners_own(app, db, role, work_links):
    """Everyone's own pages stay on the bar; the pages of a role's work sit in the "Work menu" (a <details>,
    opened without JavaScript), which a learner with none does not get."""
    person = make_user(db, role)
    db.commit()
    client = EnglishClient(app, app.response_class)
    sign_in(client, person.employee_no)
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index("<nav") : page.index("</nav>")]
    bar = nav.split('<details class="nav-more">')[0]
    for own in ("/training", "/desk", "/faq", "/rules", "/pledges"):
        assert f'href="{own}"' in bar
    if not work_links:
        assert "nav-more" not in nav and "Work menu" not in nav
        return
    menu = nav[nav.index('<details class="nav-more">') :]
    assert "<summary>Work menu</summary>" in menu
    for link in work_links:
        assert f'href="{link}"' in menu and f'href="{link}"' not in bar
