"""Notices and rules in the one search: a notice found only by the people it is addressed to and only while it
is shown; a rules document found by the text of its version in force, which `jobs run` follows when a scheduled
version comes into force. Both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from learning import clock
from learning.announcements import services as notices
from learning.campaigns.jobs import run_jobs
from learning.rules import services as rules
from learning.search import services
from tests.announcements.test_notices import NOW, draft
from tests.factories import make_department, make_user
from tests.rules.test_rules import LIMIT


def titles(db, user, query: str, language: str = "ja") -> list[str]:
    return [hit.entry.title for hit in services.search(db, services.reader_of(db, user, language), query).hits]


def test_a_notice_is_found_by_its_audience_only_and_only_while_it_is_shown(app, db):
    clock.freeze(NOW)
    grid, retail = make_department(db, code="G"), make_department(db, code="R")
    centre = make_department(db, code="C", parent=grid)
    author = make_user(db, "compliance", department=retail)
    operator, seller = make_user(db, department=centre, locale="ja"), make_user(db, department=retail, locale="ja")
    db.commit()
    body = "託送コールセンターの端末は、小売の担当者に貸さないでください。"
    notice = notices.create(
        db, draft(title_ja="端末の貸し借り", body_ja=body, everyone=False, departments=(grid.id,)), author.id
    )
    assert titles(db, operator, "端末") == []  # a draft is nobody's to find
    notice = notices.publish(db, notice.id, notice.revision, author.id)
    db.commit()
    assert titles(db, operator, "ｺｰﾙｾﾝﾀｰ") == ["端末の貸し借り"]  # in the grid's subtree, width folded
    assert titles(db, seller, "コールセンター") == []  # addressed to the grid company only

    notices.withdraw(db, notice.id, notice.revision, author.id)
    db.commit()
    assert titles(db, operator, "端末") == []


def test_a_notice_whose_window_ends_leaves_the_index_at_the_next_jobs_run(app, db):
    clock.freeze(NOW)
    author, reader = make_user(db, "compliance"), make_user(db, locale="ja")
    db.commit()
    last_day = clock.tokyo_date(NOW)
    notice = notices.create(db, draft(title_ja="今日だけの連絡", body_ja="本日の研修", last_day=last_day), author.id)
    notices.publish(db, notice.id, notice.revision, author.id)
    db.commit()
    assert titles(db, reader, "研修") == ["今日だけの連絡"]
    clock.freeze(NOW + timedelta(days=1))
    assert run_jobs(db, app.extensions["settings"]).steps["search entries by date"] >= 0
    assert titles(db, reader, "研修") == []


def test_a_rules_document_is_found_by_its_version_in_force_and_jobs_follow_a_scheduled_one(app, db):
    clock.freeze(datetime(2027, 3, 31, 3, 0, tzinfo=UTC))
    compliance, reader = make_user(db, "compliance"), make_user(db, locale="ja")
    db.commit()
    document = rules.create_document(
        db, compliance.id, "conduct-regulation", "regulation", "行為規制規程", "Regulation"
    )
    rules.add_version(
        db,
        document,
        compliance.id,
        rules.VersionDraft(
            date(2024, 4, 1), "制定", "Issued", "## 第5条\n\n託送業務の情報", "## Article 5\n\nWheeling"
        ),
        LIMIT,
    )
    rules.add_version(
        db,
        document,
        compliance.id,
        rules.VersionDraft(
            date(2027, 4, 1), "改正", "Revised", "## 第5条\n\n非公開情報の管理", "## Article 5\n\nNon-public"
        ),
        LIMIT,
    )
    db.commit()
    assert titles(db, reader, "託送業務") == ["行為規制規程"]
    assert titles(db, reader, "非公開情報の管理") == []  # scheduled for tomorrow

    clock.freeze(datetime(2027, 4, 1, 3, 0, tzinfo=UTC))  # the new version's day
    run_jobs(db, app.extensions["settings"])
    assert titles(db, reader, "非公開情報の管理") == ["行為規制規程"]
    assert titles(db, reader, "託送業務") == []


def test_a_rules_document_is_indexed_with_the_organisation_terms_in_force(app, db):
    from learning.courses import term_settings

    clock.freeze(datetime(2026, 12, 3, 3, 0, tzinfo=UTC))
    compliance, reader = make_user(db, "compliance"), make_user(db, locale="ja")
    db.commit()
    document = rules.create_document(db, compliance.id, "outline", "regulation", "{{regulation}}", "{{regulation}}")
    version = rules.VersionDraft(date(2026, 4, 1), "制定", "Issued", "{{grid_company}}の情報", "{{grid_company}}")
    rules.add_version(db, document, compliance.id, version, LIMIT)
    db.commit()
    assert titles(db, reader, "送配電の情報") == ["行為規制遵守規程"]  # デモ電力送配電の情報, the defaults
    assert titles(db, reader, "grid_company") == []
    term_settings.set_terms(db, compliance.id, {"grid_company": {"ja": "北送電", "en": "North Grid"}})
    db.commit()
    assert titles(db, reader, "北送電の情報") == ["行為規制遵守規程"]


def test_a_notice_to_the_heads_of_departments_is_found_by_the_heads_and_not_by_their_staff(app, db):
    clock.freeze(NOW)
    retail, grid = make_department(db, code="R"), make_department(db, code="G")
    sales = make_department(db, code="S", parent=retail)
    author = make_user(db, "compliance", department=retail)
    head = make_user(db, "manager", department=sales, scope=sales, locale="ja")
    staff = make_user(db, department=sales, locale="ja")
    grid_head = make_user(db, "manager", department=grid, scope=grid, locale="ja")
    db.commit()
    to_heads = notices.create(
        db,
        draft(
            title_ja="管理職の自主点検",
            body_ja="部署の端末台帳を確認してください。",
            everyone=False,
            departments=(retail.id,),
            heads_only=True,
        ),
        author.id,
    )
    notices.publish(db, to_heads.id, to_heads.revision, author.id)
    to_all_heads = notices.create(
        db, draft(title_ja="全管理職へ", body_ja="端末台帳の様式を改めました。", heads_only=True), author.id
    )
    notices.publish(db, to_all_heads.id, to_all_heads.revision, author.id)
    db.commit()
    assert sorted(titles(db, head, "端末台帳")) == ["全管理職へ", "管理職の自主点検"]
    assert titles(db, staff, "端末台帳") == []  # the learner in the same section finds neither
    assert titles(db, grid_head, "端末台帳") == ["全管理職へ"]  # a head outside the retail subtree
    # The home page and the notice page follow the same rule.
    assert [c.notice.title_ja for c in notices.current_for(db, staff, clock.now())] == []
    assert {c.notice.title_ja for c in notices.current_for(db, head, clock.now())} == {"全管理職へ", "管理職の自主点検"}


def test_the_acknowledgement_counts_of_a_notice_to_heads_count_the_heads_alone(app, db):
    from learning.accounts.tree import parent_map
    from learning.announcements import audience

    clock.freeze(NOW)
    sales = make_department(db, code="S")
    author = make_user(db, "compliance", department=sales)
    head = make_user(db, "manager", department=sales, scope=sales)
    make_user(db, department=sales)
    db.commit()
    notice = notices.create(db, draft(heads_only=True, everyone=False, departments=(sales.id,)), author.id)
    notice = notices.publish(db, notice.id, notice.revision, author.id)
    db.commit()
    reached = audience.covered(notice, parent_map(db))
    assert audience.counts(db, notice, reached) == {sales.id: (1, 0)}  # the head; not the author, not the staff
    assert [person.id for person, _ in audience.people(db, notice, reached)] == [head.id]
