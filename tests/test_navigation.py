"""The main navigation is rendered once per language and set of roles and kept (web/navigation.py): the
roles are still read on every request, so a role granted or ended shows at the next page."""

from sqlalchemy import select

from learning import clock
from learning.accounts.models import RoleGrant
from tests.conftest import sign_in
from tests.factories import make_department, make_user


def nav_of(client) -> str:
    page = client.get("/training").get_data(as_text=True)
    return page.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]


def test_a_role_granted_or_ended_changes_the_navigation_at_the_next_page(app, db, client):
    branch = make_department(db, code="BR")
    person = make_user(db, department=branch)
    db.commit()
    sign_in(client, person.employee_no)
    assert "My training" in nav_of(client) and "Self-inspections" not in nav_of(client)

    db.add(RoleGrant(user_id=person.id, role="manager", department_id=branch.id, granted_at=clock.now()))
    db.commit()
    assert "Self-inspections" in nav_of(client)  # the grant, at the very next page

    grant = db.scalar(select(RoleGrant).where(RoleGrant.user_id == person.id, RoleGrant.role == "manager"))
    grant.revoked_at, grant.status, grant.end_reason = clock.now(), "ended", "revoked"
    db.commit()
    assert "Self-inspections" not in nav_of(client)


def test_each_language_has_its_own_navigation(app, db, client):
    person = make_user(db)
    db.commit()
    sign_in(client, person.employee_no)
    assert ">My training<" in nav_of(client)
    person.locale = "ja"
    db.commit()
    japanese = nav_of(client)
    assert ">受講一覧<" in japanese and "My training" not in japanese
