"""People search: kanji, kana in any width or script, partial employee numbers and emails, within the
searcher's scope; and the pages that use it."""

import pytest

from learning.accounts import search
from learning.accounts.imports import apply_roster
from learning.accounts.kana import normalise
from tests.conftest import PG_URL, sign_in
from tests.factories import make_department, make_user


def test_width_and_script_are_folded():
    assert normalise("ｼﾐｽﾞ") == normalise("しみず") == normalise("シミズ") == "シミズ"
    assert normalise("Ｅ１２　３") == "E12 3"


@pytest.fixture
def people(db):
    grid = make_department(db, code="G")
    call_centre = make_department(db, code="G-CC", parent=grid)
    retail = make_department(db, code="R")
    found = {
        "shimizu": make_user(
            db, department=call_centre, employee_no="G1001", name="清水 太郎", name_kana="シミズ タロウ"
        ),
        "shimizu_r": make_user(db, department=retail, employee_no="R2002", name="清水 花子", name_kana="シミズ ハナコ"),
        "sato": make_user(
            db, department=retail, employee_no="R2003", name="佐藤 さくら", email="Sakura.Sato@example.jp"
        ),
        "percent": make_user(db, department=retail, employee_no="R2_04", name="100% 太郎"),
    }
    db.flush()
    return grid, call_centre, retail, found


def names(found):
    return [person.name for person, _department in found.people]


def test_kanji_kana_in_any_width_and_partial_numbers_find_people(db, people):
    _grid, _cc, _retail, found = people
    for typed in ("清水", "ｼﾐｽﾞ", "しみず", "シミズ", "しみず　たろう"):
        assert set(names(search.search(db, typed, None))) >= {"清水 太郎"}, typed
    assert names(search.search(db, "ｼﾐｽﾞ", None)) == ["清水 太郎", "清水 花子"]  # sorted by reading
    assert names(search.search(db, "清水 花", None)) == ["清水 花子"]  # every word must match
    assert names(search.search(db, "さくら", None)) == ["佐藤 さくら"]  # hiragana in the name itself
    assert names(search.search(db, "サクラ", None)) == ["佐藤 さくら"]
    assert names(search.search(db, "ｇ１００", None)) == ["清水 太郎"]  # part of an employee number, full width
    assert names(search.search(db, "sakura.sato@EXAMPLE", None)) == ["佐藤 さくら"]
    assert names(search.search(db, "100%", None)) == ["100% 太郎"]  # % and _ are what was typed, not wildcards
    assert names(search.search(db, "R2_", None)) == ["100% 太郎"]
    assert search.search(db, "", None).total == 0
    assert search.by_number(db, "Ｇ１００１").id == found["shimizu"].id


def test_a_manager_finds_only_people_in_their_subtrees(db, people):
    grid, call_centre, _retail, _found = people
    in_grid = search.search(db, "清水", {grid.id, call_centre.id})
    assert names(in_grid) == ["清水 太郎"]
    assert search.search(db, "清水", set()).total == 0  # no scope at all: nobody
    assert search.by_number(db, "R2002", {grid.id, call_centre.id}) is None


def test_results_are_paged_sorted_and_capped(db):
    department = make_department(db, code="BIG")
    for n in range(search.MAX_RESULTS + 5):
        make_user(db, department=department, employee_no=f"P{n:04d}", name=f"山田 {n:04d}")
    db.flush()
    first = search.search(db, "山田", None, sort="employee_no", page=1)
    assert (first.total, first.capped, first.pages) == (
        search.MAX_RESULTS,
        True,
        search.MAX_RESULTS // search.PAGE_SIZE,
    )
    assert [p.employee_no for p, _d in first.people][:2] == ["P0000", "P0001"]
    second = search.search(db, "山田", None, sort="employee_no", page=2)
    assert second.people[0][0].employee_no == f"P{search.PAGE_SIZE:04d}"
    beyond = search.search(db, "山田", None, sort="nonsense", page=999)  # an unknown sort: by name; page clamped
    assert beyond.page == beyond.pages


def test_the_roster_reading_column_is_stored_normalised(db):
    make_department(db, code="S1")
    header = "employee_no,name,email,department_code,status,name_kana\n"
    apply_roster(db, (header + "K1,清水 一郎,,S1,active,ｼﾐｽﾞ ｲﾁﾛｳ\n").encode(), actor_id=None)
    assert names(search.search(db, "いちろう", None)) == ["清水 一郎"]
    # A file without the column leaves the reading as it is.
    apply_roster(db, "employee_no,name,email,department_code,status\nK1,清水 一朗,,S1,active\n".encode(), actor_id=None)
    assert names(search.search(db, "イチロウ", None)) == ["清水 一朗"]


def test_the_search_pages(db, client, app, people):
    grid, _call_centre, _retail, _found = people
    make_user(db, "manager", department=grid, scope=grid, employee_no="MGR")
    make_user(db, "admin", employee_no="ADM", login_id="it-admin")
    make_user(db, "compliance", employee_no="CMP", login_id="office")
    db.commit()

    assert sign_in(client, "MGR").status_code == 302
    page = client.get("/reports/people?q=しみず")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "清水 太郎" in body and "清水 花子" not in body  # retail is outside the manager's subtree
    assert "/reports/people/G1001/history" in body
    assert client.get("/reports/people?q=R2002").get_data(as_text=True).count("清水 花子") == 0

    admin = app.test_client()
    assert sign_in(admin, "it-admin").status_code == 302
    listed = admin.get("/admin/people?q=ｼﾐｽﾞ").get_data(as_text=True)
    assert "2 people found" in listed and "/admin/people?q=R2002" in listed
    one = admin.get("/admin/people?q=はなこ").get_data(as_text=True)
    assert "Mark as compromised" in one and "R2002" in one  # a single match opens the account
    assert "No one matches “ゾウ”." in admin.get("/admin/people?q=ゾウ").get_data(as_text=True)

    office = app.test_client()
    assert sign_in(office, "office").status_code == 302
    found = office.get("/people?q=清水").get_data(as_text=True)
    assert "2 people found" in found and "/people?q=G1001" in found
    assert "Training history across all years" in office.get("/people?q=太郎 しみず").get_data(as_text=True)
    register = office.get("/access/register?status=all&q=しみず").get_data(as_text=True)
    assert "清水" not in register  # neither holds a role
    assert "MGR" in office.get("/access/register?status=all&q=MG").get_data(as_text=True)


@pytest.mark.skipif(not PG_URL, reason="the trigram index is PostgreSQL's")
def test_the_search_reads_the_trigram_indexes_on_postgresql(db, people):
    """With sequential scans priced out, the planner can answer the search from the GIN trigram indexes."""
    statement = search.select(search.User.id).where(search.matches(search.User, "シミズ"))
    compiled = statement.compile(dialect=db.get_bind().dialect)
    cursor = db.connection().connection.cursor()  # the driver's own, so that the query goes as it is compiled
    cursor.execute("SET enable_seqscan = off")
    try:
        cursor.execute(f"EXPLAIN {compiled}", compiled.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    finally:
        cursor.execute("RESET enable_seqscan")
    assert "ix_users_name_kana_trgm" in plan and "ix_users_name_trgm" in plan, plan
    assert names(search.search(db, "ｼﾐｽﾞ", None)) == ["清水 太郎", "清水 花子"]
