"""Organisation terms: compliance sets the installation's words once, and every place that shows content (the
reader, the quiz and its feedback, the home page, the editor's preview, the report exports) shows them in place
of {{name}}; the defaults show while nothing is set; the editor keeps what the author typed."""

import io
import json
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from learning.audit.models import AuditEvent
from learning.courses import term_settings
from learning.courses.formats.spec import ChoiceSpec, QuestionSpec, SectionSpec
from learning.courses.models import Edition, OrganisationTerm
from learning.courses.services import import_modules
from learning.courses.terms import DEFAULTS, TERMS
from learning.reports.evidence import terms_part
from learning.training.models import Assignment
from tests.conftest import post, sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_assignment, make_department, make_launched_campaign, make_user, module_spec
from tests.helpers import answers_for, start_quiz

GRID = {"ja": "北電送配電", "en": "North Grid Co."}


def spec_with_terms(slug: str = "terms"):
    """A module naming the grid company in its title, a section, a question prompt, a choice and its feedback."""
    base = module_spec(slug=slug, sections=1, questions=2, draw=2)
    section = SectionSpec(
        1,
        {"ja": "{{grid_company}}の中立", "en": "Neutrality at {{grid_company}}"},
        {"ja": "**{{grid_company}}**は中立です。", "en": "**{{grid_company}}** is neutral."},
    )
    question = QuestionSpec(
        "grid",
        "single",
        {"ja": "{{grid_company}}の社員は？", "en": "May a {{grid_company}} employee tell?"},
        {"ja": "{{desk}}に聞く。", "en": "Ask the {{desk}}."},
        [
            ChoiceSpec({"ja": "いいえ", "en": "No"}, True, None),
            ChoiceSpec(
                {"ja": "はい", "en": "Yes"}, False, {"ja": "{{grid_company}}は不可", "en": "Not at {{grid_company}}"}
            ),
        ],
    )
    return replace(
        base,
        title={"ja": "{{grid_company}}の研修", "en": "Training at {{grid_company}}"},
        sections=[section],
        questions=[question, base.questions[0]],
    )


def typed(changes: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """The admin form's fields: the defaults, with `changes` in their place."""
    values = {**DEFAULTS, **(changes or {})}
    return {f"{name}_{lang}": values[name][lang] for name in values for lang in ("ja", "en")}


@pytest.fixture
def published(db):
    import_modules(db, [spec_with_terms()])
    edition = db.scalar(select(Edition).order_by(Edition.id.desc()))
    db.commit()
    return edition


def signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def test_the_defaults_are_in_force_when_nothing_is_set(app, db, published):
    assert term_settings.current_terms(db) == DEFAULTS
    learner = make_user(db)
    assignment = make_assignment(db, learner, published)
    db.commit()
    client = signed_in(app, learner)
    page = client.get(f"/training/{assignment.id}/sections/1").get_data(as_text=True)
    assert "<strong>Demo Electric Power Grid</strong> is neutral." in page
    assert "Neutrality at Demo Electric Power Grid" in page and "{{" not in page


def test_compliance_sets_the_words_and_every_page_shows_them(app, db, published):
    compliance, trainer = make_user(db, "compliance"), make_user(db, "trainer")
    learner = make_user(db, department=make_department(db))
    campaign = make_launched_campaign(db, [published], compliance.id)
    db.commit()
    admin = signed_in(app, compliance)
    response = post(admin, "/admin/terms", typed({"grid_company": GRID}))
    assert response.status_code == 302 and response.location == "/admin/terms"
    assert term_settings.current_terms(db)["grid_company"] == GRID

    assignment = db.scalar(select(Assignment).where(Assignment.user_id == learner.id))
    reader = signed_in(app, learner)
    home = reader.get("/").get_data(as_text=True)
    assert "Training at North Grid Co." in home
    section = reader.get(f"/training/{assignment.id}/sections/1").get_data(as_text=True)
    assert "<strong>North Grid Co.</strong> is neutral." in section and "{{" not in section
    post(reader, f"/training/{assignment.id}/sections/1")
    attempt_id = start_quiz(reader, assignment.id)
    quiz = reader.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "May a North Grid Co. employee tell?" in quiz and "{{" not in quiz
    wrong = answers_for(db, attempt_id, right=False)
    assert post(reader, f"/attempts/{attempt_id}", wrong).status_code == 302
    result = reader.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Not at North Grid Co." in result and "Ask the conduct-rule desk." in result

    author = signed_in(app, trainer)
    preview = author.get(f"/editions/{published.id}/preview").get_data(as_text=True)
    assert "<strong>North Grid Co.</strong> is neutral." in preview and "Training at North Grid Co." in preview
    assert "{{grid_company}}" in author.get("/library/terms").get_data(as_text=True)

    exported = read_csv(admin.get(f"/reports/campaigns/{campaign.id}/people.csv?filter=all"))
    assert "Training at North Grid Co." in exported.header
    sheet = read_xlsx(admin.get(f"/reports/campaigns/{campaign.id}/people.xlsx?filter=all"))
    assert "Training at North Grid Co." in sheet.header


def test_the_editor_keeps_what_the_author_typed_and_previews_the_words(app, db):
    trainer = make_user(db, "trainer")
    db.commit()
    import_modules(db, [spec_with_terms("drafted")])
    db.commit()
    author = signed_in(app, trainer)
    module_id = db.scalar(select(Edition.module_id).order_by(Edition.id.desc()))
    started = post(author, f"/library/{module_id}/draft")
    assert started.status_code == 302
    page = author.get(started.location).get_data(as_text=True)
    # The edit fields hold the raw term; the preview beside them shows the words in force.
    assert 'value="Training at {{grid_company}}"' in page
    assert "<strong>Demo Electric Power Grid</strong> is neutral." in page


def test_only_the_compliance_office_may_change_the_terms(app, db):
    trainer, auditor = make_user(db, "trainer"), make_user(db, "auditor")
    db.commit()
    for user in (trainer, auditor, make_user(db)):
        db.commit()
        client = signed_in(app, user)
        assert client.get("/admin/terms").status_code == 403
        assert post(client, "/admin/terms", typed({"grid_company": GRID})).status_code == 403
    assert db.scalars(select(OrganisationTerm)).all() == []


@pytest.mark.parametrize(
    ("locale", "label", "message"),
    [
        (
            "en",
            "The grid company (general transmission and distribution operator) (Japanese)",
            "Enter the words in Japanese",
        ),
        ("ja", "送配電会社（一般送配電事業者）（日本語）", "日本語の表記を入力してください"),
    ],
)
def test_an_empty_japanese_text_is_refused_naming_the_field(app, db, locale, label, message):
    compliance = make_user(db, "compliance", locale=locale)
    db.commit()
    client = signed_in(app, compliance)
    response = post(client, "/admin/terms", typed({"grid_company": {"ja": " ", "en": "North Grid Co."}}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors = re.findall(r'<p class="error" id="grid_company_ja-error">([^<]*)</p>', page)
    assert len(errors) == 1 and errors[0].startswith(label) and message in errors[0], errors
    assert db.scalars(select(OrganisationTerm)).all() == []


def test_braces_and_control_characters_are_refused_and_nothing_is_half_saved(app, db):
    compliance = make_user(db, "compliance")
    db.commit()
    client = signed_in(app, compliance)
    changes = {"grid_company": GRID, "desk": {"ja": "{{retail_company}}窓口", "en": "desk"}}
    response = post(client, "/admin/terms", typed(changes))
    assert response.status_code == 400
    assert "may not contain “{{”" in response.get_data(as_text=True)
    assert db.scalars(select(OrganisationTerm)).all() == []  # the valid grid company was not kept either
    with pytest.raises(term_settings.TermError) as refused:
        term_settings.set_terms(db, compliance.id, {"desk": {"ja": "窓\x00口", "en": "desk"}})
    assert (refused.value.code, refused.value.field) == ("term_control", "desk_ja")
    with pytest.raises(term_settings.TermError) as refused:
        term_settings.set_terms(db, compliance.id, {"group": {"ja": "あ" * 201, "en": "group"}})
    assert (refused.value.code, refused.value.params["limit"]) == ("term_too_long", 200)
    policy = {"ja": "あ" * 600, "en": "A policy."}
    assert term_settings.set_terms(db, compliance.id, {"asking_policy": policy})["asking_policy"]["to"] == policy


def test_a_change_is_audited_with_the_old_and_new_words_and_a_resubmit_records_nothing(app, db):
    compliance = make_user(db, "compliance")
    db.commit()
    client = signed_in(app, compliance)
    for _ in range(2):  # a double submit
        assert post(client, "/admin/terms", typed({"grid_company": GRID})).status_code == 302
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "terms_changed")).all()
    assert len(events) == 1
    assert events[0].actor_id == compliance.id
    assert json.loads(events[0].details) == {"terms": {"grid_company": {"from": DEFAULTS["grid_company"], "to": GRID}}}
    row = db.get(OrganisationTerm, "grid_company")
    assert (row.value_ja, row.value_en, row.updated_by_id) == (GRID["ja"], GRID["en"], compliance.id)
    assert db.scalars(select(OrganisationTerm)).all() == [row]  # unchanged terms are not written
    page = client.get("/admin/terms").get_data(as_text=True)
    assert 'value="北電送配電"' in page and 'placeholder="デモ電力送配電"' in page and "{{grid_company}}" in page


def test_the_evidence_pack_lists_the_terms_in_force(db):
    compliance = make_user(db, "compliance")
    term_settings.set_terms(db, compliance.id, {"grid_company": GRID})
    stream = io.BytesIO()
    part = terms_part(db)
    part.write(stream)
    listed = json.loads(stream.getvalue())
    assert part.name == "terms.json"
    assert [t["name"] for t in listed] == [t.name for t in TERMS]
    grid = next(t for t in listed if t["name"] == "grid_company")
    assert (grid["ja"], grid["en"]) == (GRID["ja"], GRID["en"]) and grid["updated_at"]
    assert next(t for t in listed if t["name"] == "desk")["updated_at"] is None


def test_the_footer_names_the_desk_by_the_words_in_force_and_an_error_page_by_the_default(app, db):
    compliance, learner = make_user(db, "compliance"), make_user(db, locale="ja")
    db.commit()
    term_settings.set_terms(db, compliance.id, {"desk": {"ja": "行動規範ヘルプデスク", "en": "conduct helpdesk"}})
    db.commit()
    reader = signed_in(app, learner)
    footer = reader.get("/").get_data(as_text=True).split('<footer class="site">')[1]
    assert "行動規範ヘルプデスク" in footer and "行為規制相談窓口" not in footer
    assert 'href="/desk"' in footer
    missing = reader.get("/no-such-page")
    assert missing.status_code == 404
    assert "行為規制相談窓口" in missing.get_data(as_text=True).split('<footer class="site">')[1]  # no database read


def test_the_front_page_names_each_contact_with_how_and_when_to_reach_it(app, db):
    compliance, learner = make_user(db, "compliance"), make_user(db, locale="ja")
    db.commit()
    hours = {"ja": "内線 555（平日 8:30～17:00）", "en": "Extension 555 (weekdays 8:30–17:00)"}
    term_settings.set_terms(db, compliance.id, {"whistleblowing_contact": hours})
    db.commit()
    page = signed_in(app, learner).get("/").get_data(as_text=True)
    contacts = page.split('id="contacts-title"')[1].split("</section>")[0]
    assert "<dt>行為規制相談窓口</dt>" in contacts and "（平日 9:00～17:30）" in contacts  # the desk: the defaults
    assert "<dt>コンプライアンス推進室</dt>" in contacts
    assert "<dt>内部通報窓口</dt><dd>内線 555（平日 8:30～17:00）</dd>" in contacts
