"""End to end in headless Chromium: the demo learner reads, fails then passes, attests, gets a certificate."""

import csv
import io
import re
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from learning.courses.formats.content import read_tree
from learning.courses.models import Choice
from learning.courses.services import import_modules
from learning.demo.organisation import DEMO_PASSWORD, seed
from learning.firstrun import CONTENT_DIR
from learning.quizzes.models import AttemptQuestion

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def buffered(wsgi_app):
    """Reads each response whole before sending it: when the browser drops a connection mid-file
    (it abandons the favicon on navigation), no file is left open to warn about later."""

    def serve(environ, start_response):
        result = wsgi_app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            if hasattr(result, "close"):
                result.close()

    return serve


@pytest.fixture
def live_server(app):
    session = app.extensions["db"].factory()  # a transaction, as on first run (the history locks its tables)
    import_modules(session, read_tree(CONTENT_DIR))
    seed(session)
    session.commit()
    session.close()
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def reportable(message) -> bool:
    """Console errors, except Chromium's report of what the page's CSP blocked while DOMPurify parsed a
    trainer's unsafe Markdown in its inert document (the blocking is the point; cure53/DOMPurify#107)."""
    blocked_by_csp = message.text.startswith(("Executing inline event handler", "Applying inline style"))
    return message.type == "error" and not (blocked_by_csp and "vendor/purify" in message.location.get("url", ""))


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ja-JP", viewport={"width": 1100, "height": 900})
        page = context.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if reportable(message) else None)
        page.base_url = live_server
        page.expected_errors = []  # what a test provokes on purpose (a refused filter's 400, say)
        yield page
        unexpected = [error for error in errors if error not in page.expected_errors]
        assert unexpected == [], f"browser console errors: {unexpected}"
        browser.close()


def choose(page, db, right: bool) -> None:
    """Ticks, on the open quiz page, the right (or only wrong) choices of every drawn question."""
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    drawn = db.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id)).all()
    for aq in drawn:
        choices = db.scalars(select(Choice).where(Choice.question_id == aq.question_id)).all()
        picks = [c for c in choices if c.correct] if right else [next(c for c in choices if not c.correct)]
        for choice in picks:
            page.check(f'input[name="q{aq.id}"][value="{choice.id}"]')


def test_learner_completes_a_module_end_to_end(page, db):
    base = page.base_url
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("#username", "learner")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    assert page.locator("h1").inner_text().startswith("山田 花子")

    page.click("text=なぜ送配電部門は中立でなければならないのか >> nth=0")
    with page.expect_navigation():
        page.click("text=読み始める")
    while "読み終えた（次の節へ）" in page.content():  # read once the next section's page has arrived
        assert page.locator("article.reading h1").inner_text()
        with page.expect_navigation():
            page.click("text=読み終えた（次の節へ）")
    page.click("text=読み終えた（テストへ進む）")
    page.click("text=テストを始める")

    choose(page, db, right=False)
    page.click("text=回答を送信する")
    assert "まだ合格していません" in page.locator("h1").inner_text()
    assert page.locator(".feedback").count() > 0  # feedback on the wrong choices picked
    assert page.locator(".explanation").count() == 8

    assert page.locator(".missed li").count() > 0  # the sections behind the missed questions, to reread
    page.click("text=もう一度受ける")
    choose(page, db, right=True)
    page.click("text=回答を送信する")
    assert page.locator("h1").inner_text() == "合格"

    page.click("text=誓約して修了する")
    page.check('input[name="confirm"]')
    page.click("button:has-text('誓約して修了する')")
    certificate = page.locator("article.certificate").inner_text()
    assert "修了証" in certificate and "山田 花子" in certificate and "第1版（2026）" in certificate

    page.goto(base + "/")
    assert page.locator(".counts div").nth(1).locator("strong").inner_text() == "1"  # completed


def test_english_and_a_narrow_window(page):
    base = page.base_url
    page.set_viewport_size({"width": 380, "height": 800})
    page.goto(base + "/login")
    page.click("button[lang=en]")
    page.fill("#username", "learner")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    page.goto(base + "/training")
    assert page.locator("h1").inner_text() == "My training"
    assert "Why the grid must be neutral" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the page scrolls sideways at 380px ({width}px)"


def sign_in_privileged(page, db, login: str) -> None:
    from learning import clock
    from learning.accounts.models import User
    from learning.accounts.second_factor import current_code

    page.goto(page.base_url + "/login")
    page.fill("#username", login)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    secret = db.scalar(select(User.totp_secret).where(User.login_id == login))
    page.fill("input[name=code]", current_code(secret, clock.now()))
    page.press("input[name=code]", "Enter")
    page.wait_for_load_state()


def test_the_editor_previews_as_the_server_renders_and_a_second_trainer_publishes(page, db):
    from playwright.sync_api import expect

    from learning.courses.markdown import render_markdown
    from learning.courses.models import Edition

    base = page.base_url
    sign_in_privileged(page, db, "trainer")
    page.goto(base + "/library/new")
    page.fill("input[name=slug]", "e2e-module")
    page.fill("input[name=title_ja]", "端末の扱い")
    page.fill("input[name=title_en]", "Terminals")
    page.click("button.primary")
    page.click("button[value=add]")
    page.wait_for_load_state()
    expect(page.locator("button[value=preview]")).to_be_hidden()  # JavaScript is on: the live preview replaces it

    image_base = page.get_attribute("textarea[name='sections-0-body_en']", "data-image-base")
    samples = [
        "## 一人一ID\n\n**共用ID**は使わない。\n\n| 左 | 右 |\n|:--|--:|\n| a | b |\n\n1. 一\n2. 二\n\n~~古い~~ `code`",
        "[社内](https://intra.example/x)\n\n> 引用\n\n```\npre\n```",
    ]
    # The live preview (markdown-it and DOMPurify in the browser) must come to equal the server's rendering.
    same_as_server = (
        "html => { const shown = document.querySelector('#preview-1-ja'), expected = shown.cloneNode(false);"
        " expected.innerHTML = html; return shown.isEqualNode(expected); }"
    )
    for text in samples:
        page.fill("textarea[name='sections-0-body_ja']", text)
        page.wait_for_function(same_as_server, arg=render_markdown(text, image_base), timeout=5000)
        assert not page.is_visible("#preview-1-ja-removed")

    page.fill("textarea[name='sections-0-body_en']", "Hi <script>alert(1)</script><img src=x onerror=alert(2)>")
    expect(page.locator("#preview-1-en-removed")).to_be_visible()
    assert "<script" not in page.inner_html("#preview-1-en") and "onerror" not in page.inner_html("#preview-1-en")

    page.fill("textarea[name=summary_ja]", "概要")
    page.fill("textarea[name=summary_en]", "Summary")
    page.fill("input[name=draw]", "1")
    page.fill("input[name='sections-0-title_ja']", "はじめに")
    page.fill("input[name='sections-0-title_en']", "Introduction")
    page.fill("textarea[name='sections-0-body_en']", "One person, one ID.")
    page.click("button[value=save]")
    page.click("text=問題を追加")
    page.fill("input[name=key]", "q1")
    page.select_option("select[name=kind]", "truefalse")
    page.fill("textarea[name=prompt_ja]", "IDは共用してよい。")
    page.fill("textarea[name=prompt_en]", "IDs may be shared.")
    page.fill("textarea[name=explanation_ja]", "一人一ID。")
    page.fill("textarea[name=explanation_en]", "One person, one ID.")
    page.fill("input[name='choices-0-feedback_ja']", "共用は禁止です。")
    page.fill("input[name='choices-0-feedback_en']", "Sharing is forbidden.")
    page.check("input[name='choices-1-correct']")
    page.click("button.primary")
    assert page.locator("#findings").count() == 0
    page.fill("textarea[name=change_note]", "新規")
    page.click("#submit ~ form button.primary")
    assert "/review" in page.url and page.locator("button[value=approve]").count() == 0  # not for its author
    review = page.url

    # The reviewer in a browser of their own: clearing this one's cookies would race the page's last requests.
    reviewer = page.context.browser.new_context(locale="ja-JP").new_page()
    reviewer.base_url = page.base_url
    sign_in_privileged(reviewer, db, "reviewer")
    reviewer.goto(review)
    reviewer.click("button[value=approve]")
    reviewer.wait_for_load_state()
    reviewer.context.close()
    edition = db.scalar(select(Edition).where(Edition.title_en == "Terminals"))
    assert edition.status == "published" and edition.content_hash


def test_internal_audit_reads_filters_and_exports_the_trail(page, db, tmp_path):
    """Who did what, when: the auditor filters the trail by person and action, sees a refused filter named,
    downloads the filtered events, and reads the same page in English and in a narrow window."""
    base = page.base_url
    sign_in_privileged(page, db, "auditor")
    page.goto(base + "/audit")
    assert page.locator("h1").inner_text() == "監査ログ"
    first = page.locator("table.audit tbody tr").first
    assert "伊藤 大輔 (D0006)" in first.inner_text() and "サインイン" in first.inner_text()
    page.screenshot(path=str(tmp_path / "trail-ja.png"), full_page=True)

    page.fill("#actor", "D0006")
    page.select_option("#action", label="サインイン")
    page.click("form.trail-filter button.primary")
    rows = page.locator("table.audit tbody tr")
    assert rows.count() >= 1 and all("サインイン" in rows.nth(i).inner_text() for i in range(rows.count()))
    assert "actor=D0006" in page.url and "action=authn_login_success" in page.url

    with page.expect_download() as download:
        page.click("p.exports a:text('CSV')")
    saved = tmp_path / "trail.csv"
    download.value.save_as(saved)
    text = saved.read_bytes().decode("utf-8-sig")
    assert text.startswith("監査ログ") and "伊藤 大輔 (D0006)" in text
    lines = list(csv.reader(io.StringIO(text)))
    header = lines[lines.index([]) + 1]
    events = [dict(zip(header, line, strict=True)) for line in lines[lines.index([]) + 2 :]]
    # The label for people, the stored code beside it for machines.
    assert events and {(e["操作"], e["action_code"]) for e in events} == {("サインイン", "authn_login_success")}

    page.expected_errors.append("Failed to load resource: the server responded with a status of 400 (BAD REQUEST)")
    page.fill("#date_from", "2026-04-02")
    page.fill("#date_to", "2026-04-01")
    page.click("form.trail-filter button.primary")
    assert "終了日：開始日より前になっています。" in page.locator("#date_to-error").inner_text()
    page.screenshot(path=str(tmp_path / "trail-ja-error.png"), full_page=True)

    page.goto(base + "/audit")
    page.click("button[lang=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Audit trail"
    assert "Signed in" in page.locator("table.audit tbody").inner_text()
    page.screenshot(path=str(tmp_path / "trail-en.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + "/audit")
    page.screenshot(path=str(tmp_path / "trail-en-375.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the trail scrolls sideways at 375px ({width}px)"


def test_report_charts_are_drawn_in_the_readers_language_with_the_running_year(page, db, tmp_path):
    """The compliance office reads the demo's charts: the trend plots the running year too, marked; dates
    and plotly's own words are Japanese on a Japanese page and English on an English one; narrow too."""
    from learning.campaigns.models import Campaign

    failures = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    running = db.scalar(select(Campaign.id).where(Campaign.status == "running"))
    base = page.base_url
    sign_in_privileged(page, db, "compliance")

    def texts(selector: str) -> list[str]:
        return page.eval_on_selector_all(selector, "found => found.map(text => text.textContent)")

    def look(name: str, width: int) -> None:
        page.set_viewport_size({"width": width, "height": 900})
        for path, chart in (("", "curve-chart"), ("/trend", "trend-chart"), ("/comprehension", "heatmap")):
            page.goto(f"{base}/reports/campaigns/{running}{path}")
            page.wait_for_selector(f"#{chart} .main-svg")
            page.screenshot(path=str(tmp_path / f"{name}-{width}{path.replace('/', '-')}.png"), full_page=True)
            width_now = page.evaluate("document.documentElement.scrollWidth")
            assert width_now <= width, f"{path or 'campaign'} scrolls sideways at {width}px ({width_now}px)"

    page.goto(f"{base}/reports/campaigns/{running}/trend")
    page.wait_for_selector("#trend-chart .main-svg")
    assert texts("#trend-chart .xtick text") == ["2024年度", "2025年度", "2026年度"]
    assert texts("#trend-chart .annotation-text") == ["実施中：数値はまだ増えます"]
    assert "範囲を拡大" in page.locator("#trend-chart .modebar").inner_html()
    page.goto(f"{base}/reports/campaigns/{running}")
    page.wait_for_selector("#curve-chart .main-svg")
    ticks = texts("#curve-chart .xtick text")
    assert ticks and all(re.fullmatch(r"\d{1,2}月\d{1,2}日", tick) for tick in ticks), ticks
    look("ja", 1100)
    look("ja", 375)

    page.set_viewport_size({"width": 1100, "height": 900})
    page.click("button[lang=en]")
    page.wait_for_load_state()
    page.goto(f"{base}/reports/campaigns/{running}/trend")
    page.wait_for_selector("#trend-chart .main-svg")
    assert texts("#trend-chart .xtick text") == ["FY2024", "FY2025", "FY2026"]
    assert texts("#trend-chart .annotation-text") == ["Running: figures still grow"]
    page.goto(f"{base}/reports/campaigns/{running}")
    page.wait_for_selector("#curve-chart .main-svg")
    ticks = texts("#curve-chart .xtick text")
    assert ticks and all(re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}", tick) for tick in ticks), ticks
    look("en", 375)
    assert failures == []


def test_compliance_prints_a_campaign_report_with_its_charts_and_downloads_its_exports(page, db, tmp_path):
    """The print view in both languages: headed with what, as of when and by whom, the charts drawn within the
    printed page's width; the downloads named with the day in Japan, the workbook typed and frozen."""
    from openpyxl import load_workbook

    from learning import clock

    base = page.base_url
    sign_in_privileged(page, db, "compliance")
    page.goto(base + "/reports")
    page.click("ul.modules a:text('2026年度 行為規制研修（デモ）')")  # the yearly one (the role ones are new)
    report = page.url
    today = clock.tokyo_date(clock.now()).strftime("%Y%m%d")
    for fmt, link in (("csv", "CSV"), ("xlsx", "Excel")):
        with page.expect_download() as download:
            page.click(f"p.exports a:text('{link}')")
        assert re.fullmatch(rf"completion-campaign\d+-all-{today}\.{fmt}", download.value.suggested_filename)
        download.value.save_as(tmp_path / f"completion.{fmt}")
    text = (tmp_path / "completion.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("部署別の修了率") and "作成者" in text and " JST" in text
    sheet = load_workbook(tmp_path / "completion.xlsx").active
    header_row = int(sheet.freeze_panes[1:]) - 1
    header = [c.value for c in sheet[header_row]]
    assert header[:3] == ["コード", "階層", "部署"]
    rate = sheet.cell(row=header_row + 1, column=header.index("修了率") + 1)
    assert isinstance(rate.value, float) and rate.number_format == "0.0%"

    for language in ("ja", "en"):
        if language == "en":
            page.click("button[lang=en]")
            page.wait_for_load_state()
        page.goto(report + "?print=1")
        page.wait_for_function("document.querySelectorAll('.print-view .js-plotly-plot').length === 2")
        heading = page.locator("section.report-heading").inner_text()
        assert ("作成者" if language == "ja" else "Produced by") in heading and "JST" in heading
        page.emulate_media(media="print")
        assert page.locator("section.report-heading").is_visible() and page.locator("#curve-chart svg").count()
        width = page.evaluate("document.querySelector('.print-view').getBoundingClientRect().width")
        charts = page.evaluate("[...document.querySelectorAll('.print-view .main-svg')].map(s => s.clientWidth)")
        assert charts and max(charts) <= width, (charts, width)
        table = page.evaluate("document.querySelector('.print-view table').getBoundingClientRect().width")
        assert table <= width, (table, width)  # the tree's table fits the printed page too
        page.screenshot(path=str(tmp_path / f"print-{language}.png"), full_page=True)
        page.pdf(path=str(tmp_path / f"print-{language}.pdf"), format="A4")
        page.emulate_media(media="screen")

        page.goto(report)
        page.click("table.report-tree tbody tr >> nth=2 >> a")  # a section: people of its own
        with page.expect_download() as download:
            page.click("p.exports a:text('Excel')")
        assert re.fullmatch(rf"people-campaign\d+-[A-Z0-9_-]+-{today}\.xlsx", download.value.suggested_filename)
        download.value.save_as(tmp_path / f"people-{language}.xlsx")
        sheet = load_workbook(tmp_path / f"people-{language}.xlsx").active
        header_row = int(sheet.freeze_panes[1:]) - 1
        header = [c.value for c in sheet[header_row]]
        status = header.index("状況" if language == "ja" else "Status")
        assert header[status + 1] == "status_code"
        shown = {(row[status].value, row[status + 1].value) for row in sheet.iter_rows(min_row=header_row + 1)}
        labels = {"ja": {"completed": "修了", "not_started": "未着手"}, "en": {"completed": "Completed"}}[language]
        assert shown and all(label != code for label, code in shown)
        assert all(labels[code] == label for label, code in shown if code in labels)


def test_the_exemption_register_and_a_persons_history_in_both_languages_narrow_and_printed(page, db, tmp_path):
    """The learner follows 受講履歴 from My training; the compliance office opens the exemption register from the
    reports, narrows it to ended exemptions, follows a person to their history across the demo's years, and
    prints it headed; in Japanese and English, at 1100 and 375 pixels, never scrolling sideways."""
    base = page.base_url

    def fits(name: str, width: int) -> None:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
        now = page.evaluate("document.documentElement.scrollWidth")
        assert now <= width, f"{name} scrolls sideways at {width}px ({now}px)"

    page.goto(base + "/login")
    page.fill("#username", "learner")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    page.goto(base + "/training")
    page.click("text=受講履歴")
    assert page.locator("h1").inner_text() == "受講履歴"
    assert page.locator("section.history-year h2").first.inner_text().startswith("2026年度")
    fits("my-history-ja", 375)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.click("header.site button.link")  # sign out
    page.wait_for_load_state()

    sign_in_privileged(page, db, "compliance")
    page.goto(base + "/reports")
    page.click("text=免除台帳")
    assert page.locator("h1").inner_text() == "免除台帳"
    page.select_option("#state", "ended")
    page.click("form.panel button.primary")
    page.wait_for_url("**state=ended**")  # loaded: with its files cached the old page can still be read here
    statuses = page.locator("table.register tbody td:last-child .badge").all_inner_texts()
    assert statuses and "有効" not in statuses
    fits("register-ja", 1100)
    fits("register-ja", 375)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.click("table.register tbody tr >> nth=0 >> a")
    years = page.locator("section.history-year h2").all_inner_texts()
    assert len(years) >= 2 and all("年度" in year for year in years)
    person = page.url
    fits("history-ja", 1100)
    fits("history-ja", 375)

    page.set_viewport_size({"width": 1100, "height": 900})
    for language in ("ja", "en"):
        if language == "en":
            page.click("button[lang=en]")
            page.wait_for_load_state()
        page.goto(person + "?print=1")
        page.emulate_media(media="print")
        heading = page.locator("section.report-heading").inner_text()
        assert ("作成者" if language == "ja" else "Produced by") in heading and "JST" in heading
        width = page.evaluate("document.querySelector('.print-view').getBoundingClientRect().width")
        tables = page.evaluate("[...document.querySelectorAll('.print-view table')].map(t => t.clientWidth)")
        assert tables and max(tables) <= width, (tables, width)
        page.pdf(path=str(tmp_path / f"history-print-{language}.pdf"), format="A4", landscape=True)
        page.emulate_media(media="screen")
    page.goto(base + "/reports/exemptions")
    assert page.locator("h1").inner_text() == "Exemption register"
    fits("register-en", 375)
    page.goto(person)
    assert page.locator("section.history-year h2").first.inner_text().startswith("FY")
    fits("history-en", 375)
