"""The organisation terms in force: the installation's words where compliance set them, the defaults of
`courses.terms` elsewhere. `current_terms` is read by every page that shows content (one small SELECT);
`set_terms` is the admin page's one write, audited in the same transaction. Flask-free."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.audit.services import record
from learning.courses.messages import TERM_MESSAGES
from learning.courses.models import OrganisationTerm
from learning.courses.terms import DEFAULTS, TERMS
from learning.errors import DomainError
from learning.inputs import CONTROL
from learning.search.index import rebuild

LANGS = ("ja", "en")
NAME_LIMIT = 200  # a company's, desk's or regulation's name
SENTENCE_LIMIT = 600  # a `sentence` term (a policy of one or two sentences)
Terms = dict[str, dict[str, str]]


class TermError(DomainError):
    messages = TERM_MESSAGES


# Built once: every page that shows content reads the terms.
_STORED_WORDS = select(OrganisationTerm.name, OrganisationTerm.value_ja, OrganisationTerm.value_en)


def current_terms(session: Session) -> Terms:
    """Every term's words in force, {name: {"ja": …, "en": …}}, defaults filled in."""
    found = {row.name: {"ja": row.value_ja, "en": row.value_en} for row in session.execute(_STORED_WORDS)}
    return {t.name: found.get(t.name) or dict(t.default) for t in TERMS}


def stored_terms(session: Session) -> dict[str, OrganisationTerm]:
    """The rows compliance has set, by name (for the admin page: when and by whom)."""
    return {row.name: row for row in session.scalars(select(OrganisationTerm))}


def limit_of(name: str) -> int:
    return SENTENCE_LIMIT if next(t for t in TERMS if t.name == name).sentence else NAME_LIMIT


def check(values: Terms) -> list[TermError]:
    """Every problem of the words typed, in the order of the terms and languages (the form shows each on
    its field, `<name>_<lang>`)."""
    problems = [TermError("term_unknown", name=name) for name in values if name not in DEFAULTS]
    for term in TERMS:
        if term.name not in values:
            continue
        for lang in LANGS:
            text = (values[term.name].get(lang) or "").strip()
            field = f"{term.name}_{lang}"
            params = {"term": term.name, "language": lang}
            if not text:
                problems.append(TermError("term_missing", field=field, **params))
            elif len(text) > limit_of(term.name):
                problems.append(TermError("term_too_long", field=field, limit=limit_of(term.name), **params))
            elif CONTROL.search(text):
                problems.append(TermError("term_control", field=field, **params))
            elif "{{" in text:
                problems.append(TermError("term_braces", field=field, **params))
    return problems


def set_terms(session: Session, actor_id: int, values: Terms) -> dict[str, dict]:
    """Stores the words typed for each term in `values` (both languages); raises the first problem of
    `check` before anything is written. Only changed terms are written, and one `terms_changed` event
    names each with its old and new words; nothing changed, nothing recorded. Returns what changed."""
    problems = check(values)
    if problems:
        raise problems[0]
    before = current_terms(session)
    rows = stored_terms(session)
    changed: dict[str, dict] = {}
    now = clock.now()
    for term in TERMS:
        if term.name not in values:
            continue
        new = {lang: values[term.name][lang].strip() for lang in LANGS}
        if new == before[term.name]:
            continue
        changed[term.name] = {"from": before[term.name], "to": new}
        row = rows.get(term.name)
        if row is None:
            row = OrganisationTerm(name=term.name)
            session.add(row)
        row.value_ja, row.value_en, row.updated_at, row.updated_by_id = new["ja"], new["en"], now, actor_id
    if changed:
        session.flush()
        record(session, "terms_changed", actor_id=actor_id, details={"terms": changed})
        rebuild(session)  # sections and rules documents are indexed with the words in force
    return changed
