"""Content as the reader sees it: the organisation terms substituted (the `content` filter, `shown`), and
sections as safe HTML whose images point at the app's own image route. Used by the reader (training), the
quiz, the desk's section preview, the authoring preview and the reports; Flask is needed for url_for and g."""

from __future__ import annotations

from flask import g, url_for

from learning.courses import term_settings
from learning.courses.markdown import render_markdown
from learning.courses.terms import DEFAULTS, substitute
from learning.i18n import current_locale, pick
from learning.web import db

UNCHANGING = ("published", "retired")


def image_version(edition) -> str | None:
    """What names a published (or retired) edition's images for good: its content hash, which covers each
    image's SHA-256 and never changes once published (only drafts are saved). None for a draft or a
    review, whose images may still be replaced under the same name."""
    if edition.status in UNCHANGING and edition.content_hash:
        return edition.content_hash[:16]
    return None


def image_base(edition_id: int, version: str | None = None) -> str:
    """The address prefix of an edition's images (`…/images/`), with the edition's version when it has one."""
    # The image route with an empty name is not routable, so build it with a placeholder and cut that off.
    values = {"version": version} if version else {}
    return url_for("courses.image", edition_id=edition_id, name="_", **values)[:-1]


def request_terms() -> term_settings.Terms:
    """The organisation terms in force, read once per request (one small SELECT) however many texts show."""
    if "organisation_terms" not in g:
        g.organisation_terms = term_settings.current_terms(db())
    return g.organisation_terms


def term(name: str) -> str:
    """One organisation term (the desk's name …) in the reader's language, for the layout (the footer). An error
    page reads no database (web/errors.py): it shows the shipped default."""
    locale = current_locale()
    if g.get("error_page"):
        return pick(DEFAULTS[name], locale)
    return substitute(f"{{{{{name}}}}}", locale, request_terms())


def shown(texts: dict | None, locale: str | None = None) -> str:
    """Content text ({lang: text}: a title, a prompt, a choice …) as the reader sees it: in their language
    (`pick`), with the organisation terms substituted. The `content` filter of every template."""
    locale = locale or current_locale()
    return substitute(pick(texts, locale), locale, request_terms())


def markdown_html(text: str, locale: str, base: str) -> str:
    """Markdown in `locale` as safe HTML, the organisation terms substituted before it is rendered (a term's
    words are text like any other: the sanitiser sees them)."""
    return render_markdown(substitute(text, locale, request_terms()), base)


def section_html(section, locale: str) -> str:
    """A section's body as safe HTML in the reader's language, its images pointing at this edition's images."""
    base = image_base(section.edition_id, image_version(section.edition))
    return markdown_html(section.bodies.get(locale) or section.body_ja, locale, base)
