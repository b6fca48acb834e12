"""The conduct-rule desk: asking (named and truly anonymous), the inbox, answers, the FAQ, what questions reveal."""

import json
import logging
import re

import pytest
from sqlalchemy import func, select, text

from learning import clock
from learning.audit.models import AuditEvent
from learning.desk import keys
from learning.desk import services as desk_services
from learning.desk.models import DeskQuestion, FaqEntry
from learning.models import metadata
from tests.conftest import TEST_SECRET, csrf_token, post, sign_in
from tests.factories import make_assignment, make_department, make_edition, make_user


@pytest.fixture
def people(db):
    branch = make_department(db, code="BR")
    return {
        "learner": make_user(db, department=branch, login_id="asker1", email="asker@example.jp"),
        "desk": make_user(db, "desk", department=branch),
        "compliance": make_user(db, "compliance", department=branch),
        "manager": make_user(db, "manager", department=branch, scope=branch),
        "trainer": make_user(db, "trainer", department=branch),
        "edition": make_edition(db, slug="rules", sections=3, questions=4, draw=2),
    }


def signed_in(app, db, user):
    db.commit()
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def ask(client, body="システムにログインアイコンが残っています。使ってよいですか？", anonymous=False, **context):
    query = "&".join(f"{k}={v}" for k, v in context.items())
    token = csrf_token(client, f"/desk?{query}")
    data = {"body": body, "category": "ids_systems", "csrf_token": token, **{k: str(v) for k, v in context.items()}}
    if anonymous:
        data["anonymous"] = "y"
    return client.post("/desk", data=data)


def claim_code(client) -> str:
    """The claim code on the page an anonymous ask leads to (shown once)."""
    page = client.get("/desk/sent").get_data(as_text=True)
    return re.search(r'<code id="claim-code">([^<]+)</code>', page).group(1)


def test_named_question_from_a_section_reaches_the_desk_with_its_context(app, db, people):
    learner = signed_in(app, db, people["learner"])
    edition = people["edition"]
    section_page = learner.get(f"/training/{make_assignment(db, people['learner'], edition).id}/sections/1")
    db.commit()
    response = ask(learner, edition=edition.id, section=1)
    assert (response.status_code, response.location) == (302, "/desk/sent")
    question = db.scalar(select(DeskQuestion))
    assert (question.asker_id, question.module_id, question.section_position) == (
        people["learner"].id,
        edition.module_id,
        1,
    )
    desk = signed_in(app, db, people["desk"])
    inbox = desk.get("/desk/inbox").get_data(as_text=True)
    assert people["learner"].name in inbox
    page = desk.get(f"/desk/inbox/{question.code}").get_data(as_text=True)
    assert people["learner"].employee_no in page and "rules course" in page and "Section 1:" in page
    read = db.scalar(select(AuditEvent).where(AuditEvent.action == "desk_question_read"))
    assert read.actor_id == people["desk"].id and read.target_id == question.code
    assert section_page.status_code == 200


def test_who_sees_what(app, db, people):
    learner = signed_in(app, db, people["learner"])
    ask(learner)
    question = db.scalar(select(DeskQuestion))
    compliance = signed_in(app, db, people["compliance"])
    page = compliance.get("/desk/inbox").get_data(as_text=True)
    assert "Named" in page and people["learner"].name not in page  # read-only, without names
    assert people["learner"].name not in compliance.get(f"/desk/inbox/{question.code}").get_data(as_text=True)
    assert post(compliance, f"/desk/inbox/{question.code}/reply", {"body": "x"}).status_code == 403
    for role in ("manager", "trainer"):
        other = signed_in(app, db, people[role])
        assert other.get("/desk/inbox").status_code == 403
        assert other.get(f"/desk/inbox/{question.code}").status_code == 403
    colleague = signed_in(app, db, make_user(db))
    assert colleague.get(f"/desk/mine/{question.code}").status_code == 404  # someone else's question
    assert db.scalar(select(func.count()).where(AuditEvent.action == "authz_fail")) >= 4


def test_anonymous_question_leaves_nothing_that_points_to_the_asker(app, db, people, caplog):
    caplog.set_level(logging.DEBUG)
    asker = people["learner"]
    learner = signed_in(app, db, asker)
    learner.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    edition = people["edition"]
    bank_question = edition.questions[0]
    before = snapshot(db)
    response = ask(learner, anonymous=True, edition=edition.id, question=bank_question.id)
    assert (response.status_code, response.location) == (302, "/desk/sent")  # as a named ask answers
    code = claim_code(learner)
    assert len(code.replace("-", "")) == 25  # 125 bits (keys.claim_code)
    assert "claim-code" not in learner.get("/desk/sent").get_data(as_text=True)  # shown once
    after = snapshot(db)
    added = {table: rows - before.get(table, set()) for table, rows in after.items()}
    added = {table: rows for table, rows in added.items() if rows}
    assert set(added) == {"desk_questions", "desk_ask_counts"}  # no audit event, no log row, nothing else
    (row,) = added["desk_questions"]
    # The day's count: an opaque key, the day, a number; nothing of the question, no time of day.
    today = clock.tokyo_date(clock.now())
    ((key, day, asked),) = added["desk_ask_counts"]
    assert (key, str(day), asked) == (keys.counter_key(TEST_SECRET, asker.id, today), str(today), 1)
    leaks = {str(asker.id), asker.employee_no, asker.login_id, "10.20.30.40"}
    stored = db.scalar(select(DeskQuestion))
    assert stored.asker_id is None and stored.claim_hash != code and code not in str(row)
    assert stored.asked_at.hour == 15 and stored.asked_at.minute == 0  # midnight in Tokyo: the day only
    assert stored.assignee_id is None  # the only columns that could hold a person are empty
    texts = [value for value in row if isinstance(value, str)]
    assert not [leak for leak in leaks - {str(asker.id)} for value in texts if leak in value]
    assert all(leak not in caplog.text for leak in leaks - {str(asker.id)})
    # The asker's own list does not show it; the claim code does.
    assert "ログインアイコン" not in learner.get("/desk/mine").get_data(as_text=True)
    opened = learner.post("/desk/claim", data={"code": code, "csrf_token": csrf_token(learner, "/desk/claim")})
    assert "ログインアイコン" in opened.get_data(as_text=True)


def snapshot(db) -> dict[str, set[tuple]]:
    """Every row of every table, as hashable tuples (a JSON column's list or mapping as its text)."""

    def hashable(value):
        return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value

    return {
        table.name: {
            tuple(map(hashable, row))
            for row in db.execute(text(f"SELECT * FROM {table.name}")).all()  # noqa: S608 - model tables
        }
        for table in metadata.sorted_tables
    }


def test_the_desk_answers_the_anonymous_asker_reads_and_replies(app, db, people):
    learner = signed_in(app, db, people["learner"])
    ask(learner, anonymous=True)
    code = claim_code(learner)
    question = db.scalar(select(DeskQuestion))
    desk = signed_in(app, db, people["desk"])
    assert "Anonymous" in desk.get("/desk/inbox").get_data(as_text=True)
    post(desk, f"/desk/inbox/{question.code}/note", {"note-body": "社内メモ：システム部に確認"})
    post(desk, f"/desk/inbox/{question.code}/reply", {"body": "使わずに、窓口に報告してください。"})
    token = csrf_token(learner, "/desk/claim")
    thread = learner.post("/desk/claim", data={"code": code, "csrf_token": token}).get_data(as_text=True)
    assert "使わずに、窓口に報告してください。" in thread and "社内メモ" not in thread
    reply = learner.post("/desk/claim", data={"code": code, "body": "ありがとうございます。", "csrf_token": token})
    assert "ありがとうございます。" in reply.get_data(as_text=True)
    db.expire_all()
    assert db.get(DeskQuestion, question.id).status == "in_progress"


def test_named_asker_is_told_by_email(app, db, people, smtp_server, tmp_path):
    from learning.app import create_app
    from tests.conftest import make_settings

    learner = signed_in(app, db, people["learner"])
    ask(learner)
    question = db.scalar(select(DeskQuestion))
    desk = signed_in(app, db, people["desk"])
    post(desk, f"/desk/inbox/{question.code}/reply", {"body": "回答します。"})
    jobs = create_app(
        make_settings(
            app.extensions["settings"].database_url,
            tmp_path / "j",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_server.port),
        )
    )
    assert jobs.test_cli_runner().invoke(args=["jobs", "run"]).exit_code == 0
    (mail,) = smtp_server.handler_messages
    assert mail["To"] == "asker@example.jp" and "answered" in mail["Subject"]
    assert "回答します" not in mail.get_content()  # the answer itself stays on the portal
    assert f"/desk/mine/{question.code}" in mail.get_content()
    assert "The conduct-rule desk has answered your question." in mail.get_content()  # the desk's name in force
    jobs.extensions["db"].engine.dispose()
    mine = learner.get(f"/desk/mine/{question.code}").get_data(as_text=True)
    assert "回答します。" in mine


def test_bad_questions_keep_the_text_and_name_the_field(app, db, people):
    learner = signed_in(app, db, people["learner"])
    for body, message in (
        ("   ", "This field is required."),
        ("あ" * 5001, "5000"),
        ("bell \x07 here", "control characters"),
    ):
        response = ask(learner, body=body)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    response = ask(learner, body="<script>alert(1)</script>")
    question = db.scalar(select(DeskQuestion))
    page = learner.get(f"/desk/mine/{question.code}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert ask(learner, edition=999999).status_code == 404


def test_claim_guessing_is_throttled(app, db, people):
    learner = signed_in(app, db, people["learner"])
    token = csrf_token(learner, "/desk/claim")
    for _ in range(11):  # ten free guesses; the eleventh starts the delay
        assert "No question has this claim code." in learner.post(
            "/desk/claim", data={"code": "guess", "csrf_token": token}
        ).get_data(as_text=True)
    assert "Too many wrong claim codes from this computer. Please wait 2 seconds" in learner.post(
        "/desk/claim", data={"code": "guess", "csrf_token": token}
    ).get_data(as_text=True)


def test_a_flood_meets_a_polite_limit(app, db, people):
    learner = signed_in(app, db, people["learner"])
    for n in range(10):
        assert ask(learner, body=f"質問 {n}").status_code == 302
    assert "Please wait a while" in ask(learner, body="もう一つ").get_data(as_text=True)
    for n in range(10):
        assert ask(learner, body=f"匿名 {n}", anonymous=True).status_code == 302
    refused = ask(learner, body="匿名 もう一つ", anonymous=True)
    assert refused.status_code == 400 and "wait until tomorrow" in refused.get_data(as_text=True)


def test_faq_from_a_question_shown_under_its_section_searchable_and_counted(app, db, people):
    learner = signed_in(app, db, people["learner"])
    edition = people["edition"]
    assignment = make_assignment(db, people["learner"], edition)
    db.commit()
    ask(learner, body="原文の質問：支店Aの端末を使ってよいか", edition=edition.id, section=2)
    question = db.scalar(select(DeskQuestion))
    desk = signed_in(app, db, people["desk"])
    post(desk, f"/desk/inbox/{question.code}/reply", {"body": "使ってはいけません。"})
    form = {
        "question_ja": "原文の質問：支店Aの端末を使ってよいか",
        "question_en": "May I use a grid terminal?",
        "answer_ja": "使わずに報告してください。",
        "answer_en": "No. Report it to the desk.",
        "module": str(edition.module_id),
        "section": "2",
    }
    copied = post(desk, f"/faq/new?from={question.code}", form)
    assert copied.status_code == 400 and "Rewrite the question" in copied.get_data(as_text=True)
    form["question_ja"] = "営業所に送配電会社の端末が置かれていたら、使ってよいですか。"
    saved = post(desk, f"/faq/new?from={question.code}", form)
    entry = db.scalar(select(FaqEntry))
    assert saved.status_code == 302 and entry.status == "draft"
    post(desk, f"/faq/{entry.id}/published")
    post(learner, f"/training/{assignment.id}/sections/1")
    section = learner.get(f"/training/{assignment.id}/sections/2").get_data(as_text=True)
    assert "May I use a grid terminal?" in section
    assert "May I use a grid terminal?" in learner.get("/faq?q=terminal").get_data(as_text=True)
    assert "grid terminal" not in learner.get("/faq?q=nothing-like-this").get_data(as_text=True)
    trainer = signed_in(app, db, people["trainer"])
    stats = trainer.get("/desk/stats").get_data(as_text=True)
    assert f"/library/editions/{edition.id}/sections/2" in stats and "原文の質問" not in stats
    assert trainer.get(f"/library/editions/{edition.id}/sections/2").status_code == 200
    post(desk, f"/faq/{entry.id}/retired")
    assert "May I use a grid terminal?" not in learner.get("/faq").get_data(as_text=True)


def test_done_when(app, db, people):
    """Asked anonymously from a quiz result; answered; an FAQ under the section; read with the claim code;
    the trainer sees the section at the top of the questions."""
    edition = people["edition"]
    other_section_asker = signed_in(app, db, make_user(db))
    ask(other_section_asker, body="別の節の質問", edition=edition.id, section=1)
    learner = signed_in(app, db, people["learner"])
    bank_question = edition.questions[1]
    result_page_link = f"/desk?edition={edition.id}&question={bank_question.id}"
    assert learner.get(result_page_link).status_code == 200
    ask(learner, anonymous=True, edition=edition.id, question=bank_question.id)
    code = claim_code(learner)
    question = db.scalar(select(DeskQuestion).where(DeskQuestion.bank_question_id == bank_question.id))
    desk = signed_in(app, db, people["desk"])
    post(desk, f"/desk/inbox/{question.code}/reply", {"body": "報告してください。"})
    post(
        desk,
        f"/faq/new?from={question.code}",
        {
            "question_ja": "共用IDを見つけたら？",
            "question_en": "What if I find a shared ID?",
            "answer_ja": "使わずに報告します。",
            "answer_en": "Do not use it; report it.",
            "module": str(edition.module_id),
            "section": "3",
        },
    )
    entry = db.scalar(select(FaqEntry))
    post(desk, f"/faq/{entry.id}/published")
    token = csrf_token(learner, "/desk/claim")
    assert "報告してください。" in learner.post("/desk/claim", data={"code": code, "csrf_token": token}).get_data(
        as_text=True
    )
    assignment = make_assignment(db, people["learner"], edition, sections_done=3)
    db.commit()
    assert "What if I find a shared ID?" in learner.get(f"/training/{assignment.id}/sections/3").get_data(as_text=True)
    ask(signed_in(app, db, make_user(db)), body="同じ節の別の質問", edition=edition.id, section=3)
    trainer = signed_in(app, db, people["trainer"])
    stats = trainer.get("/desk/stats").get_data(as_text=True)
    top = stats.split("<ol>")[1]
    assert top.index("/sections/3") < top.index("/sections/1")


def test_the_askers_thread_reads_in_order_with_the_desks_words_for_its_status(app, db, people):
    """An anonymous reply shows its day only (no 0:00 before the answer it follows), and a question being
    worked on is 対応中 in Japanese, while a course being taken stays 受講中."""
    clock.freeze(clock.now().replace(hour=3, minute=30))  # 12:30 in Tokyo
    people["learner"].locale = people["desk"].locale = "ja"
    learner = signed_in(app, db, people["learner"])
    ask(learner, anonymous=True)
    code = claim_code(learner)
    question = db.scalar(select(DeskQuestion))
    desk = signed_in(app, db, people["desk"])
    post(desk, f"/desk/inbox/{question.code}/reply", {"body": "確認して回答します。"})
    token = csrf_token(learner, "/desk/claim")
    learner.post("/desk/claim", data={"code": code, "body": "ありがとうございます。", "csrf_token": token})
    thread = learner.post("/desk/claim", data={"code": code, "csrf_token": token}).get_data(as_text=True)
    answer, reply = thread.index("確認して回答します。"), thread.index("ありがとうございます。")
    assert answer < reply
    asker_part = thread[thread.rindex('<div class="message asker">', 0, reply) : reply]
    assert "0:00" not in asker_part and "12:30" not in asker_part
    assert "対応中" in thread and "受講中" not in thread
    inbox = desk.get("/desk/inbox").get_data(as_text=True)
    assert "対応中" in inbox and "受講中" not in inbox
    clock.freeze(None)


def test_a_long_question_is_counted_and_kept_never_cut(app, db, people):
    """The browser is not told a maxlength (it would cut a 20,000-character paste to 5,000 without a word):
    the page counts against the limit, and the server refuses a longer text, naming the field, keeping all of it."""
    learner = signed_in(app, db, people["learner"])
    page = learner.get("/desk").get_data(as_text=True)
    area = re.search(r"<textarea[^>]*>", page).group(0)
    assert "maxlength" not in area and 'data-limit="5000"' in area and 'aria-describedby="body-count"' in area
    assert "<span data-count>0</span> / 5,000 characters" in page
    long_text = "送配電" * 6667  # 20,001 characters
    response = ask(learner, body=long_text)
    refused = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your question: Field cannot be longer than 5000 characters." in refused
    assert long_text in refused and "<span data-count>20,001</span> / 5,000 characters" in refused
    assert db.scalar(select(func.count()).select_from(DeskQuestion)) == 0


def test_a_claim_code_opens_however_it_is_typed_and_older_codes_still_open(app, db, people):
    """Case, spaces, hyphens, full-width input, O for 0 and I or L for 1 make no difference; a code of the
    32-character form given out before this one still opens its question."""
    learner = signed_in(app, db, people["learner"])
    ask(learner, anonymous=True)
    code = claim_code(learner)
    token = csrf_token(learner, "/desk/claim")
    sloppy = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in code.replace("-", ""))  # Ｎ９…
    for typed in (code, sloppy, wide, code.replace("-", "")):
        page = learner.post("/desk/claim", data={"code": typed, "csrf_token": token})
        assert page.status_code == 200 and "システムにログインアイコンが残っています" in page.get_data(as_text=True), (
            typed
        )
    question = db.scalar(select(DeskQuestion))
    legacy = "q8ZbN3-wXy_2kLmP0aBcD4eFgH5iJk6L"  # the old form: 24 bytes in URL-safe base64
    question.claim_hash = desk_services.hash_claim(legacy)
    db.commit()
    page = learner.post("/desk/claim", data={"code": legacy, "csrf_token": token})
    assert page.status_code == 200 and "システムにログインアイコンが残っています" in page.get_data(as_text=True)
    refused = learner.post("/desk/claim", data={"code": legacy.upper(), "csrf_token": token})
    assert "No question has this claim code." in refused.get_data(as_text=True)  # the old form stays exact
