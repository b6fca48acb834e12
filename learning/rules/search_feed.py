"""What the rules library gives the search index: each document's version in force, in both languages (a PDF
version by its summary of changes), found by everyone. Put when a version is added or changed, and every
document afresh by `flask search reindex` and by `jobs run` (a scheduled version comes into force by the
clock, with no step of anyone's). Flask-free.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from learning import clock
from learning.courses.search_feed import plain_text
from learning.courses.term_settings import Terms, current_terms
from learning.courses.terms import substitute
from learning.rules import services
from learning.rules.models import RuleDocument
from learning.search import index

KIND = "rule"
ENDPOINT = "rules.document"  # the version in force, whichever it is on the day the link is followed


def _entry(document: RuleDocument, language: str, title: str, text: str, terms: Terms) -> index.Entry:
    """As the document's page shows it: the organisation terms substituted (rules/pages.py)."""
    return index.Entry(
        kind=KIND,
        key=f"rule:{document.slug}",
        language=language,
        title=substitute(title, language, terms),
        body=plain_text(substitute(text or "", language, terms)),
        endpoint=ENDPOINT,
        args={"slug": document.slug},
    )


def index_document(session: Session, document: RuleDocument) -> None:
    """The document's entries replaced by its version in force today (none: it leaves the index)."""
    index.remove(session, KIND, key=f"rule:{document.slug}")
    version = services.in_force(document, clock.tokyo_date(clock.now()))
    if version is None:
        return
    terms = current_terms(session)
    for language in ("ja", "en"):
        text = services.version_text(version, language)
        index.put(session, _entry(document, language, document.titles[language], text, terms))


def rebuild(session: Session) -> None:
    """Every document's version in force (registered with the search room)."""
    terms = current_terms(session)
    for document, _version, language, title, text in services.search_entries(session, clock.tokyo_date(clock.now())):
        index.put(session, _entry(document, language, title, text, terms))
