"""The HR and campaign path at the scale of a whole utility group; prints each step's seconds and peak memory.

    python bench/hr_scale.py --database-url postgresql+psycopg://…/emptydb [--employees 100000] [--departments 1000]

Steps: import 1,000 departments; import 100,000 employees (with their invitations); launch a campaign
of five modules (500,000 assignments); re-import the unchanged roster (must write nothing); import a
roster with 5,000 transfers and assign the movers. Without --database-url a temporary SQLite file is used.
The database named is emptied first.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fresh import fresh_app
from sqlalchemy import func, select

from learning.accounts.imports import apply_departments, apply_roster, plan_roster
from learning.campaigns.running import process_personnel_events
from learning.campaigns.services import CampaignDraft, create_campaign, launch
from learning.courses.services import published_editions
from learning.training.models import Assignment


def departments_csv(count: int) -> bytes:
    lines = ["code,name_ja,name_en,parent_code", "R,小売会社,Retail company,", "G,送配電会社,Grid company,"]
    for i in range(2, count):
        lines.append(f"D{i:04d},部署{i},Department {i},{['R', 'G'][i % 2] if i < 12 else f'D{(i - 2) // 5 + 2:04d}'}")
    return ("\n".join(lines) + "\n").encode()


def roster_csv(employees: int, codes: list[str], moved: dict[int, str] | None = None) -> bytes:
    rng = random.Random(7)
    lines = ["employee_no,name,email,department_code,status"]
    for n in range(1, employees + 1):
        code = rng.choice(codes)
        if moved and n in moved:
            code = moved[n]
        lines.append(f"E{n:06d},社員 {n},e{n}@example.jp,{code},active")
    return ("\n".join(lines) + "\n").encode()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--departments", type=int, default=1_000)
    parser.add_argument("--transfers", type=int, default=5_000)
    args = parser.parse_args()
    app, url = fresh_app(args.database_url, demo=False)
    session = app.extensions["db"].factory()

    def step(name: str, work):
        started = time.perf_counter()
        result = work()
        session.commit()
        print(f"{name:<42} {time.perf_counter() - started:>7.1f} s   peak {peak_mb():>6.0f} MB   {result}", flush=True)

    dept_data = departments_csv(args.departments)
    codes = [line.split(",")[0] for line in dept_data.decode().splitlines()[1:]]
    roster = roster_csv(args.employees, codes)
    print(f"database: {url.split('://')[0]}; {args.employees} employees, {len(codes)} departments")
    step("import departments", lambda: apply_departments(session, dept_data, None).counts)
    step(
        "import roster (all new, with invitations)",
        lambda: apply_roster(session, roster, None, invite_joiners=True).counts,
    )

    def launch_campaign():
        editions = published_editions(session)
        campaign = create_campaign(
            session,
            CampaignDraft(
                name_ja="2026年度 行為規制研修",
                name_en="FY2026 conduct-rule training",
                module_ids=[e.module_id for e in editions],
                whole_organisation=True,
                include_ids=[],
                exclude_ids=[],
                opens_on=date(2026, 4, 1),
                due_on=date(2026, 6, 30),
                recurrence="yearly",
            ),
            None,
        )
        return f"{launch(session, campaign, None)} assignments"

    step("jobs run: the joiners' events", lambda: f"{process_personnel_events(session)} assignments (no campaign yet)")
    step("launch a campaign of five modules", launch_campaign)
    step(
        "re-import the unchanged roster",
        lambda: "writes nothing" if plan_roster(session, roster)[0].writes_nothing else "CHANGED",
    )
    rng = random.Random(11)
    moved = {n: rng.choice(codes) for n in rng.sample(range(1, args.employees + 1), args.transfers)}
    transfers = roster_csv(args.employees, codes, moved)
    step(f"import a roster with {args.transfers} transfers", lambda: apply_roster(session, transfers, None).counts)
    step("assign the movers (jobs run)", lambda: f"{process_personnel_events(session)} assignments")
    total = session.scalar(select(func.count()).select_from(Assignment))
    print(f"assignments in the database: {total}")


if __name__ == "__main__":
    main()
