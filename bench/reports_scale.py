"""The department report at the scale of a whole utility group; prints its time, the direct SQL's, and the ratio.

    python bench/reports_scale.py --database-url postgresql+psycopg://…/emptydb [--employees 100000] [--periods 10]
    python bench/reports_scale.py --employees 20000                      # a temporary SQLite file
    python bench/reports_scale.py --database-url … --reuse               # time again on the data already there

Generates the demo organisation and its history (`demo seed --employees N --periods P`: about one department
per hundred people, five modules a period, attempts to match), then times, for the running campaign and a
compliance officer (whole tree):

- the report page: GET /reports/campaigns/<id>, signed in, rendered (table, bar chart, completion curve);
- the direct SQL: one statement that computes the same rolled-up figures for every department.

Both are run alternately, after a warm-up, and the medians compared; the script also checks that both give
the same numbers. The database named is emptied first (unless --reuse).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fresh import existing_app, fresh_app
from sqlalchemy import func, select, text

from learning import clock
from learning.accounts.models import Department, User
from learning.accounts.second_factor import current_code
from learning.campaigns.models import Campaign
from learning.demo.organisation import DEMO_PASSWORD, seed
from learning.quizzes.models import Attempt
from learning.reports import services
from learning.training.models import Assignment

# Every department with the totals of its whole subtree: the closure of the tree joined to per-department
# counts. Plain SQL that runs on both PostgreSQL and SQLite.
DIRECT_SQL = """
WITH RECURSIVE tree(ancestor, id) AS (
    SELECT id, id FROM departments
    UNION ALL
    SELECT tree.ancestor, d.id FROM departments d JOIN tree ON d.parent_id = tree.id
),
own AS (
    SELECT u.department_id AS department_id,
           count(*) AS assigned,
           sum(CASE WHEN a.status = 'completed' THEN 1 ELSE 0 END) AS completed,
           sum(CASE WHEN a.status = 'completed' AND a.completed_at <= a.due_at THEN 1 ELSE 0 END) AS on_time,
           sum(CASE WHEN a.status = 'in_progress' THEN 1 ELSE 0 END) AS in_progress,
           sum(CASE WHEN a.status = 'assigned' THEN 1 ELSE 0 END) AS not_started,
           sum(CASE WHEN a.status IN ('assigned', 'in_progress') AND a.due_at < :now THEN 1 ELSE 0 END) AS overdue,
           sum(CASE WHEN a.status = 'exempt' THEN 1 ELSE 0 END) AS exempt
    FROM assignments a JOIN users u ON u.id = a.user_id
    WHERE a.campaign_id = :campaign
    GROUP BY u.department_id
)
SELECT t.ancestor, sum(o.assigned), sum(o.completed), sum(o.on_time), sum(o.in_progress), sum(o.not_started),
       sum(o.overdue), sum(o.exempt)
FROM tree t JOIN own o ON o.department_id = t.id
GROUP BY t.ancestor
"""
FIELDS = ("assigned", "completed", "on_time", "in_progress", "not_started", "overdue", "exempt")


def sign_in_compliance(app, secret: str, login: str = "compliance"):
    client = app.test_client()

    def csrf(path):
        return re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)

    client.post("/login", data={"username": login, "password": DEMO_PASSWORD, "csrf_token": csrf("/login")})
    client.post("/login/code", data={"code": current_code(secret, clock.now()), "csrf_token": csrf("/login/code")})
    return client


def prepare(args):
    """The app on the database named: freshly generated, or (--reuse) as it is."""
    if args.reuse:
        return existing_app(args.database_url), args.database_url
    app, url = fresh_app(args.database_url, demo=True)
    session = app.extensions["db"].factory()
    started = time.perf_counter()

    def progress(stage, done, total):
        print(f"\r{stage}: {done:,} / {total:,}", end="\n" if done >= total else "", flush=True)

    summary = seed(session, employees=args.employees, periods=args.periods, progress=progress)
    session.commit()
    session.close()
    print(f"{summary}\ngenerated in {time.perf_counter() - started:.0f} s")
    return app, url


def prepared(description: str):
    """The arguments every benchmark on the demo history takes, and its app on fresh (or reused) data with
    fresh statistics: what a DBA does after a bulk load."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url")
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="time the data already in --database-url")
    args = parser.parse_args()
    app, url = prepare(args)
    engine = app.extensions["db"].engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return args, app, url, engine


def main() -> None:
    args, app, url, engine = prepared(__doc__.splitlines()[0])
    session = app.extensions["db"].factory()
    campaign = session.scalar(select(Campaign).where(Campaign.status == "running").order_by(Campaign.id))
    sizes = {
        "departments": session.scalar(select(func.count()).select_from(Department)),
        "people": session.scalar(select(func.count()).select_from(User)),
        "assignments": session.scalar(select(func.count()).select_from(Assignment)),
        "attempts": session.scalar(select(func.count()).select_from(Attempt)),
        "in this campaign": session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.campaign_id == campaign.id)
        ),
    }
    print(f"database: {url.split('://')[0]}; " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))

    secret = session.scalar(select(User.totp_secret).where(User.login_id == "compliance"))
    session.commit()  # SQLite: a reader's open transaction holds the write lock the sign-in needs
    client = sign_in_compliance(app, secret)
    path = f"/reports/campaigns/{campaign.id}"
    params = {"now": clock.now().replace(tzinfo=None), "campaign": campaign.id}
    if engine.dialect.name == "sqlite":
        params["now"] = params["now"].strftime("%Y-%m-%d %H:%M:%S.%f")

    def page():
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        response.get_data()

    def direct():
        with engine.connect() as connection:
            return connection.execute(text(DIRECT_SQL), params).all()

    # Same numbers both ways, for every department.
    report = {r.id: r.total for r in services.department_report(session, campaign.id, services.Scope(None, None))}
    session.close()
    for ancestor, *numbers in direct():
        assert [int(n) for n in numbers] == [getattr(report[ancestor], f) for f in FIELDS], ancestor
    page(), direct()  # warm-up
    page_ms, sql_ms = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        page()
        page_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        direct()
        sql_ms.append(1000 * (time.perf_counter() - started))
    page_median, sql_median = statistics.median(page_ms), statistics.median(sql_ms)
    print(f"department report page, whole tree: median {page_median:.0f} ms (max {max(page_ms):.0f})")
    print(f"direct SQL, same figures:           median {sql_median:.0f} ms (max {max(sql_ms):.0f})")
    print(f"ratio page / SQL: {page_median / sql_median:.2f}")


if __name__ == "__main__":
    main()
