"""A contractor's staff file: dry run, all or nothing, every problem by line and column, CP932 read."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts import contractor_staff, contractors
from learning.accounts.models import PendingImport, RoleGrant, User
from learning.notify.models import OutboxMessage
from tests.conftest import csrf_token, sign_in
from tests.factories import make_department, make_user

HEADER = "staff_no,name,email,contract_reference,ends_on,role\n"


@pytest.fixture
def company(db):
    clock.freeze(datetime(2026, 6, 10, 3, 0, tzinfo=UTC))
    make_department(db, code="G-NET")
    make_user(db, employee_no="OWN1")
    company = contractors.create_company(db, None, "K-METER", "検針サービス", "Meter Services")
    contract = contractors.add_contract(
        db,
        None,
        company,
        reference="C-001",
        sponsor_code="G-NET",
        owner_employee_no="OWN1",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 9, 30),
    )
    contractor_staff.create_staff(
        db, None, contract, name="既存 一郎", staff_no="S9", email=None, ends_on=date(2026, 9, 30)
    )
    db.commit()
    yield company
    clock.freeze(None)


def officer_client(db, app):
    officer = make_user(db, "compliance")
    db.commit()
    client = app.test_client()
    sign_in(client, officer.employee_no)
    return client


def upload(client, company, data: bytes):
    page = f"/contractors/{company.id}"
    return client.post(
        f"{page}/import",
        data={"file": (io.BytesIO(data), "staff.csv"), "csrf_token": csrf_token(client, page)},
        content_type="multipart/form-data",
    )


def test_every_problem_is_named_by_line_and_column_and_nothing_is_written(db, app, company):
    client = officer_client(db, app)
    data = (
        HEADER
        + "S1,委託 一,s1@example.jp,C-001,2026-10-01,\n"  # after the contract's end
        + "S2,委託 二,,C-001,2026-09-30,\n"
        + "S2,委託 三,,C-001,2026-09-30,\n"  # the same staff number again
        + "S3,委託 四,,C-999,2026-09-30,\n"  # no such contract
        + "S4,委託 五,,C-001,2026-09-30,admin\n"  # a privileged role
        + "S9,委託 六,,C-001,2026-09-30,\n"  # already has an account
    ).encode()
    refused = upload(client, company, data)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    problems = re.findall(r"<li>(Line [^<]*)</li>", body)
    assert problems == [
        "Line 2, column ends_on: The end date cannot be after the contract&#39;s end (Sep 30, 2026).",
        "Line 4, column staff_no: &#39;S2&#39; appears again (first on line 3).",
        "Line 5, column contract_reference: No contract of this company has the reference &#39;C-999&#39;.",
        "Line 6, column role: &#39;admin&#39;: a contractor&#39;s staff can be only a learner (empty)"
        " or contractor_head.",
        "Line 7, column staff_no: Staff number &#39;S9&#39; already has an account at this company.",
    ]
    assert db.scalar(select(func.count()).select_from(User).where(User.kind == "contractor")) == 1
    assert db.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_a_cp932_file_is_checked_then_applied_with_invitations_codes_and_a_supervisor(db, app, company):
    client = officer_client(db, app)
    data = HEADER + "S1,検針 花子,s1@example.jp,C-001,2026-09-30,contractor_head\nS2,検針 太郎,,C-001,2026-08-31,\n"
    preview = upload(client, company, data.encode("cp932"))
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "検針 花子" in body and "Nothing has been changed yet" in body
    assert db.scalar(select(func.count()).select_from(User).where(User.kind == "contractor")) == 1
    pending = db.scalar(select(PendingImport))
    page = f"/contractors/{company.id}"
    applied = client.post(f"{page}/import/{pending.id}/apply", data={"csrf_token": csrf_token(client, page)})
    body = applied.get_data(as_text=True)
    assert applied.status_code == 200 and "Import applied" in body
    hanako = db.scalar(select(User).where(User.name == "検針 花子"))
    taro = db.scalar(select(User).where(User.name == "検針 太郎"))
    assert (hanako.ends_on, taro.ends_on) == (date(2026, 9, 30), date(2026, 8, 31))
    assert db.scalar(select(OutboxMessage.to_address).where(OutboxMessage.kind == "invitation")) == "s1@example.jp"
    assert re.search(rf"{taro.employee_no}</code></td><td><code class=\"code\">[0-9A-Z-]+</code>", body)
    assert db.scalar(select(RoleGrant.role).where(RoleGrant.user_id == hanako.id)) == "contractor_head"
    again = client.post(f"{page}/import/{pending.id}/apply", data={"csrf_token": csrf_token(client, page)})
    assert again.status_code == 302
    assert db.scalar(select(func.count()).select_from(User).where(User.kind == "contractor")) == 3
