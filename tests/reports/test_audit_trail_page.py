"""The audit trail page: people by name and employee number, actions and details in words in the reader's
language, filters, keyset paging, and CSV/XLSX exports that say what they cover and are themselves audited."""

import io
import json
import re
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import insert, select

from learning import clock
from learning.audit.models import AuditEvent
from learning.audit.services import GENESIS, Entry, record, record_many, row_hash, verify_chain
from learning.reports import trail
from tests.conftest import sign_in
from tests.exported import read_csv
from tests.factories import make_department, make_user


def auditor(db, client, **fields):
    user = make_user(db, "auditor", **fields)
    db.commit()
    assert sign_in(client, user.employee_no).status_code == 302
    return user


def raw_event(db, action: str, details: str, **fields) -> None:
    """An event as an old version or a hand-made script might have left it: details that are any text."""
    previous = db.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    row = {
        "at": clock.now().replace(microsecond=0),
        "actor_id": None,
        "action": action,
        "outcome": "success",
        "target_type": None,
        "target_id": None,
        "details": details,
        "request_id": None,
        "address": None,
        "prev_hash": previous,
        **fields,
    }
    row["hash"] = row_hash(row)
    db.execute(insert(AuditEvent), row)


def body_of(html: str) -> str:
    """The table of events (the filter's selects name every action code, as values to send)."""
    return html[html.index("<tbody>") : html.index("</tbody>")]


def rows_of(html: str) -> list[str]:
    return re.findall(r"<tr>\s*<td data-label=\"#\">(\d+)</td>", html)


def test_names_labels_and_details_in_words(db, client):
    dept = make_department(db, code="SALES")
    admin = make_user(db, "admin", name="渡辺 翔", employee_no="A00001")
    person = make_user(db, name="佐藤 花子", employee_no="E12345")
    record(
        db,
        "privilege_granted",
        actor_id=admin.id,
        target=("user", person.id),
        details={"role": "manager", "department_id": dept.id},
    )
    details = {"assignee_id": person.id, "approved_by_id": admin.id}
    record(db, "desk_question_assigned", actor_id=admin.id, details=details)
    auditor(db, client)
    html = body_of(client.get("/audit").get_data(as_text=True))
    assert "渡辺 翔 (A00001)" in html and "Role granted" in html and "Person: 佐藤 花子 (E12345)" in html
    assert "Role:</span> Department head (manager)" in html and f"Department:</span> {dept.name_en} (SALES)" in html
    assert "Assigned to:</span> 佐藤 花子 (E12345)" in html and "approved by:</span> 渡辺 翔 (A00001)" in html
    assert "privilege_granted" not in html and "{&#34;" not in html and '{"' not in html
    assert "Succeeded" in html


def test_the_page_in_japanese(db, client):
    person = make_user(db, name="佐藤 花子", employee_no="E12345")
    record(db, "authn_login_fail", actor_id=person.id, outcome="failure", details={"reason": "wrong_password"})
    auditor(db, client, locale="ja")
    page = client.get("/audit").get_data(as_text=True)
    html = body_of(page)
    assert "監査ログ" in page and "佐藤 花子 (E12345)" in html and "サインインに失敗" in html
    assert "authn_login_fail" not in html and "wrong_password" not in html and "Sign-in failed" not in html


def test_odd_details_and_unknown_actions_still_read(db, client):
    raw_event(db, "old_action_from_2019", "not json at all")
    raw_event(db, "authn_logout", "[1, 2, 3]")
    raw_event(db, "authn_logout", '"just text"')
    raw_event(db, "authn_logout", "null")
    raw_event(db, "authn_logout", json.dumps({"a": {"b": {"c": {"d": {"e": [1, {"f": None}]}}}}, "user_id": "x"}))
    raw_event(db, "authn_logout", json.dumps({"user_id": 987654, "flag": True, "n": 1.5, "list": []}))
    raw_event(db, "authn_logout", "", target_type="somethingnew", target_id="a b")
    auditor(db, client)
    response = client.get("/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "old_action_from_2019 (no label)" in html and "not json at all" in html
    assert "1, 2, 3" in html and "just text" in html and "Person:</span> #987654" in html
    assert "somethingnew (no label) #a b" in html and "yes" in html
    assert verify_chain(db)[1] is None


def test_filters_by_actor_target_action_and_outcome(db, client):
    one = make_user(db, name="山田 太郎", employee_no="E00001", login_id="yamada")
    two = make_user(db, name="鈴木 一郎", employee_no="E00002")
    record(db, "authn_login_success", actor_id=one.id, target=("user", one.id))
    record(db, "authn_login_fail", actor_id=one.id, outcome="failure", target=("user", one.id))
    record(db, "privilege_granted", actor_id=two.id, target=("user", one.id), details={"role": "desk"})
    record(db, "authn_logout", actor_id=two.id, target=("user", two.id))
    ids = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    auditor(db, client)

    def shown(**args):
        response = client.get("/audit", query_string=args)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [int(i) for i in rows_of(response.get_data(as_text=True))]

    assert shown(actor="E00001") == [ids[1], ids[0]]
    assert shown(actor="YAMADA") == [ids[1], ids[0]]  # login IDs ignore case
    assert shown(actor="Ｅ００００２") == [ids[3], ids[2]]  # typed with the IME's full-width digits
    assert shown(actor="鈴木一郎") == [ids[3], ids[2]]  # part of a name, spaces ignored
    assert shown(target_type="user", target_id="E00001") == [ids[2], ids[1], ids[0]]
    assert shown(target_type="user", target_id=str(two.id)) == [ids[3]]
    assert shown(action="privilege_granted") == [ids[2]]
    assert shown(outcome="failure") == [ids[1]]
    assert shown(actor="E00001", outcome="success") == [ids[0]]


def test_the_date_range_is_in_days_of_japan(db, client):
    # 23:30 on 1 April in Tokyo is 14:30 UTC; 00:10 on 2 April in Tokyo is still 1 April in UTC.
    clock.freeze(datetime(2026, 4, 1, 14, 30, tzinfo=UTC))
    record(db, "authn_logout", details={"n": 1})
    clock.freeze(datetime(2026, 4, 1, 15, 10, tzinfo=UTC))
    record(db, "authn_logout", details={"n": 2})
    clock.freeze(None)
    first, second = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[:2]
    auditor(db, client)
    on_the_first = rows_of(client.get("/audit?date_from=2026-04-01&date_to=2026-04-01").get_data(as_text=True))
    on_the_second = rows_of(client.get("/audit?date_from=2026/04/02&date_to=2026-04-02").get_data(as_text=True))
    assert on_the_first == [str(first)] and on_the_second == [str(second)]
    html = client.get("/audit?date_from=2026-04-01&date_to=2026-04-01").get_data(as_text=True)
    assert "2026-04-01 23:30:00" in html


def test_bad_filters_are_refused_naming_the_field(db, client):
    auditor(db, client)
    cases = {
        "date_from=2026-13-01": "From (date): enter a date",
        "date_to=yesterday": "To (date): enter a date",
        "date_from=0001-01-01": "From (date): enter a date",
        "date_from=2026-04-02&date_to=2026-04-01": "To (date): the end of the range is before its start",
        "outcome=maybe": "Outcome: choose one",
        "action=DROP%20TABLE": "Action: choose one",
        "target_type=user;": "Target: choose one of the listed types",
        "target_id=12": "Target: choose the type",
        "actor=" + "x" * 101: "Actor: at most 100 characters",
        "actor=nobody-at-all": "Actor: no one has the employee number, login ID or name “nobody-at-all”",
        "target_type=user&target_id=E99999": "Target: no one has the employee number or login ID “E99999”",
    }
    for query, message in cases.items():
        for path in ("/audit", "/audit.csv", "/audit.xlsx"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query)
            assert message in response.get_data(as_text=True), (path, query)


def test_bad_filters_in_japanese(db, client):
    auditor(db, client, locale="ja")
    response = client.get("/audit?date_from=2026-13-01")
    assert response.status_code == 400 and "開始日" in response.get_data(as_text=True)


def test_keyset_pages_over_the_whole_trail_keep_the_filter(db, client):
    record_many(db, [Entry("authn_logout", details={"n": n}) for n in range(120)])
    record_many(db, [Entry("authn_login_success", details={"n": n}) for n in range(5)])
    logouts = db.scalars(
        select(AuditEvent.id).where(AuditEvent.action == "authn_logout").order_by(AuditEvent.id.desc())
    ).all()
    auditor(db, client)
    first = client.get("/audit?action=authn_logout").get_data(as_text=True)
    assert [int(i) for i in rows_of(first)] == logouts[:50]
    older = re.search(r'href="(/audit\?[^"]*before=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "action=authn_logout" in older and "Newer events" not in first
    second = client.get(older).get_data(as_text=True)
    assert [int(i) for i in rows_of(second)] == logouts[50:100]
    third_link = re.search(r'href="(/audit\?[^"]*before=\d+[^"]*)"', second).group(1).replace("&amp;", "&")
    third = client.get(third_link).get_data(as_text=True)
    assert [int(i) for i in rows_of(third)] == logouts[100:] and "Older events" not in third
    newer = re.search(r'href="(/audit\?[^"]*after=\d+[^"]*)"', third).group(1).replace("&amp;", "&")
    assert [int(i) for i in rows_of(client.get(newer).get_data(as_text=True))] == logouts[50:100]


def test_the_csv_export_says_what_it_covers_and_is_audited(db, client):
    person = make_user(db, name="=HYPERLINK(1)", employee_no="E12345")  # a name a spreadsheet would run
    record(db, "authn_login_fail", actor_id=person.id, outcome="failure", details={"reason": "wrong_password"})
    record(db, "authn_logout", actor_id=person.id)
    reader = auditor(db, client, name="伊藤 大輔", employee_no="D0006")
    before = db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    response = client.get("/audit.csv?actor=E12345&outcome=failure")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-trail-filtered-')
    exported = read_csv(response)
    assert exported.heading[:3] == [
        ["Audit trail"],
        ["Filters", "Actor: E12345; Outcome: Failed"],
        ["Covers", f"1 events, up to event #{before}, newest first"],
    ]
    assert exported.heading[3][0] == "As of" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d JST", exported.heading[3][1])
    assert exported.heading[4:] == [["Produced by", "伊藤 大輔 (D0006)"]]
    assert exported.header[:8] == [
        "Event",
        "Time (JST)",
        "Actor",
        "Action",
        "action_code",
        "Outcome",
        "outcome_code",
        "Target",
    ]
    (row,) = exported.records()
    assert row["Actor"] == "'=HYPERLINK(1) (E12345)" and row["Details"] == "Reason: wrong password"
    # People read the label; the stored code stands beside it for machines, never alone.
    assert (row["Action"], row["action_code"]) == ("Sign-in failed", "authn_login_fail")
    assert (row["Outcome"], row["outcome_code"]) == ("Failed", "failure")
    assert (row["Target"], row["target_code"]) == ("", "")
    exported = db.scalars(select(AuditEvent).where(AuditEvent.action == "audit_trail_exported")).one()
    assert exported.actor_id == reader.id and exported.id > before
    assert json.loads(exported.details) == {
        "events": 1,
        "filters": {"actor": "E12345", "outcome": "failure"},
        "format": "csv",
        "up_to": before,
    }


def test_the_xlsx_export(db, client):
    record(db, "authn_logout", details={"n": 1})
    auditor(db, client, locale="ja")
    response = client.get("/audit.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "監査ログ" and values[1][1] == "なし（すべての記録）"
    header = values[6]
    assert header[:2] == ["記録", "時刻（日本時間）"]
    actions = [row[3] for row in values[7:]]
    assert "サインイン" in actions and "サインアウト" in actions
    assert db.scalars(select(AuditEvent.details).where(AuditEvent.action == "audit_trail_exported")).one()


def test_the_export_reads_in_chunks_up_to_its_head(app, db):
    record_many(db, [Entry("authn_logout", details={"n": n}) for n in range(10)])
    ids = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())).all()
    record(db, "authn_login_success")  # after the export began: not in it
    seen = [
        [event.id for event in events]
        for _session, events in trail.chunks(app.extensions["db"].factory, [], ids[0], size=3)
    ]
    assert seen == [ids[0:3], ids[3:6], ids[6:9], ids[9:]]
