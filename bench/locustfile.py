"""The deadline-week mix for Locust (run by bench/load.py, which seeds the data and starts gunicorn).

Learners (most users) read their modules, take quizzes and attest, and ask the desk; managers and the compliance
officer open reports and export them. Every page is named by its kind, so the statistics are per kind, not per
URL. Settings come from the environment that bench/load.py sets:

- LOAD_LEARNERS: a file of learner logins (employee numbers), one a line; LOAD_PASSWORD their password;
- LOAD_CAMPAIGN: the running campaign's id; LOAD_COMPLIANCE_SECRET: the compliance officer's TOTP secret;
- LOAD_WRITES: where each acknowledged desk question's token is appended (the fault mode checks them later);
- LOAD_MIX: "pages" (the learner mix of the throughput target, as issue 14 names it: home, my training, module,
  section and status API, read only), "learners" (those and the learners' writes: reading a section, the quiz,
  attesting; no desk questions) or "deadline".

bench/load.py names the user classes to run: `Learner` alone for the learner mix, all three for the deadline.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import threading
import uuid
from pathlib import Path

import pyotp
from locust import FastHttpUser, between, constant, task

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
ASSIGNMENT = re.compile(r'href="/training/(\d+)"')
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
QUESTION = re.compile(r'name="(q\d+)"[^>]*value="(\d+)"')
CHECKBOX = re.compile(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"')
PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-password")  # the demo accounts' and the bench learners'
MIX = os.environ.get("LOAD_MIX", "deadline")
_logins = (
    itertools.cycle(Path(os.environ["LOAD_LEARNERS"]).read_text().split()) if "LOAD_LEARNERS" in os.environ else None
)
_managers = (
    itertools.cycle(Path(os.environ["LOAD_MANAGERS"]).read_text().split())
    if "LOAD_MANAGERS" in os.environ
    else itertools.repeat("manager")
)
_lock = threading.Lock()


def _next_login(logins=None) -> str:
    with _lock:
        return next(logins or _logins)


def _acknowledged(token: str) -> None:
    with _lock, open(os.environ["LOAD_WRITES"], "a") as log:
        log.write(token + "\n")


class Portal(FastHttpUser):
    """geventhttpclient's client: Locust's fast one, so that the load generator is not what limits the figures."""

    abstract = True
    # LOAD_WAIT=0: back to back, as a closed loop of N connections (the throughput runs); else people's pace.
    wait_time = constant(0) if os.environ.get("LOAD_WAIT") == "0" else between(0.5, 2)

    def csrf(self, path: str = "/") -> str:
        page = self.client.get(path, name="(token)")
        found = CSRF.search(page.text)
        return found.group(1) if found else ""

    def sign_in(self, login: str, secret: str | None = None) -> bool:
        token = self.csrf("/login")
        done = self.client.post(
            "/login", {"username": login, "password": PASSWORD, "csrf_token": token}, name="sign in"
        )
        if secret:
            token = self.csrf("/login/code")
            code = pyotp.TOTP(secret).now()
            done = self.client.post("/login/code", {"code": code, "csrf_token": token}, name="sign in")
        return done.ok


class Learner(Portal):
    weight = 20

    def on_start(self):
        self.sign_in(_next_login())
        page = self.client.get("/training", name="my training")
        self.assignments = sorted(set(ASSIGNMENT.findall(page.text))) or []
        self.asked = 0

    def pick(self) -> str | None:
        return random.choice(self.assignments) if self.assignments else None

    @task(4)
    def home(self):
        self.client.get("/", name="home")

    @task(3)
    def my_training(self):
        self.client.get("/training", name="my training")

    @task(3)
    def module(self):
        if (a := self.pick()) is not None:
            self.client.get(f"/training/{a}", name="module")

    @task(4)
    def section(self):
        if (a := self.pick()) is not None:
            position = random.randint(1, 3)
            page = self.client.get(f"/training/{a}/sections/{position}", name="section")
            found = CSRF.search(page.text)
            if found and MIX != "pages" and random.random() < 0.5:
                self.client.post(
                    f"/training/{a}/sections/{position}", {"csrf_token": found.group(1)}, name="section read"
                )

    @task(2)
    def status(self):
        self.client.get("/api/v1/me/status", name="status API")

    @task(1)
    def quiz_and_attest(self):
        """Start a quiz, answer it (the first choice of each question), and attest if it passed."""
        if MIX == "pages" or (a := self.pick()) is None:
            return
        overview = self.client.get(f"/training/{a}", name="module")
        token = CSRF.search(overview.text)
        token = token.group(1) if token else ""
        for position in sorted(set(re.findall(rf"/training/{a}/sections/(\d+)", overview.text)), key=int):
            # The quiz opens once every section is read.
            self.client.post(f"/training/{a}/sections/{position}", {"csrf_token": token}, name="section read")
        form = {"csrf_token": token}
        started = self.client.post(f"/training/{a}/quiz", form, name="quiz start", allow_redirects=False)
        headers = started.headers or {}
        found = re.search(r"/attempts/(\d+)", headers.get("Location") or headers.get("location") or "")
        if not found:
            return
        attempt = found.group(1)
        page = self.client.get(f"/attempts/{attempt}", name="quiz")
        answers: dict[str, str] = {}
        for name, value in QUESTION.findall(page.text):
            answers.setdefault(name, value)
        token = CSRF.search(page.text)
        form = {"csrf_token": token.group(1) if token else "", **answers}
        self.client.post(f"/attempts/{attempt}", form, name="quiz submit")
        attest = self.client.get(f"/training/{a}/attest", name="attest")
        if attest.ok and (token := CSRF.search(attest.text)):
            fields = {name: "y" for name in CHECKBOX.findall(attest.text)}
            self.client.post(f"/training/{a}/attest", {"csrf_token": token.group(1), **fields}, name="attest")

    @task(1)
    def ask_the_desk(self):
        """A named question with a unique token in its text: acknowledged (a redirect to the receipt) means kept."""
        if MIX != "deadline" or self.asked >= 3:
            return
        page = self.client.get("/desk", name="desk")
        fields = dict(HIDDEN.findall(page.text))
        token = f"load-{uuid.uuid4().hex}"
        form = {**fields, "category": "other", "body": f"負荷試験の質問です ({token})"}
        with self.client.post("/desk", form, name="desk ask", allow_redirects=False, catch_response=True) as sent:
            if sent.status_code in (302, 303):
                self.asked += 1
                _acknowledged(token)
            elif sent.status_code == 400 and ("1時間" in sent.text or "last hour" in sent.text):
                # The desk's limit of questions per person and hour (desk/services.py): runs of this script
                # within the hour reuse the same bench learners. A refusal the app means, not a failure.
                sent.success()
                self.asked = 3


class Manager(Portal):
    """A department head (of a branch, bench/load.py's MANAGERS): the running campaign's report, the people not
    finished, and their exports."""

    weight = 2

    def on_start(self):
        self.campaign = os.environ.get("LOAD_CAMPAIGN", "1")
        self.sign_in(_next_login(_managers))

    @task(3)
    def report(self):
        self.client.get(f"/reports/campaigns/{self.campaign}", name="report page")

    @task(2)
    def not_finished(self):
        self.client.get(f"/reports/campaigns/{self.campaign}/people?filter=not_finished", name="people list")

    @task(1)
    def export(self):
        self.client.get(f"/reports/campaigns/{self.campaign}.csv", name="export")
        self.client.get(f"/reports/campaigns/{self.campaign}/people.csv?filter=not_finished", name="export")


class Compliance(Portal):
    """The compliance officer: the whole organisation's report, its people not finished, and their exports, at
    the pace of someone reading figures for 100,000 people (one session: the second factor's code is used once).
    Named apart from the managers': a file of the whole organisation is another size of thing."""

    weight = 0
    fixed_count = 1
    wait_time = between(5, 15)

    def on_start(self):
        self.campaign = os.environ.get("LOAD_CAMPAIGN", "1")
        self.sign_in("compliance", os.environ.get("LOAD_COMPLIANCE_SECRET"))

    @task(3)
    def report(self):
        self.client.get(f"/reports/campaigns/{self.campaign}", name="report page (whole org.)")

    @task(2)
    def not_finished(self):
        url = f"/reports/campaigns/{self.campaign}/people?filter=not_finished"
        self.client.get(url, name="people list (whole org.)")

    @task(1)
    def export(self):
        self.client.get(f"/reports/campaigns/{self.campaign}.csv", name="export (whole org.)")
        url = f"/reports/campaigns/{self.campaign}/people.csv?filter=not_finished"
        self.client.get(url, name="export (whole org.)")


class Exporter(Portal):
    """Exports back to back (the exports mode: LOAD_EXPORTERS of them beside the learners)."""

    weight = 0
    fixed_count = int(os.environ.get("LOAD_EXPORTERS", "0"))

    def on_start(self):
        self.campaign = os.environ.get("LOAD_CAMPAIGN", "1")
        self.sign_in("manager")

    @task
    def export(self):
        self.client.get(f"/reports/campaigns/{self.campaign}.csv", name="export")
        self.client.get(f"/reports/campaigns/{self.campaign}/people.csv?filter=not_finished", name="export")


class Bare(FastHttpUser):
    """The bare Flask page of bench/bare_app.py, back to back."""

    wait_time = constant(0)

    @task
    def page(self):
        self.client.get("/", name="bare page")
