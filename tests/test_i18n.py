"""Japanese first, English complete: catalogues are whole, current, compiled; pages follow the choice."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import csrf_token, post, sign_in
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "learning" / "translations"
METHODS = [("learning/**.py", "python"), ("learning/**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "t": (2,), "N_": None}


def catalogue(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def test_every_message_has_a_japanese_translation():
    missing = [m.id for m in catalogue("ja") if m.id and not m.string]
    assert missing == [], f"untranslated in ja: {missing}"
    assert not catalogue("ja").fuzzy


def test_translations_keep_their_placeholders():
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue("ja").check() if errors]
    assert problems == []


def test_the_catalogue_is_current_with_the_code():
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)
    }
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue("ja") if m.id}
    assert found - known == set(), "run tools/translations.sh and translate the new messages"
    assert known - found == set(), "run tools/translations.sh to drop messages no longer used"


def _plain(value):
    """A message id or string as a comparable value (plural forms come as lists or tuples)."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _translated(messages) -> dict:
    """Id -> string of the messages that carry a translation of their own (an untranslated plural is
    compiled with its ids as its strings)."""
    pairs = ((_plain(m.id), _plain(m.string)) for m in messages if m.id)
    return {key: value for key, value in pairs if value and any(value) and value != key}


def test_compiled_catalogues_match_their_sources():
    for lang in ("ja", "en"):
        with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
            compiled = _translated(read_mo(handle))
        source = _translated(catalogue(lang))
        assert compiled == source, f"{lang}: run tools/translations.sh to recompile"


def test_japanese_is_the_default(client):
    del client.environ_base["HTTP_ACCEPT_LANGUAGE"]
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="ja">' in page and "サインイン" in page and "行為規制ポータル" in page


def test_english_on_request_and_remembered_per_user(db, client, app):
    token = csrf_token(client)
    client.post("/locale", data={"locale": "en", "csrf_token": token, "next": "/login"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    user = make_user(db, locale="ja")
    db.commit()
    sign_in(client, user.employee_no)  # the choice made before signing in is kept
    assert "My training" in client.get("/").get_data(as_text=True)
    post(client, "/locale", {"locale": "ja", "next": "/"})
    elsewhere = app.test_client()
    sign_in(elsewhere, user.employee_no)
    assert "受講一覧" in elsewhere.get("/").get_data(as_text=True)


def test_form_errors_in_japanese(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
    token = csrf_token(client)
    response = client.post("/login", data={"username": "", "password": "", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert "社員番号またはログインID: このフィールドは必須です。" in page  # WTForms ships Japanese messages


def test_pick_falls_back_to_japanese_then_to_whatever_language_has_text():
    from learning.i18n import pick

    assert pick({"ja": "日本語", "en": "English"}, "en") == "English"
    assert pick({"ja": "日本語", "en": ""}, "en") == "日本語"
    assert pick({"ja": "", "en": "Only English so far"}, "ja") == "Only English so far"
    assert pick({"ja": "", "en": ""}, "ja") == ""


def test_templates_follow_a_forced_locale_and_a_refresh_within_one_request(app):
    """Template strings take the request's catalogue once; an email in its reader's language (force_locale)
    and a change of language within the request (refresh) still get their own."""
    from flask import render_template_string, session
    from flask_babel import force_locale, refresh

    template = '{{ _("Sign out") }}'
    with app.test_request_context("/"):
        session["locale"] = "ja"
        assert render_template_string(template) == "サインアウト"
        with force_locale("en"):
            assert render_template_string(template) == "Sign out"
        assert render_template_string(template) == "サインアウト"
        session["locale"] = "en"
        refresh()
        assert render_template_string(template) == "Sign out"
