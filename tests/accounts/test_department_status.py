"""The org CSV's status column: departments abolished or merged once nobody is left in them, every bad line
named and nothing applied; their history stays; the departments page and its CSV."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from learning.accounts.errors import AccountError
from learning.accounts.grants import request_grant
from learning.accounts.hrfiles import FileRejected
from learning.accounts.imports import apply_departments, apply_roster, plan_departments
from learning.accounts.models import Department
from learning.audit.models import AuditEvent
from tests.conftest import csrf_token, sign_in
from tests.factories import make_department, make_user

HEADER = "code,name_ja,name_en,parent_code,status,merged_into\n"


def org(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


@pytest.fixture
def tree(db):
    retail = make_department(db, code="R")
    sales = make_department(db, code="R-SALES", parent=retail)
    old = make_department(db, code="R-OLD", parent=retail)
    under_old = make_department(db, code="R-OLD-1", parent=old)
    return retail, sales, old, under_old


def problems(call) -> list[str]:
    with pytest.raises(FileRejected) as caught:
        call()
    return [p.english() for p in caught.value.problems]


def test_abolishing_a_department_with_people_in_it_is_refused_naming_the_line(db, tree):
    _retail, _sales, old, under_old = tree
    make_user(db, department=old, employee_no="P1")
    make_user(db, department=old, employee_no="P2", status="leave")  # on leave: still in it
    make_user(db, department=old, employee_no="P3", status="left")  # gone: does not count
    data = org("R-SALES,営業,Sales,R,active,", "R-OLD,旧課,Old section,R,abolished,")
    assert problems(lambda: plan_departments(db, data)) == [
        "Line 3, column status: Department 'R-OLD' cannot be closed: 2 people are still in it. Move them with "
        "the roster first.",
        "Line 3, column status: Department 'R-OLD' cannot be closed: department 'R-OLD-1' under it stays open.",
    ]
    with pytest.raises(FileRejected):
        apply_departments(db, data, actor_id=None)
    assert db.get(Department, old.id).status == "active" and db.get(Department, under_old.id).status == "active"


def test_a_merge_closes_the_department_and_keeps_its_history(db, tree):
    _retail, sales, old, under_old = tree
    person = make_user(db, department=old, employee_no="P1")
    mover = "employee_no,name,email,department_code,status\nP1,移る 人,,R-SALES,active\n".encode()
    apply_roster(db, mover, actor_id=None)
    plan = apply_departments(
        db, org("R-OLD-1,旧係,Old unit,R-OLD,abolished,", "R-OLD,旧課,Old section,R,merged,R-SALES"), actor_id=None
    )
    assert plan.counts["leaving"] == 2
    db.expire_all()
    merged = db.get(Department, old.id)
    assert (merged.status, merged.merged_into_id, merged.name_ja) == ("merged", sales.id, "旧課")
    assert merged.closed_at is not None and db.get(Department, under_old.id).status == "abolished"
    closed = db.scalars(select(AuditEvent.details).where(AuditEvent.action == "department_closed")).all()
    assert {json.loads(d)["code"] for d in closed} == {"R-OLD", "R-OLD-1"}
    assert db.get(type(person), person.id).department_id == sales.id
    # A closed department takes nobody in, and heads nobody.
    back = "employee_no,name,email,department_code,status\nP1,移る 人,,R-OLD,active\n".encode()
    assert problems(lambda: apply_roster(db, back, actor_id=None)) == [
        "Line 2, column department_code: Department 'R-OLD' is abolished or merged: nobody can be placed in it."
    ]
    admin = make_user(db, "admin", employee_no="ADM")
    with pytest.raises(AccountError) as refused:
        request_grant(db, db.get(type(person), person.id), "manager", old.id, admin)
    assert refused.value.code == "closed_scope"
    # A file in the older format (no status column) leaves the closed departments closed.
    older = "code,name_ja,name_en,parent_code\nR-OLD,旧課,Old section,R\n".encode()
    assert plan_departments(db, older)[0].counts["unchanged"] == 1


def test_every_bad_status_line_is_named(db, tree):
    data = org(
        "R-SALES,営業,Sales,R,closed,",
        "R-OLD-1,旧係,Old unit,R-OLD,merged,",
        "R-X,新,New,R,active,R-SALES",
        "R-Y,新,New,R,merged,NOWHERE",
        "R-Z,新,New,R,merged,R-Z",
    )
    assert problems(lambda: plan_departments(db, data)) == [
        "Line 2, column status: 'closed' is not a department status; use active, abolished or merged.",
        "Line 3, column merged_into: A merged department needs the code of the department it was merged into.",
        "Line 4, column merged_into: Only a merged department (status merged) names a department it went into.",
        "Line 5, column merged_into: No department has the code 'NOWHERE' in this file or the system.",
        "Line 6, column merged_into: A department cannot be merged into itself.",
    ]
    into_closed = org("R-OLD-1,旧係,Old unit,R-OLD,abolished,", "R-SALES,営業,Sales,R,merged,R-OLD-1")
    assert "cannot take a merger" in problems(lambda: plan_departments(db, into_closed))[0]


def test_the_departments_page_and_its_csv(db, app, client, tree):
    _retail, sales, _old, under_old = tree
    make_user(db, "manager", department=sales, scope=sales, employee_no="HEAD", name="部長 一人")
    make_user(db, department=under_old, employee_no="P9")
    make_user(db, "admin", employee_no="ADM", login_id="it-admin")
    db.commit()
    assert sign_in(client, "it-admin").status_code == 302
    page = client.get("/admin/departments")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "R-SALES" in body and "部長 一人" in body and "(1 with the departments under it)" in body
    download = client.get("/admin/departments.csv")
    assert download.status_code == 200
    raw = download.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Departments"] and rows[2][0] == "As of" and rows[2][1].endswith("JST")
    header = next(r for r in rows if r and r[0] == "Code")
    lines = {r[0]: dict(zip(header, r, strict=True)) for r in rows[rows.index(header) + 1 :]}
    assert lines["R-SALES"]["Head"] == "部長 一人 (HEAD)" and lines["R-SALES"]["Parent code"] == "R"
    assert lines["R"]["People with the departments under it"] == "2" and lines["R-OLD-1"]["People"] == "1"
    assert lines["R-OLD"]["Status"] == "In use" and lines["R-OLD"]["status_code"] == "active"
    assert client.get("/admin/departments.csv?status=closed").status_code == 200


def test_a_closed_department_is_no_longer_offered_in_pickers(db, app, client, tree):
    _retail, sales, _old, _under_old = tree
    apply_departments(db, org("R-OLD-1,旧係,Unit to abolish,R-OLD,abolished,"), actor_id=None)
    make_user(db, "compliance", employee_no="CMP", login_id="office")
    make_user(db, "admin", employee_no="ADM", login_id="it-admin")
    db.commit()
    office = app.test_client()
    assert sign_in(office, "office").status_code == 302
    form = office.get("/campaigns/new").get_data(as_text=True)
    assert "Unit to abolish" not in form and sales.name_en in form
    assert sign_in(client, "it-admin").status_code == 302
    accounts = client.get("/admin/people?q=CMP").get_data(as_text=True)
    assert "R-OLD-1" not in accounts and "R-SALES" in accounts


def test_the_dry_run_page_names_the_refused_line_in_japanese(db, app, tree):
    _retail, _sales, old, _under_old = tree
    make_user(db, department=old, employee_no="P1")
    make_user(db, "admin", employee_no="ADM", login_id="it-admin", locale="ja")
    db.commit()
    client = app.test_client()
    assert sign_in(client, "it-admin").status_code == 302
    data = org("R-OLD-1,旧係,Old unit,R-OLD,abolished,", "R-OLD,旧課,Old section,R,merged,R-SALES")
    response = client.post(
        "/admin/imports",
        data={
            "kind": "departments",
            "file": (io.BytesIO(data), "org.csv"),
            "csrf_token": csrf_token(client, "/admin/imports"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "部署「R-OLD」は廃止・統合できません。まだ1名が所属しています。" in response.get_data(as_text=True)
    assert "3行目、status列：部署「R-OLD」" in response.get_data(as_text=True)
    assert db.get(Department, old.id).status == "active"
