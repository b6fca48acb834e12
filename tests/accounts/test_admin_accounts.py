"""The admin marks an account compromised and grants and revokes roles; each takes effect at once."""

from sqlalchemy import select

from learning.accounts.models import RoleGrant, User
from learning.audit.models import AuditEvent
from tests.conftest import csrf_token, post, sign_in
from tests.factories import make_department, make_user


def test_compromised_grant_and_revoke(app, db):
    branch = make_department(db, code="BR")
    admin = make_user(db, "admin", department=branch)
    person = make_user(db, department=branch)
    db.commit()
    client = app.test_client()
    sign_in(client, admin.employee_no)
    victim = app.test_client()
    sign_in(victim, person.employee_no)
    page = client.get(f"/admin/people?q={person.employee_no}").get_data(as_text=True)
    assert person.name in page and "Completed" not in page  # no training results for the admin

    post(client, f"/admin/people/{person.id}/compromised")
    assert victim.get("/").status_code == 302  # every session ended at once
    sign_in(victim, person.employee_no)
    assert victim.get("/training").location == "/account/password"

    refused = post(client, f"/admin/people/{person.id}/grants", {"role": "manager"})
    assert "A manager needs the department they head." in client.get(refused.location).get_data(as_text=True)
    post(client, f"/admin/people/{person.id}/grants", {"role": "manager", "department": str(branch.id)})
    grant = db.scalar(select(RoleGrant).where(RoleGrant.user_id == person.id))
    assert (grant.role, grant.department_id, grant.granted_by_id) == ("manager", branch.id, admin.id)
    post(client, f"/admin/grants/{grant.id}/revoke")
    db.expire_all()
    assert db.get(RoleGrant, grant.id).revoked_at is not None
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"user_marked_compromised", "privilege_granted", "privilege_revoked"} <= actions
    assert post(client, f"/admin/people/{person.id}/grants", {"role": "emperor"}).status_code == 302
    assert db.get(User, person.id).must_change_password
    assert client.post("/admin/grants/999999/revoke", data={"csrf_token": csrf_token(client, "/")}).status_code == 404
