"""Times the learner's pages against a large organisation; prints the figures recorded in the README.

    python bench/learner_pages.py [--employees 20000] [--database-url URL] [--rounds 50]

Builds a fresh database (a temporary SQLite file unless --database-url names an empty PostgreSQL
database), imports content/, seeds the demo organisation with N employees (5 assignments each), signs in
as the demo learner and requests each page `rounds` times through the WSGI app (no network, no browser).
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


from fresh import fresh_app

from learning.demo.organisation import DEMO_PASSWORD, seed


def token(client, path: str) -> str:
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def timed(client, method: str, path: str, rounds: int, **kwargs) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.open(path, method=method, **kwargs)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), (path, response.status_code)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20000)
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    app, url = fresh_app(args.database_url, demo=True)
    session = app.extensions["db"].factory()
    started = time.perf_counter()
    summary = seed(session, employees=args.employees, periods=1)
    session.commit()
    session.close()
    print(f"database: {url.split('://')[0]}; {summary}; seeded in {time.perf_counter() - started:.1f} s")

    client = app.test_client()
    login = {"username": "learner", "password": DEMO_PASSWORD, "csrf_token": token(client, "/login")}
    client.post("/login", data=login)
    home = client.get("/").get_data(as_text=True)
    assignment = re.search(r'href="/training/(\d+)"', home).group(1)
    csrf = token(client, "/")
    for position in range(1, 6):
        client.post(f"/training/{assignment}/sections/{position}", data={"csrf_token": csrf})
    attempt = re.search(
        r"/attempts/(\d+)", client.post(f"/training/{assignment}/quiz", data={"csrf_token": csrf}).location
    ).group(1)
    pages = {
        "home": ("GET", "/"),
        "my training": ("GET", "/training"),
        "module overview": ("GET", f"/training/{assignment}"),
        "section": ("GET", f"/training/{assignment}/sections/2"),
        "quiz (8 questions)": ("GET", f"/attempts/{attempt}"),
        "status API": ("GET", "/api/v1/me/status"),
        "health": ("GET", "/healthz"),
    }
    print(f"{'page':<20} {'median ms':>10} {'p95 ms':>8}")
    for name, (method, path) in pages.items():
        samples = sorted(timed(client, method, path, args.rounds))
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"{name:<20} {statistics.median(samples):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
