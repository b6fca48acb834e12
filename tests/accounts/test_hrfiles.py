"""Reading HR files: encodings, strict columns, every problem with line and column."""

import pytest

from learning.accounts.hrfiles import MAX_BYTES, FileRejected, decode, read_departments, read_roster

HEADER = "employee_no,name,email,department_code,status\n"


def problems(call) -> list[str]:
    with pytest.raises(FileRejected) as caught:
        call()
    return [p.english() for p in caught.value.problems]


def test_utf8_with_and_without_bom_and_shift_jis():
    text = HEADER + "E1,山田 花子,h@example.jp,S1,active\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("cp932"), text.encode("shift_jis")):
        (row,) = read_roster(data, {"S1"})
        assert (row.employee_no, row.name, row.status) == ("E1", "山田 花子", "active")


def test_undecodable_bytes_name_the_line():
    data = (HEADER + "E1,a,,S1,active\n").encode() + b"E2,\xff\xfe\xfa,,S1,active\n"
    assert problems(lambda: decode(data)) == [
        "Line 3: The file is neither UTF-8 nor Shift_JIS (the first undecodable byte is on this line)."
    ]


def test_header_must_match_exactly():
    assert problems(lambda: read_roster(b"employee_no,name,department_code,status\n", set())) == [
        "Line 1: The header must be exactly: employee_no,name,email,department_code,status,name_kana, or the older "
        "employee_no,name,email,department_code,status (found: employee_no,name,department_code,status)."
    ]
    assert "header must be exactly" in problems(lambda: read_roster((HEADER.strip() + ",extra\n").encode(), set()))[0]


def test_every_row_problem_is_listed():
    data = (HEADER + "E1,a,not-an-email,S9,retired\n,b,,S1,active\nE1,c,,S1,active\nE/4,d,,S1,active\nE5,e\n").encode()
    assert problems(lambda: read_roster(data, {"S1"})) == [
        "Line 2, column email: 'not-an-email' is not an email address.",
        "Line 2, column status: 'retired' is not a status; use active, leave or left.",
        "Line 2, column department_code: No department has the code 'S9'.",
        "Line 3, column employee_no: A value is required.",
        "Line 4, column employee_no: 'E1' appears again (first on line 2).",
        "Line 5, column employee_no: Letters, digits, '-' and '_' only (up to 20).",
        "Line 6: Expected 5 values, found 2.",
    ]


def test_size_cap():
    assert problems(lambda: decode(b"x" * (MAX_BYTES + 1))) == ["The file is larger than 50 MB."]


def test_departments_with_unknown_parent_and_cycles():
    data = ("code,name_ja,name_en,parent_code\nA,甲,A,C\nB,乙,B,A\nC,丙,C,B\nD,丁,D,ZZ\nE,戊,E,E\n").encode()
    found = problems(lambda: read_departments(data, {}))
    assert "Line 2, column parent_code: Department 'A' would become its own ancestor." in found
    assert "Line 5, column parent_code: No department has the code 'ZZ' in this file or the system." in found
    assert "Line 6, column parent_code: A department cannot be its own parent." in found


def test_departments_may_come_in_any_order_and_refer_to_existing_ones():
    data = "code,name_ja,name_en,parent_code\nS1,課,Section,B1\nB1,支店,Branch,ROOT\n".encode()
    rows = read_departments(data, {"ROOT": None})
    assert [(r.code, r.parent_code) for r in rows] == [("S1", "B1"), ("B1", "ROOT")]


def test_control_characters_in_a_cell_name_the_line_and_column():
    data = (HEADER + "E1,山田\x00花子,,S1,active\nE2,b,,S1,active\n").encode()
    assert problems(lambda: read_roster(data, {"S1"})) == [
        "Line 2, column name: The value contains a control character (such as NUL)."
    ]
    departments = b"code,name_ja,name_en,parent_code\nS1,\x07,Sales,\n"
    assert (
        "Line 2, column name_ja: The value contains a control character"
        in problems(lambda: read_departments(departments, {}))[0]
    )
