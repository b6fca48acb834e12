"""Production as it is started: gunicorn, flask commands, `python app.py`.

Unsafe settings stop the process at once with one line naming the setting, and with the exit status that
makes gunicorn's master stop instead of starting worker after worker on a bound port; good settings start
gunicorn and /healthz answers. Every process is killed, and the test fails, if it outlives LIMIT.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gunicorn.arbiter import Arbiter

from learning.config import CONFIG_ERROR_EXIT
from tests.conftest import production_env
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 60  # seconds
FORTY_DIGITS = "8302917465120394857601928374650192837465"
REFUSED = [
    ({"SECRET_KEY": FORTY_DIGITS}, "SECRET_KEY is too weak"),
    ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
    ({"DATABASE_URL": None}, "DATABASE_URL is not set"),
    ({"LEARNING_DEMO": "1"}, "LEARNING_DEMO is on"),
    ({"FLASK_DEBUG": "1"}, "FLASK_DEBUG is on"),
    ({"PASSWORD_HASH_PROFILE": "test"}, "PASSWORD_HASH_PROFILE is 'test'"),
]


def gunicorn(port: int, workers: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *options]


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    """In a process group of its own, so that the master and every worker can be killed together."""
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def finish(process: subprocess.Popen) -> tuple[int, str]:
    """Waits for the process to end by itself: its exit status and stderr. Kills it all after LIMIT."""
    try:
        stderr = process.communicate(timeout=LIMIT)[1]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stderr = process.communicate()[1]
        pytest.fail(f"still running after {LIMIT} s:\n{stderr[-4000:]}")
    return process.returncode, stderr


def run(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    return finish(start(command, env))


def nothing_left(process: subprocess.Popen, port: int) -> bool:
    """Soon no process of its group is left (no worker goes on without its master) and the port can be
    listened on again. SO_REUSEADDR lets the probe past connections the server closed (TIME_WAIT), never
    past a listener."""
    deadline = time.monotonic() + LIMIT
    while True:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            return False
        time.sleep(0.1)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()
    return True


def refused_once(status: int, stderr: str, named: str) -> bool:
    return (
        status == CONFIG_ERROR_EXIT
        and stderr.count("Configuration error:") == 1
        and f"Configuration error: {named}" in stderr
        and "Traceback" not in stderr
    )


@pytest.mark.parametrize(("overrides", "named"), REFUSED)
def test_gunicorn_refuses_unsafe_settings_in_the_master_before_binding(overrides, named, tmp_path):
    port, pidfile = free_port(), tmp_path / "gunicorn.pid"
    command = [*gunicorn(port, 3, "--pid", str(pidfile)), "app:app"]
    process = start(command, production_env(tmp_path, **overrides))
    status, stderr = finish(process)
    assert status == Arbiter.APP_LOAD_ERROR == CONFIG_ERROR_EXIT, stderr
    assert refused_once(status, stderr, named), stderr
    assert "Listening at" not in stderr and "Booting worker" not in stderr, stderr  # gunicorn.conf.py
    assert nothing_left(process, port)
    assert not pidfile.exists()


def elsewhere(tmp_path) -> str:
    """Another config file, as when gunicorn starts outside the project directory without -c."""
    empty = tmp_path / "elsewhere.conf.py"
    empty.write_text("")
    return str(empty)


def test_without_the_config_file_a_worker_refusing_stops_gunicorn(tmp_path):
    """The worker refuses as it loads app.py, and its exit status stops the master, port and all."""
    port = free_port()
    command = [*gunicorn(port, 1, "--config", elsewhere(tmp_path)), "app:app"]
    process = start(command, production_env(tmp_path, FLASK_DEBUG="1"))
    status, stderr = finish(process)
    assert refused_once(status, stderr, "FLASK_DEBUG is on"), stderr
    assert "Listening at" in stderr and "Reason: App failed to load." in stderr, stderr
    assert stderr.count("Booting worker") == 1, stderr
    assert nothing_left(process, port)


def test_without_the_config_file_several_workers_refusing_are_not_replaced(tmp_path):
    """Each worker says it once; none is started again. (When two fail together gunicorn 23's master may
    end on its own HaltServer traceback with status 1, re-entering halt from its SIGCHLD handler: the
    reason gunicorn.conf.py checks in the master, before any worker.)"""
    port = free_port()
    command = [*gunicorn(port, 3, "--config", elsewhere(tmp_path)), "app:app"]
    process = start(command, production_env(tmp_path, SECRET_KEY=FORTY_DIGITS))
    status, stderr = finish(process)
    assert status != 0, stderr
    assert 1 <= stderr.count("Booting worker") <= 3, stderr
    assert 1 <= stderr.count("Configuration error: SECRET_KEY is too weak") <= stderr.count("Booting worker"), stderr
    assert nothing_left(process, port)


@pytest.mark.parametrize(
    ("command", "overrides", "named"),
    [
        (["app.py"], {"SECRET_KEY": FORTY_DIGITS}, "SECRET_KEY is too weak"),
        (["-m", "flask", "--app", "app", "db", "upgrade"], {"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        (["-m", "flask", "--app", "app", "jobs", "run"], {"LEARNING_DEMO": "yes"}, "LEARNING_DEMO is on"),
        (["-m", "alembic", "upgrade", "head"], {"DATABASE_URL": None}, "DATABASE_URL is not set"),
    ],
    ids=["python app.py", "flask db upgrade", "flask jobs run", "alembic upgrade"],
)
def test_the_other_entries_refuse_the_same_way(command, overrides, named, tmp_path):
    status, stderr = run([sys.executable, *command], production_env(tmp_path, **overrides))
    assert refused_once(status, stderr, named), stderr
    assert not (tmp_path / "instance" / "learning.db").exists()  # no SQLite file made on the way


def test_good_production_settings_start_gunicorn_and_it_serves_health(database_url, tmp_path):
    port = free_port()
    process = start([*gunicorn(port, 2), "app:app"], production_env(tmp_path, DATABASE_URL=database_url))
    try:
        deadline = time.monotonic() + LIMIT
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    status, body = response.status, json.loads(response.read())
                    break
            except urllib.error.HTTPError as error:  # it answered, but not 200
                status, body = error.code, error.read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    os.killpg(process.pid, signal.SIGKILL)
                    pytest.fail(process.communicate()[1][-4000:])
                time.sleep(0.2)
        assert (status, body) == (200, {"status": "ok", "database": "ok"})
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: gunicorn's graceful stop
    code, stderr = finish(process)
    assert code == 0, stderr
    assert "Configuration error" not in stderr and "Traceback" not in stderr, stderr
    assert nothing_left(process, port)
