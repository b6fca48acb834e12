"""Anonymous means unlinkable in practice: questions are known by random codes, named and anonymous asks
answer alike, and the anonymous daily limit is kept on the server, cannot be replayed, and names no question."""

import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learning import clock
from learning.desk import allowance, keys, services
from learning.desk.models import CODE_ALPHABET, DeskAskCount, DeskQuestion
from tests.conftest import TEST_SECRET
from tests.desk.test_desk import ask, claim_code, signed_in
from tests.factories import make_department, make_user

CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{10}}$")


@pytest.fixture
def learner(db):
    return make_user(db, department=make_department(db, code="BR"))


def shape(response, *, length: bool = True):
    """What a log or an onlooker sees of a response, less the values that are random per response (the
    request id, the cookie's signed value and expiry)."""
    headers = {
        name: value
        for name, value in response.headers.items()
        if name not in ("Set-Cookie", "X-Request-ID") and (length or name != "Content-Length")
    }
    cookies = []
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        _value, *attributes = rest.split("; ")
        cookies.append((name, tuple(a for a in attributes if not a.lower().startswith("expires="))))
    return response.status_code, response.location, sorted(response.headers.keys()), headers, sorted(cookies)


def test_anonymous_asks_indistinguishable_in_status_and_redirect(app, db, learner):
    client = signed_in(app, db, learner)
    named, anonymous = ask(client, body="名前付きの質問"), ask(client, body="匿名の質問", anonymous=True)
    assert shape(named) == shape(anonymous)
    assert (named.status_code, named.location) == (302, "/desk/sent")
    assert "X-Request-ID" in named.headers and named.headers.getlist("Set-Cookie")
    # The page it leads to is as long for one as for the other: both texts, one hidden.
    ask(client, body="もう一つの名前付き")
    named_page = client.get("/desk/sent")
    ask(client, body="もう一つの匿名", anonymous=True)
    anonymous_page = client.get("/desk/sent")
    assert shape(named_page) == shape(anonymous_page)
    named_html, anonymous_html = named_page.get_data(as_text=True), anonymous_page.get_data(as_text=True)
    assert re.search(r'class="sent-named">', named_html) and re.search(r'class="sent-anonymous" hidden>', named_html)
    assert re.search(r'class="sent-anonymous">', anonymous_html) and 'class="sent-named" hidden>' in anonymous_html
    # The anonymous page's code opens its question; the filler in a named page's hidden slot opens nothing.
    code, filler = (
        re.search(r'<code id="claim-code">([^<]+)</code>', h).group(1) for h in (anonymous_html, named_html)
    )
    assert services.claim(db, code, None).body == "もう一つの匿名"
    assert len(filler) == len(code) and services.claim(db, filler, None) is None
    assert db.scalar(select(func.count()).select_from(DeskQuestion)) == 4


def test_the_cookie_carries_a_receipt_never_the_claim_code(app, db, learner):
    client = signed_in(app, db, learner)
    serializer = app.session_interface.get_signing_serializer(app)
    ask(client, body="名前付き")
    named = serializer.loads(client.get_cookie("portal").value)["desk_sent"]
    ask(client, body="匿名", anonymous=True)
    anonymous = serializer.loads(client.get_cookie("portal").value)["desk_sent"]
    assert len(named) == len(anonymous) == 32 and named != anonymous
    code = claim_code(client)
    assert code != anonymous and code == keys.claim_code(TEST_SECRET, anonymous)
    assert "desk_sent" not in serializer.loads(client.get_cookie("portal").value)  # dropped once shown
    assert services.claim(db, code, None).body == "匿名"


def test_refused_asks_are_indistinguishable_too(app, db, learner):
    client = signed_in(app, db, learner)
    for n in range(services.ASK_LIMIT_PER_HOUR):
        assert ask(client, body=f"質問 {n}").status_code == 302
    for n in range(allowance.ANONYMOUS_PER_DAY):
        assert ask(client, body=f"匿名 {n}", anonymous=True).status_code == 302
    named, anonymous = ask(client, body="もう一つ"), ask(client, body="匿名 もう一つ", anonymous=True)
    # The page repeats what was typed (and the ticked box), so only its length may differ.
    assert shape(named, length=False) == shape(anonymous, length=False)
    assert named.status_code == 400 and named.location is None
    assert "in the last hour" in named.get_data(as_text=True)
    assert "wait until tomorrow" in anonymous.get_data(as_text=True)


def test_questions_are_known_by_random_codes_never_by_id(app, db, learner):
    client = signed_in(app, db, learner)
    ask(client, body="名前付き")
    ask(client, body="匿名", anonymous=True)
    named, anonymous = db.scalars(select(DeskQuestion).order_by(DeskQuestion.id)).all()
    assert CODE_RE.match(named.code) and CODE_RE.match(anonymous.code) and named.code != anonymous.code
    assert client.get(f"/desk/mine/{named.code}").status_code == 200
    assert client.get(f"/desk/mine/{named.id}").status_code == 404  # the old integer URL
    desk = signed_in(app, db, make_user(db, "desk"))
    inbox = desk.get("/desk/inbox").get_data(as_text=True)
    assert {f"/desk/inbox/{named.code}", f"/desk/inbox/{anonymous.code}"} <= set(re.findall(r'href="([^"]+)"', inbox))
    assert f"<code>{named.code}</code>" in inbox and f"<code>{anonymous.code}</code>" in inbox
    assert not re.search(rf'href="/desk/inbox/{named.id}"|<td>{named.id}</td>', inbox)
    page = desk.get(f"/desk/inbox/{anonymous.code}").get_data(as_text=True)
    assert f"Question {anonymous.code}" in page and f"/desk/inbox/{anonymous.code}/reply" in page
    assert desk.get(f"/desk/inbox/{anonymous.code.lower()}").status_code == 200  # as typed
    for old in (named.id, anonymous.id, 999999, "XXXXXXXXXX", "ILOU000000"):
        assert desk.get(f"/desk/inbox/{old}").status_code == 404
    assert desk.get(f"/faq/new?from={anonymous.id}").status_code == 404
    assert desk.get(f"/faq/new?from={anonymous.code}").status_code == 200


def test_the_inbox_order_does_not_place_an_anonymous_question_between_named_ones(app, db, learner):
    """Named questions keep their time, anonymous ones only the day: an anonymous question asked between two
    named ones is listed at the start of its day, and anonymous questions of one day follow their codes."""
    day = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    for minutes, body, anonymous in (
        (0, "名前付き 10:00", False),
        (30, "匿名 10:30", True),
        (60, "名前付き 11:00", False),
    ):
        clock.freeze(day + timedelta(minutes=minutes))
        ask(signed_in(app, db, make_user(db)), body=body, anonymous=anonymous)
    # Two more anonymous questions that day, the later one (the larger id) under the smaller code.
    start = db.scalar(select(DeskQuestion.asked_at).where(DeskQuestion.asker_id.is_(None)))
    for code, body in (("ZZZZZZZZZZ", "匿名 Z"), ("0000000000", "匿名 0")):
        db.add(DeskQuestion(code=code, claim_hash=code, category="other", body=body, asked_at=start))
        db.flush()
    desk = signed_in(app, db, make_user(db, "desk"))
    inbox = desk.get("/desk/inbox").get_data(as_text=True)
    order = re.findall(r"名前付き 1\d:00|匿名 10:30|匿名 [0Z]", inbox.split("<tbody>")[1])
    anonymous = {"0000000000": "匿名 0", "ZZZZZZZZZZ": "匿名 Z"}
    anonymous[db.scalar(select(DeskQuestion.code).where(DeskQuestion.body == "匿名 10:30"))] = "匿名 10:30"
    assert order == [anonymous[code] for code in sorted(anonymous)] + ["名前付き 10:00", "名前付き 11:00"]
    assert "10:30" not in inbox.replace("匿名 10:30", "")  # the inbox shows the day, not the time


def test_a_code_already_taken_is_drawn_again(app):
    session = app.extensions["db"].factory()
    try:
        existing = DeskQuestion(claim_hash="x", category="other", body="既存", asked_at=clock.now())
        services.add_question(session, existing, codes=lambda: "AAAAAAAAAA")
        draws = iter(["AAAAAAAAAA", "BBBBBBBBBB"])
        question = DeskQuestion(claim_hash="y", category="other", body="新規", asked_at=clock.now())
        services.add_question(session, question, codes=lambda: next(draws))
        assert question.code == "BBBBBBBBBB"
        assert session.scalar(select(func.count()).select_from(DeskQuestion)) == 2
        other = DeskQuestion(claim_hash="x", category="other", body="同じハッシュ", asked_at=clock.now())
        with pytest.raises(IntegrityError):  # another constraint is not taken for a code collision
            services.add_question(session, other)
    finally:
        session.rollback()
        session.close()


def test_the_keys_are_hmacs_under_keys_of_their_own():
    day = date(2026, 12, 1)
    key = keys.counter_key(TEST_SECRET, 7, day)
    assert re.fullmatch(r"[0-9a-f]{64}", key) and key == keys.counter_key(TEST_SECRET.encode(), 7, day)
    others = {
        keys.counter_key(TEST_SECRET, 8, day),
        keys.counter_key(TEST_SECRET, 7, day + timedelta(days=1)),
        keys.counter_key("another secret", 7, day),
    }
    assert key not in others and len(others) == 3
    code = keys.claim_code(TEST_SECRET, "receipt")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}", code)
    assert code != keys.claim_code("another secret", "receipt")
    assert code not in (keys.claim_code(TEST_SECRET, "receipt2"), key[:32])


def test_replaying_an_earlier_cookie_does_not_reset_the_anonymous_limit(app, db, learner):
    client = signed_in(app, db, learner)
    earlier = client.get_cookie("portal").value
    for n in range(allowance.ANONYMOUS_PER_DAY):
        assert ask(client, body=f"匿名 {n}", anonymous=True).status_code == 302
    client.set_cookie("portal", earlier)  # the cookie from before any question was asked
    refused = ask(client, body="匿名 もう一つ", anonymous=True)
    assert refused.status_code == 400 and "wait until tomorrow" in refused.get_data(as_text=True)
    assert "desk_sent" not in refused.headers.get("Set-Cookie", "")
    assert db.scalar(select(func.count()).where(DeskQuestion.asker_id.is_(None))) == allowance.ANONYMOUS_PER_DAY
    (count,) = db.scalars(select(DeskAskCount)).all()
    assert count.asked == allowance.ANONYMOUS_PER_DAY  # the refused one was not counted


def test_the_day_count_is_kept_for_the_day_only(app, db, learner):
    first_day = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    clock.freeze(first_day)
    client = signed_in(app, db, learner)
    for n in range(3):
        ask(client, body=f"匿名 {n}", anonymous=True)
    (count,) = db.scalars(select(DeskAskCount)).all()
    assert (count.key, count.day, count.asked) == (
        keys.counter_key(TEST_SECRET, learner.id, first_day.date()),
        first_day.date(),
        3,
    )
    clock.freeze(first_day + timedelta(days=1))
    ask(signed_in(app, db, make_user(db)), body="翌日の名前付き")  # any ask of a later day forgets the earlier counts
    assert db.scalars(select(DeskAskCount)).all() == []


def test_anonymous_asks_at_the_same_moment_are_all_counted(app, db, learner):
    """Twelve anonymous asks of one person at once (threads; on PostgreSQL they really overlap, SQLite
    serialises them): exactly the daily limit is taken, each counted, the rest refused."""
    client = signed_in(app, db, learner)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/desk").get_data(as_text=True)).group(1)
    cookie = client.get_cookie("portal").value  # after the page: it holds the form's CSRF secret
    attempts = allowance.ANONYMOUS_PER_DAY + 2
    barrier, statuses = threading.Barrier(attempts), []

    def send(n):
        browser = app.test_client()
        browser.set_cookie("portal", cookie)
        barrier.wait()
        data = {"body": f"同時の匿名 {n}", "category": "other", "anonymous": "y", "csrf_token": token}
        statuses.append(browser.post("/desk", data=data).status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302] * allowance.ANONYMOUS_PER_DAY + [400, 400]
    assert db.scalar(select(func.count()).where(DeskQuestion.asker_id.is_(None))) == allowance.ANONYMOUS_PER_DAY
    assert db.scalar(select(DeskAskCount.asked)) == allowance.ANONYMOUS_PER_DAY
