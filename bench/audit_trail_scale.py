"""The audit trail page over a million events: prints the median time of each kind of filter, of a CSV export,
and of `audit verify`.

    python bench/audit_trail_scale.py --database-url postgresql+psycopg://…/emptydb [--events 1000000]
    python bench/audit_trail_scale.py --events 200000                    # a temporary SQLite file
    python bench/audit_trail_scale.py --database-url … --reuse           # time again on the data already there
    python bench/audit_trail_scale.py --database-url … --reuse --without-indexes   # what migration 0016 adds, off

Generates the demo organisation (`demo seed --employees 2000 --periods 1`), then appends --events events
through record_many (so the chain is real) spread over three years: sign-ins of every person, report views,
quiz submissions, now and then a failure or a role change. Then, signed in as the demo auditor, times each
page (rendered, through the app) --rounds times after a warm-up. The database named is emptied first
(unless --reuse). With --without-indexes the indexes of migration 0016 are dropped first (recreate them with
a fresh run, or by hand).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fresh import existing_app, fresh_app
from reports_scale import sign_in_compliance
from sqlalchemy import func, select, text

from learning import clock
from learning.accounts.models import User
from learning.audit.models import AuditEvent
from learning.audit.services import Entry, record_many, verify_chain
from learning.demo.organisation import seed

START = datetime(2024, 4, 1, tzinfo=UTC)
DAYS = 3 * 365
CHUNK = 1000  # events stamped with one time: about one such moment a day over three years
INDEXES = ("ix_audit_events_actor_id", "ix_audit_events_action_id", "ix_audit_events_target", "ix_audit_events_at")
# What happens, how often.
MIX = [
    ("authn_login_success", 50),
    ("report_viewed", 15),
    ("quiz_submitted", 15),
    ("authn_logout", 12),
    ("authn_login_fail", 5),
    ("training_completed", 2.9),
    ("privilege_granted", 0.1),
]


def entries(rng: random.Random, people: list[int], count: int):
    actions, weights = zip(*MIX, strict=True)
    for action in rng.choices(actions, weights, k=count):
        person = rng.choice(people)
        if action == "privilege_granted":
            yield Entry(action, people[0], ("user", person), details={"role": "desk", "department_id": None})
        elif action == "authn_login_fail":
            yield Entry(action, person, ("user", person), "failure", {"reason": "wrong_password"})
        elif action == "quiz_submitted":
            yield Entry(action, person, ("attempt", rng.randrange(1, 10**6)), details={"score": rng.randrange(101)})
        else:
            yield Entry(action, person, ("user", person))


def prepare(args):
    if args.reuse:
        return existing_app(args.database_url), args.database_url
    app, url = fresh_app(args.database_url, demo=True)
    session = app.extensions["db"].factory()
    seed(session, employees=2000, periods=1)
    session.commit()
    people = session.scalars(select(User.id).order_by(User.id)).all()
    rng = random.Random(7)
    started = time.perf_counter()
    chunks = args.events // CHUNK
    for n in range(chunks):
        clock.freeze(START + timedelta(days=DAYS * n / chunks))  # record_many stamps each call with now()
        record_many(session, entries(rng, people, CHUNK))
        session.commit()
        print(f"\revents: {(n + 1) * CHUNK:,} / {args.events:,}", end="", flush=True)
    clock.freeze(None)
    session.close()
    print(f"\ngenerated in {time.perf_counter() - started:.0f} s")
    return app, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="time the data already in --database-url")
    parser.add_argument("--without-indexes", action="store_true", help="drop the indexes of migration 0016 first")
    args = parser.parse_args()
    app, url = prepare(args)
    engine = app.extensions["db"].engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if args.without_indexes:
            for name in INDEXES:
                connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    session = app.extensions["db"].factory()
    total = session.scalar(select(func.count()).select_from(AuditEvent))
    middle = session.scalar(select(func.max(AuditEvent.id))) // 2
    person = session.scalar(select(User).where(User.login_id == "learner"))
    someone = session.scalar(select(User).where(User.login_id.is_(None)).order_by(User.id.desc()).limit(1))
    secret = session.scalar(select(User.totp_secret).where(User.login_id == "auditor"))
    print(f"database: {url.split('://')[0]}; audit events {total:,}; people {len(people_of(session)):,}")
    session.commit()
    session.close()
    client = sign_in_compliance(app, secret, login="auditor")
    cases = {
        "newest page, no filter": "/audit",
        "a page in the middle (before=)": f"/audit?before={middle}",
        "actor by employee number": f"/audit?actor={someone.employee_no}",
        "actor by part of a name": f"/audit?actor={someone.name.split()[0]}",
        "target: a person": f"/audit?target_type=user&target_id={person.employee_no}",
        "a rare action (role granted)": "/audit?action=privilege_granted",
        "a common action, failures only": "/audit?action=authn_login_fail&outcome=failure",
        "one day, two years ago": "/audit?date_from=2025-04-01&date_to=2025-04-01",
        "actor and a month": f"/audit?actor={someone.employee_no}&date_from=2025-06-01&date_to=2025-06-30",
        "nothing matches (rare action, one day)": (
            "/audit?action=privilege_granted&date_from=2026-01-01&date_to=2026-01-01"
        ),
        "CSV export: one person's events": f"/audit.csv?actor={someone.employee_no}",
        "CSV export: a day of everything": "/audit.csv?date_from=2025-04-01&date_to=2025-04-01",
    }
    for name, path in cases.items():
        timings, size = [], 0
        for n in range(args.rounds + 1):
            started = time.perf_counter()
            response = client.get(path)
            body = response.get_data()
            assert response.status_code == 200, (path, response.status_code)
            if n:  # the first is the warm-up
                timings.append(1000 * (time.perf_counter() - started))
            size = len(body)
        print(f"{name:45} median {statistics.median(timings):6.0f} ms  (max {max(timings):5.0f}; {size:,} bytes)")
    with app.app_context():
        session = app.extensions["db"].factory()
        started = time.perf_counter()
        checked, broken = verify_chain(session)
        print(f"audit verify: {checked:,} events, broken at {broken}, in {time.perf_counter() - started:.1f} s")
        session.close()


def people_of(session) -> list[int]:
    return session.scalars(select(User.id)).all()


if __name__ == "__main__":
    main()
