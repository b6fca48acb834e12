"""What the library gives the search index: the sections of every published edition, in both languages, as
the reader reads them (Markdown as text, organisation terms substituted). Flask-free.

Put when an edition is published (content import here, review in authoring through `edition_published`),
all of them again when the organisation terms change, and by `flask search reindex` (registered in
`courses.init_app`). A module's entries are keyed by its slug ("section:<slug>:<position>"): publishing a
new edition replaces them, and sections the new one no longer has go.
"""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from learning.courses.markdown import render_markdown
from learning.courses.models import Edition, Module
from learning.courses.term_settings import Terms, current_terms
from learning.courses.terms import substitute
from learning.search import index

LANGS = ("ja", "en")
ENDPOINT = "reading.section"  # courses/views/reading.py: a published section for any signed-in reader


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.parts.append(" " + (dict(attrs).get("alt") or "") + " ")
        else:
            self.parts.append(" ")


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader reads (markup, link targets and image names dropped)."""
    parser = _Text()
    parser.feed(render_markdown(markdown))
    parser.close()
    return " ".join("".join(parser.parts).split())


def entries(edition: Edition, terms: Terms) -> list[index.Entry]:
    slug = edition.module.slug
    found = []
    for section in edition.sections:
        for lang in LANGS:
            module_title = substitute(getattr(edition, f"title_{lang}") or edition.title_ja, lang, terms)
            title = substitute(getattr(section, f"title_{lang}") or section.title_ja, lang, terms)
            body = getattr(section, f"body_{lang}") or section.body_ja
            found.append(
                index.Entry(
                    kind="section",
                    key=f"section:{slug}:{section.position}",
                    language=lang,
                    title=title,
                    body=plain_text(substitute(body, lang, terms)),
                    endpoint=ENDPOINT,
                    args={"slug": slug, "position": section.position, "lang": lang},
                    trail=(module_title, title),
                )
            )
    return found


def index_edition(session: Session, edition: Edition, terms: Terms | None = None) -> None:
    """The module's entries replaced by this (published) edition's sections."""
    index.remove(session, "section", prefix=f"section:{edition.module.slug}:")
    index.put_all(session, entries(edition, terms or current_terms(session)))


def on_published(edition: Edition, session: Session, **_kwargs) -> None:
    """Receiver of `courses.signals.edition_published` (a draft approved in authoring)."""
    index_edition(session, edition)


def rebuild(session: Session) -> None:
    """Every published edition's sections (the search room removed the kind's entries first)."""
    terms = current_terms(session)
    editions = session.scalars(
        select(Edition)
        .join(Module)
        .where(Edition.status == "published")
        .options(selectinload(Edition.sections))
        .order_by(Module.id)
    )
    for edition in editions:
        index.put_all(session, entries(edition, terms))
