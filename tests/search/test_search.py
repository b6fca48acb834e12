"""The one search (issue 17, item 3): Japanese substring matching, widths and kana folded, the reader's
scope in SQL, what becomes findable and stops being so, the results page. Both databases."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from learning.authoring import review
from learning.authoring import services as authoring
from learning.courses import term_settings
from learning.courses.models import Edition, Module
from learning.courses.services import import_modules, spec_from_edition
from learning.desk import handling
from learning.search import index, services
from learning.search.models import SearchAudience, SearchEntry
from learning.search.text import excerpt, normalise, words
from tests.conftest import PG_URL, post, sign_in
from tests.factories import make_department, make_edition, make_user, module_spec

BODIES = {
    1: "送配電会社の託送供給等約款に基づく手続きは、どの小売電気事業者にも同じ条件で案内します。",
    2: "託送コールセンターに寄せられた問い合わせの内容を、小売部門に伝えてはいけません。",
    3: "Non-public information about grid customers stays inside the grid company.",
}


def titles(db, user, query: str, language: str = "ja") -> list[str]:
    found = services.search(db, services.reader_of(db, user, language), query)
    return [hit.entry.title for hit in found.hits]


@pytest.fixture
def library(app, db):
    """A published module whose three sections say 託送供給, 託送コールセンター and (in English) information."""
    spec = module_spec(slug="consignment", sections=3)
    sections = [
        replace(
            s,
            title={"ja": f"託送の節{s.position}", "en": f"Part {s.position}"},
            body={"ja": BODIES[s.position], "en": BODIES[s.position] if s.position == 3 else f"Body {s.position}"},
        )
        for s in spec.sections
    ]
    sections[0] = replace(sections[0], title={"ja": "約款の説明", "en": "The tariff"})
    sections[1] = replace(sections[1], title={"ja": "コールセンターで", "en": "At the call centre"})
    import_modules(db, [replace(spec, sections=sections)])
    return make_user(db, locale="ja")


def test_a_two_character_word_finds_every_compound_it_is_part_of(db, library):
    found = titles(db, library, "託送")
    assert "約款の説明" in found  # 託送供給
    assert "コールセンターで" in found  # 託送コールセンター
    assert titles(db, library, "託送供給") == ["約款の説明"]


def test_half_width_and_hiragana_find_katakana(db, library):
    assert titles(db, library, "ｺｰﾙｾﾝﾀｰ") == ["コールセンターで"]
    assert titles(db, library, "こーるせんたー") == ["コールセンターで"]
    assert titles(db, library, "コールセンター") == ["コールセンターで"]
    assert titles(db, library, "ＣＯＬＬ") == []  # width folded, but no such word
    assert normalise("ﾀｸｿｳ ＡＢＣ たくそう") == "タクソウ abc タクソウ"


def test_english_is_matched_without_case_and_each_word_must_occur(db, library):
    both = ["Part 3", "託送の節3"]  # section 3's body is English in both languages
    assert titles(db, library, "INFORMATION", "en") == both
    assert titles(db, library, "grid Information", "en") == both
    assert titles(db, library, "grid nowhere", "en") == []


def test_the_readers_language_comes_first(db, library):
    """Section 3's body is English in both languages: an English reader sees the English entry first."""
    english = services.search(db, services.reader_of(db, library, "en"), "information")
    assert [hit.entry.language for hit in english.hits] == ["en", "ja"]
    japanese = services.search(db, services.reader_of(db, library, "ja"), "information")
    assert [hit.entry.language for hit in japanese.hits] == ["ja", "en"]


def test_a_broad_query_is_capped_and_paged(db, app):
    for n in range(services.CAP + 5):
        index.put(db, index.Entry("notice", f"notice:{n}", "ja", f"お知らせ{n}", "研修のお知らせです。", "portal.home"))
    reader = services.reader_of(db, make_user(db), "ja")
    found = services.search(db, reader, "研修")
    assert (found.total, found.more, found.pages, len(found.hits)) == (services.CAP, True, 10, services.PAGE_SIZE)
    last = services.search(db, reader, "研修", page=99)
    assert last.page == 10
    assert {hit.entry.id for hit in last.hits}.isdisjoint({hit.entry.id for hit in found.hits})
    assert services.search(db, reader, "研修 xyz").total == 0


def test_a_managers_only_entry_is_found_by_managers_not_by_learners(db, app):
    company = make_department(db)
    office = make_department(db, parent=company)
    other = make_department(db)
    everyone = index.Entry("notice", "notice:1", "ja", "研修のお知らせ", "全員向けの案内", "portal.home")
    managers = index.Audience(roles=("manager",))
    index.put(db, replace(everyone, key="notice:2", title="管理職向けのお知らせ", audience=managers))
    index.put(db, replace(everyone, key="notice:3", title="会社向けのお知らせ", audience=index.Audience((company.id,))))
    index.put(
        db,
        replace(
            everyone, key="notice:4", title="監査向けのお知らせ", audience=index.Audience(permissions=("audit.read",))
        ),
    )
    index.put(db, everyone)
    learner = make_user(db, department=office)
    outsider = make_user(db, department=other)
    manager = make_user(db, "manager", department=other)
    auditor = make_user(db, "auditor", department=other)
    assert sorted(titles(db, learner, "お知らせ")) == ["会社向けのお知らせ", "研修のお知らせ"]
    assert titles(db, outsider, "お知らせ") == ["研修のお知らせ"]
    assert sorted(titles(db, manager, "お知らせ")) == ["研修のお知らせ", "管理職向けのお知らせ"]
    assert sorted(titles(db, auditor, "お知らせ")) == ["監査向けのお知らせ", "研修のお知らせ"]
    # A put replaces: the notice opened to everyone is found by the learner, its audience rows gone.
    index.put(db, replace(everyone, key="notice:2", title="管理職向けのお知らせ"))
    assert "管理職向けのお知らせ" in titles(db, learner, "お知らせ")
    assert db.scalar(select(SearchEntry.restricted).where(SearchEntry.source_key == "notice:2")) is False


def test_a_drafts_sections_are_not_found_until_it_is_published(app, db, library):
    author, reviewer = make_user(db, "trainer"), make_user(db, "trainer")
    current = db.scalar(select(Edition).join(Module).where(Module.slug == "consignment", Edition.status == "published"))
    draft = authoring.start_draft(db, current.module_id, author.id)
    spec = spec_from_edition(db, draft)
    changed = replace(spec.sections[0], body={"ja": "託送の新しい説明：系統連系の受付", "en": "New body"})
    spec = replace(spec, edition_label="2026b", sections=[changed, *spec.sections[1:2]])
    draft = authoring.save_draft(db, draft.id, draft.revision, spec, author.id)
    assert titles(db, library, "系統連系") == []
    review.submit(db, draft.id, draft.revision, author.id, "改訂", False)
    assert titles(db, library, "系統連系") == []
    review.approve(db, draft.id, reviewer.id)
    db.flush()
    assert titles(db, library, "系統連系") == ["約款の説明"]
    assert titles(db, library, "託送供給") == []  # the retired edition's text is gone
    assert titles(db, library, "Information", "en") == []  # and its third section, which the new one lacks


def test_terms_changed_are_searched_as_the_reader_reads_them(app, db):
    make_edition(db, slug="terms", body="{{grid_company}}の託送窓口")
    reader = make_user(db)
    compliance = make_user(db, "compliance")
    assert titles(db, reader, "デモ電力送配電")
    term_settings.set_terms(db, compliance.id, {"grid_company": {"ja": "みなと送配電", "en": "Minato Grid"}})
    assert titles(db, reader, "デモ電力送配電") == []
    assert len(titles(db, reader, "ミナト送配電")) == 3  # hiragana folded in the index and the query alike


def test_faq_entries_are_found_while_published(app, db):
    desk = make_user(db, "desk")
    reader = make_user(db)
    draft = handling.FaqDraft(
        "託送料金の質問", "Wheeling charges?", "託送料金は約款で決まります。", "The tariff sets them."
    )
    entry = handling.save_faq(db, None, draft, desk.id)
    assert titles(db, reader, "託送料金") == []
    handling.set_faq_status(db, entry, "published", desk.id)
    assert titles(db, reader, "託送料金") == ["託送料金の質問"]
    handling.save_faq(db, entry, replace(draft, question_ja="託送料金の決まり方"), desk.id)
    assert titles(db, reader, "託送料金") == ["託送料金の決まり方"]
    handling.set_faq_status(db, entry, "draft", desk.id)
    assert titles(db, reader, "託送料金") == []
    handling.set_faq_status(db, entry, "published", desk.id)
    handling.set_faq_status(db, entry, "retired", desk.id)
    assert titles(db, reader, "託送料金") == []


def test_reindex_puts_every_source_afresh(app, db, library):
    desk = make_user(db, "desk")
    entry = handling.save_faq(db, None, handling.FaqDraft("託送の質問", "Q", "答え", "A"), desk.id)
    handling.set_faq_status(db, entry, "published", desk.id)
    db.execute(SearchEntry.__table__.delete())
    assert titles(db, library, "託送") == []
    counts = index.rebuild(db)
    assert counts == {"section": 6, "faq": 2, "notice": 0, "rule": 0}
    assert len(titles(db, library, "託送")) == 4  # three sections' titles, the FAQ entry
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "section: 6 entries" in result.output


def test_excerpt_marks_the_hit_around_its_place():
    body = "前置き" * 40 + "託送コールセンターの話" + "後書き" * 40
    pieces = excerpt(body, words("ﾀｸｿｳ こーるせんたー 託送"))
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert ("託送コールセンター", True) in pieces
    assert words("  Ａ　b  a ") == ["a", "b"]


def test_results_page_escapes_content_and_marks_hits(app, db, client):
    desk = make_user(db, "desk")
    draft = handling.FaqDraft("<b>託送</b>の質問", "Q", '<script>alert("x")</script>託送の答え', "A")
    entry = handling.save_faq(db, None, draft, desk.id)
    handling.set_faq_status(db, entry, "published", desk.id)
    make_user(db, login_id="reader")
    sign_in(client, "reader")
    home = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in home and 'role="search"' in home
    page = client.get("/search?q=託送")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<script>alert" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<mark>託送</mark>の答え" in html
    assert "&lt;b&gt;<mark>託送</mark>&lt;/b&gt;の質問" in html
    assert f'href="/faq?entry={entry.id}#faq-{entry.id}"' in html
    assert "1 result" in html
    assert "Nothing found for" in client.get("/search?q=存在しない言葉").get_data(as_text=True)
    assert "託送 finds 託送供給" in client.get("/search").get_data(as_text=True)
    opened = client.get(f"/faq?entry={entry.id}").get_data(as_text=True)
    assert f'id="faq-{entry.id}" open' in opened


def test_a_section_hit_leads_to_the_published_section_for_any_reader(app, db, client, library):
    make_user(db, login_id="reader")
    sign_in(client, "reader")
    html = client.get("/search?q=ｺｰﾙｾﾝﾀｰ").get_data(as_text=True)
    assert 'href="/modules/consignment/sections/2?lang=ja"' in html
    assert 'consignment 研修</span> › <span class="crumb">コールセンターで' in html  # module › section
    page = client.get("/modules/consignment/sections/2?lang=ja")
    assert page.status_code == 200
    assert "託送コールセンターに寄せられた" in page.get_data(as_text=True)
    english = client.get("/modules/consignment/sections/2?lang=xx").get_data(as_text=True)  # the reader's own
    assert "Body 2" in english and "Next section" in english and "Previous section" in english
    assert client.get("/modules/consignment/sections/9").status_code == 404
    assert client.get("/modules/nothing/sections/1").status_code == 404
    assert post(client, "/search").status_code == 405


def test_words_of_one_or_two_characters_match_exactly_and_follow_changes(db, app):
    """They have no trigram: the bigram index answers them (FTS5 on SQLite, a GIN tsvector on PostgreSQL)."""
    reader = make_user(db)
    notice = index.Entry("notice", "notice:1", "ja", "お知らせ", "最後はぬ", "portal.home")
    index.put(db, notice)
    assert titles(db, reader, "ぬ") == ["お知らせ"]  # the text's last character
    assert titles(db, reader, "はヌ") == ["お知らせ"]
    assert titles(db, reader, "ぬは") == []
    assert titles(db, reader, "後 ぬ") == ["お知らせ"]
    index.put(db, replace(notice, body="最初はさ"))
    assert titles(db, reader, "ぬ") == []
    assert titles(db, reader, "はさ") == ["お知らせ"]
    index.remove(db, "notice", "notice:1")
    assert titles(db, reader, "はさ") == []
    assert titles(db, reader, "お知") == []


@pytest.mark.skipif(not PG_URL, reason="two transactions really overlapping on the unique key is PostgreSQL's")
def test_two_puts_of_one_entry_at_once_both_succeed_and_the_later_stands(app, db):
    """A publish while `flask search reindex` runs: the second INSERT waits on the first's uncommitted row,
    then updates it (ON CONFLICT DO UPDATE) instead of failing the publish."""
    first_put, outcomes = threading.Event(), {}
    factory = app.extensions["db"].factory
    entry = index.Entry("notice", "notice:1", "ja", "最初のお知らせ", "本文", "portal.home")

    def put(name: str, hold: bool):
        session = factory()
        try:
            if not hold:
                first_put.wait(5)
            audience = index.Audience(roles=("manager",)) if hold else index.EVERYONE
            index.put(session, replace(entry, title=f"{name}のお知らせ", audience=audience))
            if hold:
                first_put.set()
                time.sleep(0.5)  # the other put is now waiting on this row
            session.commit()
            outcomes[name] = "put"
        finally:
            first_put.set()
            session.close()

    threads = [threading.Thread(target=put, args=("先", True)), threading.Thread(target=put, args=("後", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"先": "put", "後": "put"}
    assert db.scalars(select(SearchEntry.title)).all() == ["後のお知らせ"]
    assert db.scalar(select(func.count()).select_from(SearchAudience)) == 0
    assert titles(db, make_user(db), "のお") == ["後のお知らせ"]  # its bigrams too
