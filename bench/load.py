"""The deadline week under load, and under a database outage: gunicorn + PostgreSQL on 127.0.0.1, driven by Locust.

    pip install -r requirements-bench.txt
    python bench/load.py learners --database-url postgresql+psycopg://…/emptydb [--employees 20000]
    python bench/load.py deadline --database-url … [--reuse] [--users 60] [--seconds 120]
    python bench/load.py exports  --database-url … --reuse          # the learner mix with and without 20 exports
    python bench/load.py outage                                     # a private PostgreSQL, stopped for 30 s

Every mode is bounded in time and stops by itself; traffic goes to 127.0.0.1 only.

- learners: the learner pages (home, my training, module, section, status API: the target's mix) back to back
  on --connections users, then the same with the learners' writes (reading a section, quiz start and submit,
  attest), then a bare Flask page rendering a 50-item Jinja list under the same gunicorn settings; prints each
  mix's throughput and its ratio to the bare page's, and its p50/p95/p99 per page kind.
- exports: the learner mix alone, then the same with --exporters users exporting the department report and the
  "not finished" list as CSV back to back; prints the learners' p95 in both and the exports' own.
- deadline: learners at people's pace, managers and the compliance officer viewing and exporting; per page kind
  throughput and p50/p95/p99, the 5xx count, and the peak memory of gunicorn's processes.
- outage: starts a PostgreSQL instance of its own (initdb in a temporary folder, its own port, as the postgres
  user), seeds it, runs the deadline mix, stops the database 20 s in for 30 s, starts it again, and reports the
  status codes while it was down, the seconds from its return to the first healthy answer, whether every desk
  question the portal acknowledged is in the database, and whether the audit chain verifies.

The database named by --database-url is emptied and seeded first (unless --reuse). Bench learners get the demo
password (a demo database only).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fresh import existing_app, fresh_app  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from learning import clock  # noqa: E402
from learning.accounts.models import Department, RoleGrant, User  # noqa: E402
from learning.accounts.passwords import hash_password  # noqa: E402
from learning.audit.services import verify_chain  # noqa: E402
from learning.authz import Role  # noqa: E402
from learning.campaigns.models import Campaign  # noqa: E402
from learning.demo.organisation import DEMO_PASSWORD, seed  # noqa: E402
from learning.desk.models import DeskQuestion  # noqa: E402
from learning.training.models import Assignment  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
FIVE_XX = re.compile(r"\b5\d\d\b")  # a 5xx status in Locust's error text ("HTTPError('503 …')", "503 Server Error")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, employees: int, reuse: bool, learners: int, workdir: Path) -> dict:
    """The data and what the Locust users need: learners' logins, the running campaign, the compliance secret."""
    if reuse:
        app = existing_app(url)
    else:
        app, url = fresh_app(url, demo=True)
        session = app.extensions["db"].factory()
        started = time.perf_counter()
        seed(session, employees=employees)
        session.commit()
        print(f"seeded {employees:,} employees in {time.perf_counter() - started:.0f} s")
        session.close()
    if url.startswith("postgresql"):
        # The planner's statistics of what was just loaded: a server without autovacuum (this machine's has it
        # off) would otherwise plan a 100,000-row campaign as 251 rows, and a people file took 120 s.
        with app.extensions["db"].engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    session = app.extensions["db"].factory()
    campaign = session.scalar(select(Campaign.id).where(Campaign.status == "running").order_by(Campaign.id))
    people = list(
        session.scalars(
            select(User.id)
            .join(Assignment, Assignment.user_id == User.id)
            .where(Assignment.campaign_id == campaign, User.status == "active", User.login_id.is_(None))
            .group_by(User.id)
            .order_by(User.id)
            .limit(learners)
        )
    )
    session.execute(
        User.__table__.update().where(User.id.in_(people)).values(password_hash=hash_password(DEMO_PASSWORD))
    )
    logins = session.scalars(select(User.employee_no).where(User.id.in_(people))).all()
    secret = session.scalar(select(User.totp_secret).where(User.login_id == "compliance"))
    heads = branch_heads(session, MANAGERS)
    session.commit()
    session.close()
    (workdir / "learners.txt").write_text("\n".join(logins))
    (workdir / "managers.txt").write_text("\n".join(heads))
    return {
        "url": url,
        "app": app,
        "env": {
            "LOAD_LEARNERS": str(workdir / "learners.txt"),
            "LOAD_CAMPAIGN": str(campaign),
            "LOAD_COMPLIANCE_SECRET": secret or "",
            "LOAD_WRITES": str(workdir / "writes.txt"),
            "LOAD_MANAGERS": str(workdir / "managers.txt"),
        },
    }


MANAGERS = 20  # department heads in the deadline mix, each of a generated branch (about 100 people)


def branch_heads(session, count: int) -> list[str]:
    """Heads of `count` generated branches: a person working in each made its manager (the demo's own manager
    heads the sales division, tens of thousands of people at this scale, as no department head does), with
    the demo password; their employee numbers. At the demo's own size, no branches: the demo manager."""
    branches = session.scalars(
        select(Department).where(Department.code.like("X%"), ~Department.code.contains(".")).order_by(Department.code)
    ).all()[:count]
    admin = session.scalar(select(User.id).where(User.login_id == "admin"))
    heads = []
    for branch in branches:
        head = session.scalar(
            select(User)
            .join(Department, Department.id == User.department_id)
            .where(Department.parent_id == branch.id, User.status == "active", User.login_id.is_(None))
            .order_by(User.id)
            .limit(1)
        )
        if head is None:
            continue
        held = session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.user_id == head.id, RoleGrant.role == Role.MANAGER, RoleGrant.status == "active"
            )
        )
        if held is None:
            session.add(
                RoleGrant(
                    user_id=head.id,
                    role=Role.MANAGER,
                    department_id=branch.id,
                    granted_by_id=admin,
                    granted_at=clock.now(),
                )
            )
        head.password_hash = hash_password(DEMO_PASSWORD)
        heads.append(head.employee_no)
    return heads or ["manager"]


class Gunicorn:
    """gunicorn serving the portal (or the bare page) on a free port; its processes' memory sampled."""

    def __init__(self, target: str, url: str, workers: int, workdir: Path, worker_class: str, threads: int):
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "LEARNING_DEMO": "1",
            "INSTANCE_PATH": str(workdir),
            "SECRET_KEY": "load-test-secret-" + "x" * 40,
        }
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers)]
        command += ["-k", worker_class, "--threads", str(threads), "-b", f"127.0.0.1:{self.port}", target]
        self.log = open(workdir / "gunicorn.log", "a")  # noqa: SIM115 - open while gunicorn runs; closed in stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        self.peak_mb = 0.0
        self._sampling = True
        self._wait()
        threading.Thread(target=self._sample, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait(self) -> None:
        for _ in range(120):
            try:
                urllib.request.urlopen(self.base + "/", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("gunicorn did not answer")

    def _sample(self) -> None:
        while self._sampling:
            children = subprocess.run(
                ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
            )
            pids = [self.process.pid, *children.stdout.split()]
            total = 0
            for pid in pids:
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                except OSError:
                    pass
            self.peak_mb = max(self.peak_mb, total / 1024)
            time.sleep(0.5)

    def stop(self) -> None:
        self._sampling = False
        self.process.terminate()
        try:
            self.process.wait(timeout=40)  # gunicorn lets requests in flight finish first
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def locust(
    host: str, users: int, seconds: int, classes: list[str], env: dict, prefix: Path, wait: str, rate: int = 0
) -> dict:
    """Runs Locust headless and reads its per-kind statistics back; `rate` users arrive a second (default: all
    within five seconds)."""
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
    command += ["-u", str(users), "-r", str(rate or max(1, users // 5)), "-t", f"{seconds}s", "--host", host]
    command += ["--csv", str(prefix), "--only-summary", "--stop-timeout", "10", *classes]
    subprocess.run(
        command,
        env={**os.environ, **env, "LOAD_WAIT": wait},
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )
    with open(f"{prefix}_stats.csv") as found:
        stats = {row["Name"]: row for row in csv.DictReader(found)}
    with open(f"{prefix}_failures.csv") as found:
        failures = list(csv.DictReader(found))
    fives = sum(int(f["Occurrences"]) for f in failures if FIVE_XX.search(f["Error"]))
    return {"stats": stats, "5xx": fives, "failures": failures}


def table(result: dict) -> None:
    print(f"{'page kind':<16} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'failed':>7}")
    for name, row in sorted(result["stats"].items(), key=lambda i: i[0] == "Aggregated"):
        if name == "(token)":
            continue
        print(
            f"{name:<16} {row['Request Count']:>9} {float(row['Requests/s']):>7.1f} {row['50%']:>7} "
            f"{row['95%']:>7} {row['99%']:>7} {row['Failure Count']:>7}"
        )
    print(f"5xx responses: {result['5xx']}")


def run_learners(args, data, workdir) -> None:
    """The five learner pages read back to back (the target's mix), then the same with the learners' writes,
    then the bare page; each in its own gunicorn with the same settings."""
    results, peak = {}, 0.0
    for mix_name in ("pages", "learners"):
        portal = Gunicorn("app:app", data["url"], args.workers, workdir, args.worker_class, args.threads)
        env = {**data["env"], "LOAD_MIX": mix_name}
        results[mix_name] = locust(
            portal.base, args.connections, args.seconds, ["Learner"], env, workdir / mix_name, "0"
        )
        portal.stop()
        peak = max(peak, portal.peak_mb)
    bare = Gunicorn("bench.bare_app:app", data["url"], args.workers, workdir, args.worker_class, args.threads)
    yardstick = locust(bare.base, args.connections, min(args.seconds, 30), ["Bare"], {}, workdir / "bare", "0")
    bare.stop()
    theirs = float(yardstick["stats"]["Aggregated"]["Requests/s"])
    named = {"pages": "learner pages (home, my training, module, section, status API)", "learners": "with writes"}
    for mix_name, mix in results.items():
        print(f"\n{named[mix_name]}:")
        table(mix)
        ours = float(mix["stats"]["Aggregated"]["Requests/s"])
        print(f"{mix_name}: {ours:.0f} req/s; bare Flask + Jinja {theirs:.0f} req/s; ratio {ours / theirs:.2f}")
    print(f"peak memory of gunicorn's processes: {peak:.0f} MB")


def run_exports(args, data, workdir) -> None:
    portal = Gunicorn("app:app", data["url"], args.workers, workdir, args.worker_class, args.threads)
    env = {**data["env"], "LOAD_MIX": "learners"}
    alone = locust(portal.base, args.connections, args.seconds, ["Learner"], env, workdir / "alone", "0")
    # The exports in a Locust of their own beside the learners' (started first, and running a little longer), so
    # that the learners' figures are theirs alone, measured as without the exports.
    exporters_env = {**env, "LOAD_EXPORTERS": str(args.exporters)}
    exports: dict = {}
    side = threading.Thread(
        target=lambda: exports.update(
            locust(portal.base, args.exporters, args.seconds + 20, ["Exporter"], exporters_env, workdir / "exp", "0")
        )
    )
    side.start()
    time.sleep(10)  # the exporters signed in and downloading
    busy = locust(portal.base, args.connections, args.seconds, ["Learner"], env, workdir / "busy", "0")
    side.join()
    portal.stop()
    print("learners alone:")
    table(alone)
    print(f"learners with {args.exporters} exports running:")
    table(busy)
    print("the exports:")
    table(exports)
    before = float(alone["stats"]["Aggregated"]["95%"])
    during = float(busy["stats"]["Aggregated"]["95%"])
    print(f"learner p95 alone {before:.0f} ms; with {args.exporters} exports running {during:.0f} ms")
    print(f"ratio {during / before:.2f} (target under 2)")
    print(f"peak memory of gunicorn's processes: {portal.peak_mb:.0f} MB")


def run_deadline(args, data, workdir) -> None:
    portal = Gunicorn("app:app", data["url"], args.workers, workdir, args.worker_class, args.threads)
    result = locust(
        portal.base,
        args.users,
        args.seconds,
        ["Learner", "Manager", "Compliance"],
        {**data["env"], "LOAD_MIX": "deadline"},
        workdir / "deadline",
        "1",
        rate=2,  # people arrive over half a minute, as they do, not all in the same second
    )
    portal.stop()
    table(result)
    print(f"peak memory of gunicorn's processes: {portal.peak_mb:.0f} MB")


class PrivatePostgres:
    """A PostgreSQL instance of this script's own, so that stopping it touches nobody else's."""

    def __init__(self, workdir: Path):
        self.data = workdir / "pgdata"
        self.port = free_port()
        self.data.mkdir()
        shutil.chown(self.data, "postgres", "postgres")
        self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "root", "--auth=trust", "-E", "UTF8"])
        self.start()
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "root", "outage"], check=True
        )
        self.url = f"postgresql+psycopg://root@127.0.0.1:{self.port}/outage"

    def _as_postgres(self, command: list[str]) -> None:
        subprocess.run(["su", "postgres", "-c", " ".join(command)], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        options = f"'-p {self.port} -k /tmp -c listen_addresses=127.0.0.1'"
        self._as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.data / "log"), "-w", "start"]
        )

    def stop(self) -> None:
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])


def run_outage(args, workdir) -> None:
    database = PrivatePostgres(workdir)
    try:
        data = prepare(database.url, args.employees, False, args.learners, workdir)
        portal = Gunicorn("app:app", database.url, args.workers, workdir, args.worker_class, args.threads)
        seen: list[tuple[float, int]] = []
        polling = True

        def poll() -> None:
            while polling:
                try:
                    status = urllib.request.urlopen(portal.base + "/healthz", timeout=5).status
                except urllib.error.HTTPError as error:
                    status = error.code
                except OSError:
                    status = 0  # no answer at all
                seen.append((time.monotonic(), status))
                time.sleep(0.25)

        threading.Thread(target=poll, daemon=True).start()
        load = threading.Thread(
            target=lambda: data.update(
                result=locust(
                    portal.base,
                    args.users,
                    80,
                    ["Learner", "Manager"],
                    {**data["env"], "LOAD_MIX": "deadline"},
                    workdir / "outage",
                    "1",
                )
            )
        )
        load.start()
        time.sleep(20)
        down_at = time.monotonic()
        database.stop()
        time.sleep(30)
        database.start()
        up_at = time.monotonic()
        load.join()
        polling = False
        portal.stop()
        while_down = Counter(status for at, status in seen if down_at <= at < up_at)
        healthy = next((at for at, status in seen if at >= up_at and status == 200), None)
        table(data["result"])
        print(f"/healthz while the database was down: {dict(while_down)}")
        print(
            f"first healthy answer {healthy - up_at:.1f} s after the database returned"
            if healthy
            else "never healthy again"
        )
        tokens = (
            set(Path(data["env"]["LOAD_WRITES"]).read_text().split())
            if Path(data["env"]["LOAD_WRITES"]).exists()
            else set()
        )
        session = data["app"].extensions["db"].factory()
        kept = {b for b in session.scalars(select(DeskQuestion.body).where(DeskQuestion.body.like("%load-%")))}
        lost = [t for t in tokens if not any(t in body for body in kept)]
        checked, broken = verify_chain(session)
        session.close()
        print(f"acknowledged desk questions: {len(tokens)}, lost: {len(lost)}")
        print(f"audit chain: {checked:,} events checked, {'intact' if broken is None else f'broken at {broken}'}")
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            database.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("learners", "exports", "deadline", "outage"))
    parser.add_argument("--database-url")
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--learners", type=int, default=500, help="people who sign in")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--exporters", type=int, default=20)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    shutil.chown(workdir, "postgres", "postgres")  # the private database's folder lives in it
    if args.mode == "outage":
        args.employees = min(args.employees, 2_000)
        run_outage(args, workdir)
        return
    if not args.database_url:
        raise SystemExit("--database-url: an empty PostgreSQL database (it is emptied first unless --reuse)")
    data = prepare(args.database_url, args.employees, args.reuse, args.learners, workdir)
    {"learners": run_learners, "exports": run_exports, "deadline": run_deadline}[args.mode](args, data, workdir)


if __name__ == "__main__":
    main()
