"""The admin's HR upload: dry run first, then apply; errors in the admin's language; the outbox page."""

import io

from sqlalchemy import func, select

from learning.accounts.models import Department, PendingImport, User
from learning.notify.models import OutboxMessage
from tests.conftest import csrf_token, sign_in
from tests.factories import make_department, make_user


def upload(client, kind: str, data: bytes, name: str = "roster.csv"):
    token = csrf_token(client, "/admin/imports")
    return client.post(
        "/admin/imports",
        data={"kind": kind, "file": (io.BytesIO(data), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


def admin_client(db, app, locale="en"):
    make_department(db, code="R-SALES")
    admin = make_user(db, "admin", locale=locale)
    db.commit()
    client = app.test_client()
    sign_in(client, admin.employee_no)
    return client


def test_dry_run_then_apply_then_nothing_to_change(db, app):
    client = admin_client(db, app)
    data = "employee_no,name,email,department_code,status\nN1,新人 太郎,n1@example.jp,R-SALES,active\n".encode("cp932")
    preview = upload(client, "roster", data)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Check before applying" in page and "新人 太郎" in page
    assert db.scalar(select(func.count()).select_from(User).where(User.employee_no == "N1")) == 0
    pending = db.scalar(select(PendingImport))
    applied = client.post(
        f"/admin/imports/{pending.id}/apply", data={"csrf_token": csrf_token(client, "/admin/imports")}
    )
    assert applied.status_code == 200 and "Import applied" in applied.get_data(as_text=True)
    assert db.scalar(select(User).where(User.employee_no == "N1")).status == "active"
    assert db.scalar(select(OutboxMessage)).kind == "invitation"
    again = upload(client, "roster", data).get_data(as_text=True)
    assert "Nothing to change" in again and "Apply these changes" not in again


def test_the_dry_run_names_fields_statuses_and_departments_in_the_admins_language(db, app):
    client = admin_client(db, app, locale="ja")
    sales = db.scalar(select(Department).where(Department.code == "R-SALES"))
    sales.name_ja = "小売営業課"
    grid = make_department(db, code="G-CC")
    grid.name_ja = "託送コールセンター"
    make_user(db, department=grid, employee_no="M1", name="異動 花子", email="m1@example.jp")
    make_user(db, department=sales, employee_no="L1", name="退職 次郎", email="l1@example.jp")
    db.commit()
    data = (
        "employee_no,name,email,department_code,status\n"
        "M1,異動 花子,m1@example.jp,R-SALES,active\nL1,退職 次郎,l1@example.jp,R-SALES,left\n"
    ).encode()
    page = upload(client, "roster", data).get_data(as_text=True)
    assert "部署: 託送コールセンター (G-CC)" in page and "部署: 小売営業課 (R-SALES)" in page
    assert "状況: 在籍" in page and "状況: 退職" in page
    assert "department:" not in page and "status:" not in page


def test_errors_name_line_and_column_in_japanese_and_nothing_is_written(db, app):
    client = admin_client(db, app, locale="ja")
    data = "employee_no,name,email,department_code,status\nN1,新人,bad,NOWHERE,active\n".encode()
    response = upload(client, "roster", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "2行目、email列：「bad」はメールアドレスではありません。" in page
    assert "2行目、department_code列：コード「NOWHERE」の部署はありません。" in page
    assert db.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_departments_upload_and_outbox_page(db, app):
    client = admin_client(db, app)
    data = "code,name_ja,name_en,parent_code\nR-EAST,東支店,East Branch,R-SALES\n".encode()
    page = upload(client, "departments", data, "departments.csv").get_data(as_text=True)
    assert "East Branch" not in page or "R-EAST" in page
    pending = db.scalar(select(PendingImport))
    client.post(f"/admin/imports/{pending.id}/apply", data={"csrf_token": csrf_token(client, "/admin/imports")})
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert "No SMTP server is configured" in outbox


def test_another_admins_upload_cannot_be_applied(db, app):
    client = admin_client(db, app)
    data = "employee_no,name,email,department_code,status\nN1,新人,,R-SALES,active\n".encode()
    upload(client, "roster", data)
    pending = db.scalar(select(PendingImport))
    other = make_user(db, "admin")
    db.commit()
    other_client = app.test_client()
    sign_in(other_client, other.employee_no)
    response = other_client.post(
        f"/admin/imports/{pending.id}/apply", data={"csrf_token": csrf_token(other_client, "/admin/imports")}
    )
    assert response.status_code == 404
