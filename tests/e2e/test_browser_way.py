"""In headless Chromium: quiz answers saved as they are picked survive the session's end. The learner picks
answers, the session expires (the server's clock moved past the idle timeout), a last pick is kept in the tab,
the submit says the session ended, and after signing in again the attempt is back with every answer ticked.
The idle warning shows before the timeout and "Stay signed in" keeps the session."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from learning import clock
from learning.courses.models import Choice
from learning.demo.organisation import DEMO_PASSWORD
from learning.quizzes.models import Attempt, AttemptQuestion, SavedAnswer
from tests.e2e import test_browser as browser

pytestmark = browser.pytestmark
live_server = browser.live_server
page = browser.page


def sign_in(page, next_path: str = "/") -> None:
    page.goto(page.base_url + next_path)
    page.fill("#username", "learner")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")


def to_the_quiz(page) -> int:
    page.click("text=なぜ送配電部門は中立でなければならないのか >> nth=0")
    with page.expect_navigation():
        page.click("text=読み始める")
    # Each click waits for the next section's page: read before it arrives, the old page would be clicked again.
    while "読み終えた（次の節へ）" in page.content():
        with page.expect_navigation():
            page.click("text=読み終えた（次の節へ）")
    page.click("text=読み終えた（テストへ進む）")
    page.click("text=テストを始める")
    return int(re.search(r"/attempts/(\d+)", page.url).group(1))


def right_picks(db, attempt_id: int) -> list[tuple[int, list[int]]]:
    drawn = db.scalars(
        select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id).order_by(AttemptQuestion.position)
    ).all()
    return [
        (aq.id, [c.id for c in db.scalars(select(Choice).where(Choice.question_id == aq.question_id)) if c.correct])
        for aq in drawn
    ]


def saved_count(db, attempt_id: int) -> int:
    return db.scalar(select(func.count()).select_from(SavedAnswer).where(SavedAnswer.attempt_id == attempt_id))


def status_of(page, question: int):
    return page.locator(f'fieldset[data-question="{question}"] [data-save-status]')


def test_answers_picked_before_the_session_ended_are_ticked_after_signing_in(page, db):
    from playwright.sync_api import expect

    sign_in(page)
    attempt_id = to_the_quiz(page)
    picks = right_picks(db, attempt_id)
    *before, (last_question, last_choices) = picks
    for question, choices in before:
        for choice in choices:
            page.check(f'input[name="q{question}"][value="{choice}"]')
        expect(status_of(page, question)).to_have_text("回答を保存しました。")
    assert saved_count(db, attempt_id) == len(before)

    clock.freeze(clock.now() + timedelta(minutes=31))  # the server's clock: past the idle timeout
    page.expected_errors += [
        "Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)",
        "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)",
    ]
    for choice in last_choices:  # picked after the session ended: kept in the tab, the page says so
        page.check(f'input[name="q{last_question}"][value="{choice}"]')
    expect(page.locator("#quiz-session-ended")).to_be_visible()
    expect(status_of(page, last_question)).to_have_text("まだ保存されていません（このタブに保持しています）。")
    page.click("text=回答を送信する")
    assert page.locator("h1").inner_text() == "セッションが終了しました"
    assert "まだ採点されていません" in page.content() and "別のサイト" not in page.content()
    assert db.scalar(select(Attempt.submitted_at).where(Attempt.id == attempt_id)) is None

    page.click("text=もう一度サインインして続ける")
    page.fill("#username", "learner")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    assert page.url.endswith(f"/attempts/{attempt_id}")
    for question, choices in picks:
        for choice in choices:
            expect(page.locator(f'input[name="q{question}"][value="{choice}"]')).to_be_checked()
    expect(status_of(page, last_question)).to_have_text("回答を保存しました。")
    assert saved_count(db, attempt_id) == len(picks)  # the tab's last pick reached the server too

    page.click("text=回答を送信する")
    assert page.locator("h1").inner_text() == "合格"
    assert db.scalar(select(Attempt.score).where(Attempt.id == attempt_id)) == 100


def test_the_idle_warning_and_stay_signed_in(page):
    from playwright.sync_api import expect

    page.clock.install()
    sign_in(page)
    expect(page.locator("h1")).to_contain_text("山田 花子")
    page.wait_for_load_state("load")  # session.js has started its timer, before the clock moves
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("28:30")  # 90 seconds before the 30-minute idle timeout
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alertdialog")
    expect(page.locator("#idle-warning [data-keepalive]")).to_be_focused()
    page.click("text=サインインしたままにする")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("31:00")  # no keep-alive this time: the notice says the session has ended
    expect(page.locator("#idle-warning-ended")).to_be_visible()
    expect(page.locator("#idle-warning [data-sign-in]")).to_be_visible()
