"""Locale selection and display helpers: Japanese first, English complete, dates in Asia/Tokyo."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g, request, session
from flask_babel import Babel, format_date, format_datetime, get_locale, get_translations
from flask_login import current_user

LOCALES = ("ja", "en")
DEFAULT_LOCALE = "ja"
DISPLAY_ZONE = ZoneInfo("Asia/Tokyo")
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}


def select_locale() -> str:
    """The signed-in user's saved choice, else the choice kept in the session, else the browser's, else
    Japanese. Error pages skip the first: loading the person needs the database (see web/errors.py)."""
    if not g.get("error_page") and current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE) if request else DEFAULT_LOCALE


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale and locale.language in LOCALES else DEFAULT_LOCALE


def pick(texts: dict | None, locale: str | None = None) -> str:
    """The text in the current language, falling back to Japanese, then to any language that has one (a
    draft written in one language so far), from a {lang: text} mapping."""
    if not texts:
        return ""
    locale = locale or current_locale()
    return texts.get(locale) or texts.get(DEFAULT_LOCALE) or next((t for t in texts.values() if t), "")


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Tokyo")
    Babel(app, locale_selector=select_locale)
    # Flask-Babel's template callables look the catalogue up afresh for every string (the domain, the
    # locale, its cache: several context lookups each), and a page has dozens: take it once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(_tokyo(value), fmt) if value else ""
    app.jinja_env.filters["pick"] = pick
    app.jinja_env.globals.update(current_locale=current_locale, LANGUAGE_NAMES=LANGUAGE_NAMES, LOCALES=LOCALES)


def _request_translations():
    """The catalogue of the locale in force, kept in Flask-Babel's per-request namespace beside that locale:
    refresh() (a change of language) and force_locale() (an email in its reader's language) replace the
    locale, and a catalogue kept for another locale is not used."""
    if not g:
        return get_translations()  # no request or app context: Flask-Babel's fallback
    space = getattr(g, "_flask_babel", None)
    locale = getattr(space, "babel_locale", None)
    kept = getattr(space, "portal_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()  # settles the locale (and the namespace) when not yet done
    g._flask_babel.portal_translations = (g._flask_babel.babel_locale, translations)
    return translations


def _tokyo(value):
    """format_date does not convert zones; convert aware datetimes to Tokyo before taking the date."""
    return value.astimezone(DISPLAY_ZONE) if getattr(value, "tzinfo", None) else value
