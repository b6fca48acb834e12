"""Certificates of completion: their numbers, the company that issues them, and what a certificate says.

A number says nothing about who, what or when: 80 random bits as 16 characters of Crockford's base32 (no I,
L, O or U; case does not matter; a typed O reads as 0, I or L as 1), shown in four groups of four like the
desk's claim codes (desk/keys.py). The assignment's id, a sequence, is never shown. The unique index refuses a
number drawn twice (about one chance in 10^12 at a million certificates), and then another is drawn.

The issuing company is the one the assignment was made in (assignments keep it, `company_id`: the top of the
department tree), named in the organisation terms: `{{grid_company}}` for the tree whose top's name holds the
grid company's words, `{{retail_company}}` for the retail company's; the longer words win, since a grid
company's name often begins with the retail company's (デモ電力送配電 / デモ電力). A tree that holds neither
is named by its top department; an assignment of no known company by `{{group}}`.

Flask-free.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, User
from learning.courses.terms import DEFAULTS, substitute_each
from learning.training.models import Assignment, Certificate

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
ATTEMPTS = 5
COMPANY_TERMS = ("grid_company", "retail_company")
_TYPED_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐－ー―]+")  # spaces, ASCII and Japanese hyphens, long vowel marks typed by IME
Terms = dict[str, dict[str, str]]


def new_number() -> str:
    """16 random characters of the alphabet: 80 bits from the operating system's generator."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(number: str) -> str:
    """A number as printed: four groups of four, 'K3QH-9ZTA-…'."""
    return "-".join(number[i : i + GROUP] for i in range(0, len(number), GROUP))


def typed_number(typed: str | None) -> str | None:
    """A number as someone typed it (any case, spaces or hyphens, O for 0, I or L for 1, full-width characters)
    in its stored form; None if it cannot be one."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed or "")).upper().translate(_TYPED_AS)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def issue(session: Session, assignments: list[Assignment], numbers=new_number) -> None:
    """A certificate for each completed assignment of `assignments` that has none yet."""
    completed = [a for a in assignments if a.status == "completed"]
    if not completed:
        return
    session.flush()
    now = clock.now()
    for assignment in completed:
        _add(session, assignment.id, now, numbers)


def _add(session: Session, assignment_id: int, now, numbers) -> None:
    """One INSERT … ON CONFLICT DO NOTHING per draw, no savepoint: a number already taken inserts nothing and
    another is drawn; a certificate the assignment already has (two attestations at once: the second waits
    for the first on PostgreSQL) stands."""
    table = Certificate.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for _ in range(ATTEMPTS):
        statement = dialect.insert(table).values(assignment_id=assignment_id, number=numbers(), issued_at=now)
        if session.execute(statement.on_conflict_do_nothing().returning(table.c.id)).scalar() is not None:
            return
        if session.scalar(select(Certificate.id).where(Certificate.assignment_id == assignment_id)) is not None:
            return
    raise RuntimeError("no free certificate number after several draws")


def issue_missing(session: Session, chunk: int = 5000) -> int:
    """Certificates for every completed assignment without one (the demo's bulk-written history), written in
    bulk; returns how many. Numbers are drawn distinct within the run; one equal to an older certificate's
    (about 10^-12 per number at a million) is refused by the unique index."""
    missing = session.scalars(
        select(Assignment.id)
        .where(Assignment.status == "completed", Assignment.id.not_in(select(Certificate.assignment_id)))
        .order_by(Assignment.id)
    ).all()
    now, drawn = clock.now(), set()
    for start in range(0, len(missing), chunk):
        rows = []
        for assignment_id in missing[start : start + chunk]:
            number = new_number()
            while number in drawn:
                number = new_number()
            drawn.add(number)
            rows.append({"assignment_id": assignment_id, "number": number, "issued_at": now})
        session.execute(insert(Certificate), rows)
    return len(missing)


def numbers_of(session: Session, assignment_ids) -> dict[int, str]:
    """{assignment id: shown number} of those that have a certificate."""
    ids = list(assignment_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Certificate.assignment_id, Certificate.number).where(Certificate.assignment_id.in_(ids))
    )
    return {assignment_id: shown(number) for assignment_id, number in rows}


def find(session: Session, typed: str | None) -> Certificate | None:
    """The certificate a typed number names, or None."""
    number = typed_number(typed)
    if number is None:
        return None
    return session.scalar(select(Certificate).where(Certificate.number == number))


def company_term(top_names: dict[str, str] | None, terms: Terms) -> str | None:
    """The term naming the company whose tree's top has `top_names`: the term whose words (in either language)
    that name holds, the longer words first; None when it holds neither."""
    if not top_names:
        return None
    found = []
    for name in COMPANY_TERMS:
        for lang, words in (terms.get(name) or DEFAULTS[name]).items():
            if words and words in (top_names.get(lang) or ""):
                found.append((len(words), name))
    return max(found)[1] if found else None


def company_names(session: Session, assignment: Assignment, terms: Terms) -> dict[str, str]:
    """{lang: name} of the company that issues the certificate (see the module's docstring)."""
    top = session.get(Department, assignment.company_id) if assignment.company_id else None
    if top is None:
        return substitute_each({"ja": "{{group}}", "en": "{{group}}"}, terms)
    term = company_term(top.names, terms)
    if term is None:
        return top.names
    return substitute_each({"ja": f"{{{{{term}}}}}", "en": f"{{{{{term}}}}}"}, terms)


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says, in both languages where it differs: the page and the PDF print these."""

    person: str
    employee_no: str
    department: dict[str, str] | None
    company: dict[str, str]
    module: dict[str, str]
    version: int
    label: str
    score: int | None
    completed_on: date
    number: str | None  # shown; None only for a completion never issued one (see issue_missing)


def facts(session: Session, assignment: Assignment, person: User, terms: Terms) -> CertificateFacts:
    edition = assignment.edition
    department = session.get(Department, person.department_id) if person.department_id else None
    return CertificateFacts(
        person=person.name,
        employee_no=person.employee_no,
        department=department.names if department else None,
        company=company_names(session, assignment, terms),
        module=substitute_each(edition.titles, terms),
        version=edition.version,
        label=edition.label,
        score=assignment.best_score,
        completed_on=assignment.completed_on or clock.tokyo_date(assignment.completed_at),
        number=numbers_of(session, [assignment.id]).get(assignment.id),
    )
