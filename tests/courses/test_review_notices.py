"""Who is told about a draft in review: the reviewers on their home page and by email (through a real SMTP
server) when it is submitted, in their languages, the submitter not; the authors when it is approved or sent
back, with the reviewer's note."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from learning.authoring import services as authoring
from learning.courses.models import Edition
from learning.notify.models import OutboxMessage
from tests.conftest import make_settings, post, sign_in
from tests.factories import make_edition, make_user


def deliver(app, smtp_server, tmp_path) -> list:
    """`jobs run` against the test SMTP server; returns every email it received so far."""
    from learning.app import create_app

    settings = app.extensions["settings"]
    jobs = create_app(
        make_settings(settings.database_url, tmp_path / "jobs", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port))
    )
    result = jobs.test_cli_runner().invoke(args=["jobs", "run"])
    jobs.extensions["db"].engine.dispose()
    assert result.exit_code == 0, result.output
    return list(smtp_server.handler_messages)


def client_of(app, user):
    """Signed in once per test and person: a second factor code is accepted only once."""
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


@pytest.fixture
def team(app, db):
    """An author with a complete draft, two other trainers (one Japanese, one English), and a learner."""
    author = make_user(db, "trainer", name="著者 一郎", email="author@example.jp", locale="ja")
    ja = make_user(db, "trainer", name="査読 花子", email="hanako@example.jp", locale="ja")
    en = make_user(db, "trainer", name="Reviewer Ken", email="ken@example.jp", locale="en")
    former = make_user(db, "trainer", email="former@example.jp", status="left")
    learner = make_user(db, email="learner@example.jp")
    published = make_edition(db, slug="neutrality")
    draft = authoring.start_draft(db, published.module_id, author.id)
    db.commit()
    return {"author": author, "ja": ja, "en": en, "former": former, "learner": learner, "draft": draft}


def submit(app, team) -> object:
    author = client_of(app, team["author"])
    draft = team["draft"]
    response = post(
        author, f"/editions/{draft.id}/submit", {"revision": str(draft.revision), "change_note": "第2節を改訂"}
    )
    assert response.status_code == 302 and response.location.endswith(f"/editions/{draft.id}/review")
    return author


def test_a_submitted_draft_emails_every_other_trainer_in_their_language(app, db, team, smtp_server, tmp_path):
    submit(app, team)
    mails = {m["To"]: m for m in deliver(app, smtp_server, tmp_path)}
    assert set(mails) == {"hanako@example.jp", "ken@example.jp"}  # not the submitter, not one who has left
    draft_id = team["draft"].id
    ja, en = mails["hanako@example.jp"], mails["ken@example.jp"]
    assert ja["Subject"] == "[行為規制ポータル] レビュー待ちの下書き：neutrality 研修"
    assert "査読 花子 様" in ja.get_content() and "著者 一郎 さんが「neutrality 研修」" in ja.get_content()
    assert en["Subject"] == "[Conduct Rules Portal] A draft awaits your review: neutrality course"
    for mail in (ja, en):
        assert f"http://127.0.0.1:5000/editions/{draft_id}/review" in mail.get_content()
        assert "第2節を改訂" in mail.get_content()  # the author's change note


def test_reviewers_see_the_waiting_draft_on_their_home_page_until_it_is_decided(app, db, team):
    author = submit(app, team)
    reviewer = client_of(app, team["en"])
    home = reviewer.get("/").get_data(as_text=True)
    draft_id = team["draft"].id
    assert "A draft awaits your review: neutrality course" in home
    assert f'href="/editions/{draft_id}/review"' in home and "sent by 著者 一郎" in home
    # The author may not approve their own draft, and a learner reviews nothing: neither is told.
    for other in (author, client_of(app, team["learner"])):
        assert "awaits your review" not in other.get("/").get_data(as_text=True)
    assert post(reviewer, f"/editions/{draft_id}/decision", {"decision": "approve"}).status_code == 302
    assert "awaits your review" not in reviewer.get("/").get_data(as_text=True)


def test_approval_emails_the_author_that_it_is_published(app, db, team, smtp_server, tmp_path):
    submit(app, team)
    deliver(app, smtp_server, tmp_path)
    smtp_server.handler_messages.clear()
    draft_id = team["draft"].id
    post(client_of(app, team["en"]), f"/editions/{draft_id}/decision", {"decision": "approve"})
    db.expire_all()
    assert db.get(Edition, draft_id).status == "published"
    (mail,) = deliver(app, smtp_server, tmp_path)
    assert mail["To"] == "author@example.jp"
    assert mail["Subject"] == "[行為規制ポータル] 下書きが承認・公開されました：neutrality 研修"
    assert (
        "Reviewer Ken さんが「neutrality 研修」の下書きを承認しました。第2版として公開されています"
        in mail.get_content()
    )
    assert f"/editions/{draft_id}/changes" in mail.get_content()


def test_send_back_emails_the_author_with_the_reviewers_note(app, db, team, smtp_server, tmp_path):
    submit(app, team)
    draft_id = team["draft"].id
    reviewer = client_of(app, team["ja"])
    response = post(reviewer, f"/editions/{draft_id}/decision", {"decision": "send_back", "comments": "出典を示すこと"})
    assert response.status_code == 302
    kinds = db.execute(select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)).all()
    assert ("review_decision", "author@example.jp") in kinds
    mails = [
        m for m in deliver(app, smtp_server, tmp_path) if m["Subject"].endswith("差し戻されました：neutrality 研修")
    ]
    (mail,) = mails
    assert mail["To"] == "author@example.jp"
    assert "出典を示すこと" in mail.get_content() and "査読 花子 さんが" in mail.get_content()
    assert f"/editions/{draft_id}/edit" in mail.get_content()


def test_a_refused_submit_emails_nobody(app, db, team):
    author = client_of(app, team["author"])
    draft = team["draft"]
    # An older revision: refused (someone saved meanwhile), so nothing may be queued.
    post(author, f"/editions/{draft.id}/submit", {"revision": str(draft.revision + 5), "change_note": "x"})
    db.expire_all()
    assert db.get(Edition, draft.id).status == "draft"
    assert db.scalars(select(OutboxMessage)).all() == []
