"""The daily limit on anonymous questions, kept on the server without tying a person to a question.

The limit once lived in the asker's session cookie, and a cookie can be sent again: replaying an earlier
one reset the count. It is now a row of `desk_ask_counts` per person and Tokyo day, keyed by
HMAC(k, "user id:day"), where k is derived from the app's SECRET_KEY (keys.counter_key). The row holds that key, the day
and a count; it names no question and no time of day, and rows of earlier days are deleted by the next
question asked (named or anonymous), so a day's counts last about a day.

What it costs, said plainly: someone with the database alone sees opaque keys and counts ("someone
asked 3 anonymous questions today"). Someone with the database *and* the secret can compute the key of
each person for today and learn "this person asked N anonymous questions today", never which ones, for
the rest of that day only. A PostgreSQL superuser reading the row headers (xmin) or the write-ahead log
of the live database can see which rows one transaction wrote; that access is beyond what any table
design hides, and it also shows when any row was written.

The count is taken with one atomic statement (INSERT … ON CONFLICT DO UPDATE SET asked = asked + 1
RETURNING asked): on PostgreSQL concurrent questions of one person queue on the row, each sees the count
its own increment made, and a refused one rolls its increment back with the rest of its request.
No Flask.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning.desk.models import DeskAskCount

ANONYMOUS_PER_DAY = 10


def take(session: Session, key: str, day: date) -> int:
    """Counts one more anonymous question under `key` today and returns the count, this one included."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(DeskAskCount).values(key=key, day=day, asked=1)
    statement = statement.on_conflict_do_update(
        index_elements=["key"], set_={"asked": DeskAskCount.asked + 1}
    ).returning(DeskAskCount.asked)
    return session.execute(statement).scalar_one()


def forget_before(session: Session, today: date) -> None:
    """Deletes the counts of earlier days: they limit nothing any more and should not be kept."""
    session.execute(delete(DeskAskCount).where(DeskAskCount.day < today))
