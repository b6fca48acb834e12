"""The annual report and the evidence pack at the scale of a whole utility group.

    python bench/annual_scale.py --database-url postgresql+psycopg://…/emptydb [--employees 100000] [--periods 10]
    python bench/annual_scale.py --database-url … --reuse               # time again on the data already there

Generates the demo organisation and its history as bench/reports_scale.py does (the same --reuse), then, signed
in as a compliance officer, for the last closed fiscal year, downloads each once, read to the end:

- the annual report as PDF, and as XLSX (target: each under 60 s);
- the evidence pack (zip: both reports, every assignment of the year as a record, the exemption register, the
  editions used);

and prints for each the seconds, the size and the growth of the process's peak memory while it was made.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports_scale import prepared, sign_in_compliance
from sqlalchemy import func, select

from learning.accounts.models import User
from learning.campaigns.models import Campaign
from learning.campaigns.periods import fiscal_year
from learning.training.models import Assignment


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    _args, app, url, _engine = prepared(__doc__.splitlines()[0])
    session = app.extensions["db"].factory()
    closed = session.scalar(select(Campaign).where(Campaign.status == "closed").order_by(Campaign.period_start.desc()))
    year = fiscal_year(closed.period_start)
    in_year = session.scalar(select(func.count()).select_from(Assignment).where(Assignment.campaign_id == closed.id))
    people = session.scalar(select(func.count()).select_from(User))
    secret = session.scalar(select(User.totp_secret).where(User.login_id == "compliance"))
    session.commit()
    session.close()
    print(f"database: {url.split('://')[0]}; people {people:,}; fiscal {year}: {in_year:,} assignments")
    client = sign_in_compliance(app, secret)
    for label, path in [
        ("annual report, PDF", f"/reports/annual/{year}.pdf"),
        ("annual report, XLSX", f"/reports/annual/{year}.xlsx"),
        ("evidence pack, zip", f"/reports/annual/{year}/evidence.zip"),
    ]:
        before = peak_mb()
        started = time.perf_counter()
        response = client.get(path, buffered=False)
        size = sum(len(piece) for piece in response.response)
        seconds = time.perf_counter() - started
        response.close()  # as a server does after the last byte: gives the download's slot back
        assert response.status_code == 200, (path, response.status_code)
        print(f"{label}: {seconds:.1f} s, {size / 1e6:.1f} MB, peak memory +{peak_mb() - before:.0f} MB")


if __name__ == "__main__":
    main()
