"""Roster and department imports: joiners, movers, leavers; all-or-nothing; idempotent."""

from sqlalchemy import func, select

from learning.accounts.hrfiles import FileRejected
from learning.accounts.imports import apply_departments, apply_roster, plan_roster
from learning.accounts.models import Department, PersonnelEvent, RoleGrant, User
from learning.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import make_department, make_user

HEADER = "employee_no,name,email,department_code,status\n"


def roster(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def test_joiners_movers_and_leavers(db, client, app):
    grid = make_department(db, code="G-CC")
    retail = make_department(db, code="R-SALES")
    mover = make_user(db, "manager", department=grid, scope=grid, employee_no="M1", name="移動 する")
    leaver = make_user(db, "desk", department=retail, employee_no="L1", name="辞める 人")
    stayer = make_user(db, department=retail, employee_no="S1", name="残る 人", email="s1@example.jp")
    db.commit()
    mover_client = app.test_client()
    assert sign_in(mover_client, "M1").status_code == 302

    data = roster(
        "N1,新人 太郎,n1@example.jp,R-SALES,active",
        "M1,移動 する,,R-SALES,active",
        "L1,辞める 人,,R-SALES,left",
        "S1,残る 人,s1@example.jp,R-SALES,active",
    )
    plan = apply_roster(db, data, actor_id=None)
    db.commit()
    assert plan.counts == {"new": 1, "changed": 0, "transferred": 1, "leaving": 1, "unchanged": 1}

    joiner = db.scalar(select(User).where(User.employee_no == "N1"))
    assert joiner.password_hash is None and joiner.status == "active" and joiner.department_id == retail.id
    db.expire_all()
    moved = db.get(User, mover.id)
    assert moved.department_id == retail.id and moved.session_version == 2
    assert (
        db.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .where(RoleGrant.user_id == mover.id, RoleGrant.revoked_at.is_(None))
        )
        == 0
    )
    assert mover_client.get("/").status_code == 302  # the transferred manager's session ended at once
    gone = db.get(User, leaver.id)
    assert gone.status == "left" and gone.session_version == 2
    assert (
        db.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .where(RoleGrant.user_id == leaver.id, RoleGrant.revoked_at.is_(None))
        )
        == 0
    )
    assert db.get(User, stayer.id).session_version == 1
    events = {(e.user_id, e.kind) for e in db.scalars(select(PersonnelEvent))}
    assert events == {(joiner.id, "hire"), (mover.id, "transfer"), (leaver.id, "leave")}
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"user_created", "user_transferred", "user_deactivated", "roster_import"} <= actions


def test_second_import_of_the_same_file_changes_nothing(db):
    make_department(db, code="R-SALES")
    data = roster("N1,新人 太郎,n1@example.jp,R-SALES,active", "N2,新人 花子,,R-SALES,leave")
    apply_roster(db, data, actor_id=None)
    db.commit()
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    plan = apply_roster(db, data, actor_id=None)
    assert plan.writes_nothing and plan.counts["unchanged"] == 2
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_bad_row_writes_nothing(db):
    make_department(db, code="R-SALES")
    data = roster("N1,新人 太郎,n1@example.jp,R-SALES,active", "N1,重複,,R-SALES,active")
    try:
        apply_roster(db, data, actor_id=None)
    except FileRejected as exc:
        assert [p.english() for p in exc.problems] == [
            "Line 3, column employee_no: 'N1' appears again (first on line 2)."
        ]
    else:
        raise AssertionError("the duplicate was not refused")
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_dry_run_writes_nothing(db):
    make_department(db, code="R-SALES")
    plan, _ = plan_roster(db, roster("N1,新人 太郎,,R-SALES,active"))
    assert plan.counts["new"] == 1
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_department_import_creates_reparents_and_is_idempotent(db):
    make_department(db, code="ROOT")
    data = "code,name_ja,name_en,parent_code\nS1,課,Section,B1\nB1,支店,Branch,ROOT\n".encode()
    plan = apply_departments(db, data, actor_id=None)
    assert plan.counts["new"] == 2
    db.commit()
    assert apply_departments(db, data, actor_id=None).writes_nothing
    moved = "code,name_ja,name_en,parent_code\nS1,課,Section,ROOT\n".encode()
    assert apply_departments(db, moved, actor_id=None).counts["transferred"] == 1
    db.commit()
    db.expire_all()
    section = db.scalar(select(Department).where(Department.code == "S1"))
    assert db.get(Department, section.parent_id).code == "ROOT"


def test_cli_roster_import_reports_and_exits_non_zero_on_errors(app, db, tmp_path):
    make_department(db, code="R-SALES")
    db.commit()
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(roster("N1,新人 太郎,,R-SALES,active").decode().encode("cp932"))
    bad.write_bytes(roster("N2,誰か,,NOWHERE,active"))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["roster", "import", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "would change: 1 new" in dry.output
    assert db.scalar(select(func.count()).select_from(User)) == 0
    applied = runner.invoke(args=["roster", "import", str(good)])
    assert applied.exit_code == 0 and "applied: 1 new" in applied.output
    again = runner.invoke(args=["roster", "import", str(good)])
    assert "nothing to change" in again.output
    refused = runner.invoke(args=["roster", "import", str(bad)])
    assert refused.exit_code == 1
    assert "Line 2, column department_code: No department has the code 'NOWHERE'." in refused.output


def test_a_file_over_the_size_cap_is_refused_before_reading(app, tmp_path):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # 100 MB (sparse: nothing is really written)
    result = app.test_cli_runner().invoke(args=["roster", "import", str(huge)])
    assert result.exit_code == 1
    assert "The file is larger than 50 MB. Nothing was written." in result.output
