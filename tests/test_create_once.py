"""Create forms create once: the same form sent twice at the same moment (a double click: one browser, one
session, the page's one-time token) makes one row, and both answers lead to the same result. On
PostgreSQL the two submits really overlap (two threads); SQLite serialises them."""

from __future__ import annotations

import io
import threading
from html.parser import HTMLParser

from sqlalchemy import func, select

from learning.accounts.models import RoleGrant, User
from learning.campaigns.models import Campaign
from learning.courses.models import Edition, Module
from learning.desk.models import DeskMessage, DeskQuestion, FaqEntry
from learning.submissions import FormSubmission
from learning.training.models import Assignment, Exemption
from tests.campaigns.test_campaign_pages import FORM as CAMPAIGN_FORM
from tests.conftest import csrf_token, sign_in
from tests.factories import make_assignment, make_department, make_edition, make_user


class _Forms(HTMLParser):
    """The POST forms of a page: their action and hidden inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str | None, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.forms.append((attrs.get("action"), {}))
        elif tag == "input" and attrs.get("type") == "hidden" and self.forms and attrs.get("name"):
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""


def _form(client, page: str, action: str | None) -> dict[str, str]:
    parser = _Forms()
    parser.feed(client.get(page).get_data(as_text=True))
    hidden = next(h for a, h in parser.forms if (a == action or (action is None and a is None)) and "once" in h)
    return dict(hidden)


def _at_once(app, client, url: str, body: dict, page: str) -> list:
    """Posts `body` to `url` twice at the same moment from one browser (two clients sharing its session)."""
    twin = app.test_client()
    twin.set_cookie("portal", client.get_cookie("portal").value)
    barrier, responses = threading.Barrier(2), []

    def send(who):
        barrier.wait()
        responses.append(who.post(url, data=dict(body), headers={"Referer": f"http://localhost{page}"}))

    threads = [threading.Thread(target=send, args=(c,)) for c in (client, twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(responses) == 2
    return responses


def double_click(app, client, page: str, action: str | None, data: dict, *, redirects: bool = True) -> list:
    """Sends the form on `page` twice at once; both answers redirect (the second to the first's result)."""
    responses = _at_once(app, client, action or page, {**_form(client, page, action), **data}, page)
    if redirects:
        assert [r.status_code for r in responses] == [302, 302], [r.get_data(as_text=True)[:300] for r in responses]
    return responses


def _count(db, model, *where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where))


def signed_in(app, db, user):
    db.commit()
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def test_a_named_question_and_its_replies_are_sent_once(app, db):
    branch = make_department(db, code="BR")
    learner, desk = make_user(db, department=branch), make_user(db, "desk", department=branch)
    client = signed_in(app, db, learner)
    first, second = double_click(app, client, "/desk", None, {"body": "IDを共有してよいですか？", "category": "other"})
    assert _count(db, DeskQuestion) == 1
    # An ask's token is kept as an anonymous one's is (named and anonymous asks answer alike): the second
    # submit lands back on the form, told it was sent once.
    assert sorted([first.location, second.location]) == ["/desk", "/desk/sent"]
    token = db.scalar(select(FormSubmission))
    assert (token.user_id, token.result, token.created_at.hour, token.created_at.minute) == (None, "", 15, 0)
    question = db.scalar(select(DeskQuestion))
    page = f"/desk/mine/{question.code}"
    double_click(app, client, page, page, {"body": "追記です。"})
    assert _count(db, DeskMessage, DeskMessage.author_kind == "asker") == 1
    staff = signed_in(app, db, desk)
    action = f"/desk/inbox/{question.code}/reply"
    double_click(app, staff, f"/desk/inbox/{question.code}", action, {"body": "共有はできません。"})
    assert _count(db, DeskMessage, DeskMessage.author_kind == "desk") == 1
    action = f"/desk/inbox/{question.code}/note"
    double_click(app, staff, f"/desk/inbox/{question.code}", action, {"note-body": "確認済み"})
    assert _count(db, DeskMessage, DeskMessage.author_kind == "note") == 1


def test_an_anonymous_question_is_sent_once_and_its_token_ties_it_to_nobody(app, db):
    learner = make_user(db)
    client = signed_in(app, db, learner)
    data = {"body": "匿名の質問", "category": "other", "anonymous": "y"}
    first, second = double_click(app, client, "/desk", None, data)
    assert _count(db, DeskQuestion) == 1
    token = db.scalar(select(FormSubmission))
    assert token.user_id is None and token.result == ""
    assert (token.created_at.hour, token.created_at.minute) == (15, 0)  # the Tokyo day only (00:00 JST)
    # The first leads to the page that shows the claim code once; the second back to the form, nothing sent.
    assert sorted([first.location, second.location]) == ["/desk", "/desk/sent"]


def test_a_faq_entry_campaign_exemption_and_grant_are_created_once(app, db):
    branch = make_department(db, code="BR")
    edition = make_edition(db, slug="rules")
    desk = make_user(db, "desk", department=branch)
    compliance = make_user(db, "compliance", department=branch)
    admin = make_user(db, "admin", department=branch)
    learner = make_user(db, department=branch)
    staff = signed_in(app, db, desk)
    entry = {"question_ja": "質問", "question_en": "Question", "answer_ja": "回答", "answer_en": "Answer"}
    double_click(app, staff, "/faq/new", None, {**entry, "module": ""})
    assert _count(db, FaqEntry) == 1
    office = signed_in(app, db, compliance)
    window = {"opens_on": "2099-04-01", "due_on": "2099-06-30"}  # ahead of any day the suite runs on
    double_click(app, office, "/campaigns/new", None, {**CAMPAIGN_FORM, **window, "modules": str(edition.module_id)})
    assert _count(db, Campaign) == 1
    assignment = make_assignment(db, learner, edition)
    db.commit()
    action = f"/assignments/{assignment.id}/exempt"
    double_click(app, office, f"/people?q={learner.employee_no}", action, {"reason": "育児休業", "until": "2027-03-31"})
    db.expire_all()
    assert db.get(Assignment, assignment.id).status == "exempt"
    assert _count(db, Exemption, Exemption.assignment_id == assignment.id) == 1  # the register's one record
    it = signed_in(app, db, admin)
    action = f"/admin/people/{learner.id}/grants"
    double_click(app, it, f"/admin/people?q={learner.employee_no}", action, {"role": "desk", "department": ""})
    assert _count(db, RoleGrant, RoleGrant.user_id == learner.id) == 1


def test_a_module_a_draft_and_an_hr_import_are_created_once(app, db):
    branch = make_department(db, code="BR")
    trainer = make_user(db, "trainer", department=branch)
    admin = make_user(db, "admin", department=branch)
    author = signed_in(app, db, trainer)
    double_click(app, author, "/library/new", None, {"slug": "new-rules", "title_ja": "新しい規則", "title_en": "New"})
    assert _count(db, Module, Module.slug == "new-rules") == 1
    published = make_edition(db, slug="published-rules")
    db.commit()
    action = f"/library/{published.module_id}/draft"
    double_click(app, author, "/library", action, {})
    assert _count(db, Edition, Edition.module_id == published.module_id, Edition.status == "draft") == 1
    it = signed_in(app, db, admin)
    roster = b"employee_no,name,email,department_code,status\nN1,New Person,n1@example.jp,BR,active\n"
    token = csrf_token(it, "/admin/imports")
    data = {"kind": "roster", "file": (io.BytesIO(roster), "roster.csv"), "csrf_token": token}
    preview = it.post("/admin/imports", data=data, content_type="multipart/form-data")
    parser = _Forms()
    parser.feed(preview.get_data(as_text=True))
    action, hidden = next((a, h) for a, h in parser.forms if a and a.endswith("/apply"))
    statuses = [r.status_code for r in _at_once(app, it, action, hidden, "/admin/imports")]
    assert sorted(statuses) == [200, 302]  # applied once (its result page); the other sent back, nothing done
    assert _count(db, User, User.employee_no == "N1") == 1
