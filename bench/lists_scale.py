"""The company-wide "not finished" list at the scale of a whole utility group: its first page and its full CSV.

    python bench/lists_scale.py --database-url postgresql+psycopg://…/emptydb [--employees 100000] [--periods 10]
    python bench/lists_scale.py --database-url … --reuse               # time again on the data already there

Generates the demo organisation and its history as bench/reports_scale.py does (the same --reuse), then, for the
running campaign and a compliance officer (the whole organisation), times:

- the first page of GET /reports/campaigns/<id>/people?filter=not_finished (signed in, rendered), median of
  --rounds after a warm-up (target: under 500 ms);
- the whole list as CSV (.../people.csv?filter=not_finished), read to the end, once (target: under 30 s), with the
  lines it holds and the growth of the process's peak memory while it streamed (bounded: it reads in chunks).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports_scale import prepared, sign_in_compliance
from sqlalchemy import func, select

from learning.accounts.models import User
from learning.campaigns.models import Campaign
from learning.training.models import Assignment


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args, app, url, _engine = prepared(__doc__.splitlines()[0])
    session = app.extensions["db"].factory()
    campaign = session.scalar(select(Campaign).where(Campaign.status == "running").order_by(Campaign.id))
    people = session.scalar(
        select(func.count(func.distinct(Assignment.user_id))).where(Assignment.campaign_id == campaign.id)
    )
    secret = session.scalar(select(User.totp_secret).where(User.login_id == "compliance"))
    session.commit()
    session.close()
    print(f"database: {url.split('://')[0]}; {people:,} people in the running campaign")
    client = sign_in_compliance(app, secret)
    path = f"/reports/campaigns/{campaign.id}/people?filter=not_finished"

    def first_page():
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        return response.get_data()

    first_page()  # warm-up
    timings = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        first_page()
        timings.append(1000 * (time.perf_counter() - started))
    print(f"first page, not finished, whole organisation: median {statistics.median(timings):.0f} ms "
          f"(max {max(timings):.0f})")  # fmt: skip

    before = peak_mb()
    started = time.perf_counter()
    response = client.get(f"/reports/campaigns/{campaign.id}/people.csv?filter=not_finished")
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for piece in response.response:
        size += len(piece)
        lines += piece.count(b"\n")
    print(f"full CSV, not finished: {time.perf_counter() - started:.1f} s, {lines:,} lines, {size / 1e6:.1f} MB, "
          f"peak memory +{peak_mb() - before:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
