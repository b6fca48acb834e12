"""Throttling of guesses: atomic counters in the database, growing delays instead of a lock.

Each counter is one row, keyed by a hash of what it counts (a typed account name, an account and an
address, an address, a person's second factor, an address guessing claim codes). A failure is one
INSERT … ON CONFLICT DO UPDATE … RETURNING, so concurrent guesses on PostgreSQL are all counted (the
row lock orders them) and every worker and host agrees.

After a counter's free attempts, each failure closes its gate for a delay that doubles up to a cap; an
attempt while a gate is closed is answered at once and nothing is checked. A stranger can slow an
account name down but never lock it: the owner's own device (see `accounts/views/signin.py`: a signed
cookie left by an earlier sign-in) skips the counters that a stranger can drive, and the per
account+address counter only slows the address that guesses. A counter forgets after a quiet day.

Written here rather than taken from a rate-limiting library: those (Flask-Limiter and the like) count
requests per key in fixed windows and refuse; what is needed is failures only, several keys per attempt,
growing delays and reset on success, in the database the rest of the record lives in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import ThrottleCounter

FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    free: int  # failures before the first delay
    first_delay: timedelta
    cap: timedelta


PASSWORD_PAIR = Policy(free=5, first_delay=timedelta(seconds=2), cap=timedelta(minutes=5))
PASSWORD_ACCOUNT = Policy(free=5, first_delay=timedelta(seconds=2), cap=timedelta(minutes=15))
# An address is an office when no trusted proxy passes the client's own (PROXY_COUNT): generous.
PASSWORD_ADDRESS = Policy(free=50, first_delay=timedelta(seconds=1), cap=timedelta(minutes=5))
SECOND_FACTOR = Policy(free=5, first_delay=timedelta(seconds=5), cap=timedelta(minutes=15))
RESET_CODE = Policy(free=5, first_delay=timedelta(seconds=5), cap=timedelta(minutes=15))
CLAIM_CODE = Policy(free=10, first_delay=timedelta(seconds=2), cap=timedelta(minutes=15))


@dataclass(frozen=True)
class Counter:
    """One thing counted: its scope (which policy) and its key (a hash, never the typed text)."""

    scope: str
    key: str
    policy: Policy


def counter(scope: str, policy: Policy, *parts: object) -> Counter:
    text = "\x1f".join([scope, *("" if part is None else str(part).strip().lower() for part in parts)])
    return Counter(scope, hashlib.sha256(text.encode()).hexdigest(), policy)


def delay_after(policy: Policy, failures: int) -> timedelta:
    """How long the gate stays closed after the n-th failure: nothing while free, then doubling to the cap."""
    over = failures - policy.free - 1
    if over < 0:
        return timedelta(0)
    return min(policy.first_delay * (2 ** min(over, 30)), policy.cap)


def wait(session: Session, counters: list[Counter]) -> timedelta | None:
    """How long until every gate of `counters` is open, or None when they are open now."""
    now = clock.now()
    until = session.scalar(
        select(ThrottleCounter.blocked_until)
        .where(ThrottleCounter.key.in_([c.key for c in counters]), ThrottleCounter.blocked_until > now)
        .order_by(ThrottleCounter.blocked_until.desc())
        .limit(1)
    )
    return None if until is None else until - now


def count_failure(session: Session, counters: list[Counter]) -> dict[str, int]:
    """Counts one failure on each counter, atomically; returns the new count per scope."""
    now = clock.now()
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    counts = {}
    for item in sorted(counters, key=lambda c: c.key):  # one order everywhere: no deadlock between keys
        table = ThrottleCounter.__table__
        statement = module.insert(table).values(
            key=item.key, scope=item.scope, failures=1, last_at=now, blocked_until=None
        )
        # A counter quiet for a day starts again from one.
        fresh = table.c.last_at < now - FORGET_AFTER
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((fresh, 1), else_=table.c.failures + 1),
                "last_at": now,
            },
        ).returning(table.c.failures)
        failures = session.execute(statement).scalar_one()
        delay = delay_after(item.policy, failures)
        if delay:
            session.execute(
                update(ThrottleCounter).where(ThrottleCounter.key == item.key).values(blocked_until=now + delay)
            )
        counts[item.scope] = failures
    return counts


def forget(session: Session, counters: list[Counter]) -> None:
    """A success: these counters start again."""
    if counters:
        session.execute(delete(ThrottleCounter).where(ThrottleCounter.key.in_([c.key for c in counters])))


def remember_success(session: Session, item: Counter) -> None:
    """Marks `item` (an account and an address) as one that signed in successfully; see `known`."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = ThrottleCounter.__table__
    now = clock.now()
    statement = module.insert(table).values(key=item.key, scope=item.scope, failures=0, last_at=now, blocked_until=None)
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.key], set_={"last_at": now}))


def known(session: Session, item: Counter, within: timedelta) -> bool:
    """True when `item` signed in successfully within `within` (remember_success)."""
    since = clock.now() - within
    return (
        session.scalar(
            select(ThrottleCounter.key).where(ThrottleCounter.key == item.key, ThrottleCounter.last_at > since)
        )
        is not None
    )


def seconds(delay: timedelta) -> int:
    """A wait as whole seconds for a message, never 0 while a gate is closed."""
    return max(1, int(delay.total_seconds() + 0.999))
