"""Finding people: by name (kanji or kana, partial), employee number (partial or exact) or email, within the
searcher's scope. The one search behind every page that looks people up (the admin's accounts, the campaigns'
person page, the access register, the people search of managers and compliance).

What is typed is normalised as the roster's readings are stored: NFKC (half-width ｼﾐｽﾞ becomes シミズ,
full-width Ｅ１２ becomes E12) and hiragana as katakana, so ｼﾐｽﾞ, しみず and シミズ all find 清水 whose
reading is シミズ. Each word typed must match one of the person's name, reading, employee number or email
(`LIKE '%word%'`, ILIKE where the word has letters with case, served by the trigram indexes on PostgreSQL,
migration 0028c).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from learning.accounts.kana import KATAKANA_TO_HIRAGANA, normalise
from learning.accounts.models import Department, User

MAX_QUERY = 100  # characters
MAX_WORDS = 5
MAX_RESULTS = 200  # a search that finds more asks to be narrowed
PAGE_SIZE = 25
SORTS = ("name", "employee_no", "department")
_ESCAPE = "\\"


def words(text: str | None) -> list[str]:
    """The words of a search, normalised; at most MAX_WORDS of them."""
    return normalise((text or "")[:MAX_QUERY]).split()[:MAX_WORDS]


def _pattern(word: str) -> str:
    escaped = word.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    return f"%{escaped}%"


def _like(column, word: str, cased: bool):
    """Case matters only for letters that have it; LIKE reads kanji and kana several times faster than ILIKE."""
    if cased:
        return column.ilike(_pattern(word), escape=_ESCAPE)
    return column.like(_pattern(word), escape=_ESCAPE)


def matches(person, text: str | None):
    """The criterion "every word typed is in the name, reading, employee number or email" over `person` (User
    or an alias of it); None when nothing was typed."""
    found = words(text)
    if not found:
        return None
    criteria = []
    for word in found:
        # A name may hold hiragana (さくら): it is compared as typed, in katakana and in hiragana.
        forms = dict.fromkeys((word, word.translate(KATAKANA_TO_HIRAGANA)))
        cased = word.lower() != word.upper()
        criteria.append(
            or_(
                *(_like(person.name, form, cased) for form in forms),
                _like(person.name_kana, word, cased),
                _like(person.employee_no, word, cased),
                _like(person.email, word, cased),
            )
        )
    return and_(*criteria)


def plan_for_the_words(session: Session) -> None:
    """On PostgreSQL, plans the search for the words typed, not for any words: a statement run often is prepared
    (psycopg), and its generic plan, blind to the pattern, reads every row instead of the trigram indexes."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def by_number(session: Session, text: str | None, departments: set[int] | None = None) -> User | None:
    """The person whose employee number is exactly what was typed (width folded), within the scope."""
    number = normalise(text)
    if not number:
        return None
    query = select(User).where(User.employee_no == number)
    if departments is not None:
        query = query.where(User.department_id.in_(sorted(departments)))
    return session.scalar(query)


@dataclass(frozen=True)
class Found:
    """One page of a search: the people (with their department), how many matched (at most MAX_RESULTS + 1:
    `capped` says there were more), the page and the number of pages."""

    people: list[tuple[User, Department | None]]
    total: int
    capped: bool
    page: int
    pages: int


def search(
    session: Session,
    text: str | None,
    departments: set[int] | None,
    sort: str = "name",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Found:
    """People matching `text`, in `departments` (None: everyone; an empty set: nobody), sorted by name
    (reading first), employee number or department, one page at a time."""
    criterion = matches(User, text)
    if criterion is None or (departments is not None and not departments):
        return Found([], 0, False, 1, 1)
    plan_for_the_words(session)
    query = select(User, Department).outerjoin(Department, Department.id == User.department_id).where(criterion)
    if departments is not None:
        query = query.where(User.department_id.in_(sorted(departments)))
    counted = session.scalar(
        select(func.count()).select_from(query.with_only_columns(User.id).limit(MAX_RESULTS + 1).subquery())
    )
    total = min(counted or 0, MAX_RESULTS)
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    by_name = (User.name_kana.is_(None), User.name_kana, User.name, User.employee_no)
    order = {
        "name": by_name,
        "employee_no": (User.employee_no,),
        "department": (Department.code.is_(None), Department.code, *by_name),
    }[sort if sort in SORTS else "name"]
    rows = session.execute(query.order_by(*order, User.id).offset((page - 1) * page_size).limit(page_size)).all()
    return Found([(user, department) for user, department in rows], total, (counted or 0) > MAX_RESULTS, page, pages)
