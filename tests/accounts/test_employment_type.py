"""The roster's optional employment_type column (issue 19 item 3): read in UTF-8 and CP932, a code or the
Japanese word, an unknown value named by line and column, a file without the column leaving types as they are."""

import json

import pytest
from sqlalchemy import select

from learning.accounts.hrfiles import FileRejected, read_roster
from learning.accounts.imports import apply_roster, plan_roster
from learning.accounts.models import User
from learning.audit.models import AuditEvent
from tests.factories import make_department, make_user

HEADER = "employee_no,name,email,department_code,status,name_kana,employment_type\n"


def roster(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode(encoding)


def types(db) -> dict[str, str | None]:
    db.expire_all()
    return dict(db.execute(select(User.employee_no, User.employment_type)).all())


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_the_column_sets_each_persons_kind_of_employment(db, encoding):
    department = make_department(db, code="G-NET")
    make_user(db, employee_no="E1", department=department, name="社員 一郎")
    db.commit()
    data = roster(
        "E1,社員 一郎,,G-NET,active,,regular",
        "T1,派遣 花子,,G-NET,active,,派遣社員",
        "S1,出向 次郎,,G-NET,active,,secondee",
        "O1,役員 三郎,,G-NET,active,,役員",
        "P1,短時間 四子,,G-NET,active,,Part_Time",
        "U1,未記入 五郎,,G-NET,active,,",
        encoding=encoding,
    )
    plan, _rows = plan_roster(db, data)
    assert plan.counts["new"] == 5 and plan.counts["changed"] == 1
    apply_roster(db, data, actor_id=None)
    db.commit()
    found = types(db)
    assert {k: found[k] for k in ("E1", "T1", "S1", "O1", "P1", "U1")} == {
        "E1": "regular",
        "T1": "temporary",
        "S1": "secondee",
        "O1": "officer",
        "P1": "part_time",
        "U1": None,
    }
    changed = db.scalars(select(AuditEvent).where(AuditEvent.action == "user_updated")).all()
    assert [json.loads(e.details)["employment_type"] for e in changed] == ["regular"]


def test_an_unknown_kind_is_named_by_line_and_column_and_nothing_is_written(db):
    make_department(db, code="G-NET")
    db.commit()
    data = roster("A1,甲,,G-NET,active,,temporary", "A2,乙,,G-NET,active,,インターン", encoding="cp932")
    with pytest.raises(FileRejected) as rejected:
        apply_roster(db, data, actor_id=None)
    db.rollback()
    assert rejected.value.english() == (
        "Line 3, column employment_type: 'インターン' is not a kind of employment; use one of regular, contract, "
        "part_time, temporary, secondee, officer (or leave it empty)."
    )
    assert db.scalar(select(User).where(User.employee_no == "A1")) is None


def test_a_file_without_the_column_leaves_the_kinds_as_they_are(db):
    department = make_department(db, code="G-NET")
    person = make_user(db, employee_no="E1", department=department, name="社員 一郎")
    person.employment_type = "secondee"
    db.commit()
    older = roster("E1,社員 一郎,,G-NET,active", header="employee_no,name,email,department_code,status\n")
    plan, _rows = plan_roster(db, older)
    assert plan.changes[0].before["employment_type"] == plan.changes[0].after["employment_type"] == "secondee"
    current = roster("E1,社員 一郎,,G-NET,active,", header="employee_no,name,email,department_code,status,name_kana\n")
    apply_roster(db, current, actor_id=None)
    db.commit()
    assert types(db)["E1"] == "secondee"


def test_the_old_headers_still_read_and_a_wrong_one_is_refused():
    rows = read_roster(roster("E1,甲,,D,active,,officer", header=HEADER), {"D"})
    assert (rows[0].employment_type, rows[0].has_employment) == ("officer", True)
    rows = read_roster(
        roster("E1,甲,,D,active,temporary", header="employee_no,name,email,department_code,status,employment_type\n"),
        {"D"},
    )
    assert rows[0].employment_type == "temporary" and rows[0].name_kana is None
    with pytest.raises(FileRejected):
        read_roster(roster("E1,甲,,D,active", header="employee_no,name,email,department_code,employment_type\n"), {"D"})
