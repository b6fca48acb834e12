"""`python app.py` on a fresh checkout: database, content, demo organisation; a second start reuses it."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learning.accounts.models import Department, RoleGrant, User
from learning.app import create_app
from learning.authz import Role
from learning.campaigns.models import Campaign
from learning.courses.models import Edition
from learning.firstrun import first_run
from learning.training.models import Assignment
from tests.conftest import PG_URL, make_settings
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_first_run_creates_everything_and_a_second_run_reuses_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(make_settings(url, tmp_path / "instance"))
    first_run(app)
    first_run(app)  # a second start changes nothing
    session = app.extensions["db"].factory()
    try:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Edition) == 15
        assert count(Department) == 22
        assert 55 <= count(User) <= 70
        yearly = session.scalar(select(Campaign.id).where(Campaign.name_en == "FY2026 conduct-rule training (demo)"))
        current = select(func.count()).select_from(Assignment).where(Assignment.campaign_id == yearly)
        employees = session.scalar(select(func.count()).select_from(User).where(User.kind == "employee"))
        assert count(User) - employees == 4  # the demo contractor's staff: in the campaign by a contractor rule
        assert session.scalar(current) == (employees + 4) * 5  # everyone, the five general modules, this year
        # Two closed years of history before it, and a campaign for each of the ten role modules, the one on
        # moving between the companies as two (a transfer rule each way, grid → retail and retail → grid).
        assert count(Campaign) == 3 + 11
        assert session.scalar(select(func.count()).where(Campaign.name_en.like("FY2026 role training:%"))) == 11
        heads_only = session.scalars(select(Campaign.name_en).where(Campaign.managers_only.is_(True))).all()
        assert heads_only == ["FY2026 role training: managers (demo)"]
        rules = session.scalars(select(Campaign.name_en).where(Campaign.transfer_from_id.is_not(None))).all()
        assert sorted(rules) == [
            "FY2026 role training: moves between the companies, grid to retail (demo)",
            "FY2026 role training: moves between the companies, retail to grid (demo)",
        ]
        roots = session.scalars(select(Department.name_en).where(Department.parent_id.is_(None))).all()
        assert len(roots) == 2  # the retail company and the grid company
        names = " ".join(session.scalars(select(Department.name_en)))
        assert "Branch" in names and "Call Centre" in names and "Network Centre" in names
        logins = set(session.scalars(select(User.login_id).where(User.login_id.is_not(None))))
        assert logins == {
            "contractor",  # the demo contractor's staff (issue 19)
            "csupervisor",
            "learner",
            "manager",
            "desk",
            "trainer",
            "reviewer",
            "compliance",
            "officer",
            "auditor",
            "admin",
            "office",  # the second line for self-inspections
        }
        learner = session.scalar(select(User).where(User.login_id == "learner"))
        manager = session.scalar(select(User).where(User.login_id == "manager"))
        scopes = session.scalars(
            select(RoleGrant.department_id).where(RoleGrant.user_id == manager.id, RoleGrant.role == Role.MANAGER)
        ).all()
        assert len(scopes) >= 2
        learner_department = session.get(Department, learner.department_id)
        assert learner_department.parent_id in scopes or learner_department.id in scopes
    finally:
        session.close()
        app.extensions["db"].engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="the README's first command runs on SQLite; checked in the SQLite run")
def test_python_app_py_serves_the_demo(tmp_path):
    port = free_port()
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "instance"), "PORT": str(port)}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stdout.read()) from None
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
            assert "csrf_token" in response.read().decode()
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "demo: 22 departments, 60 people" in output
