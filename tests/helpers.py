"""Walking a learner through a module over HTTP, for integration tests; a free port for servers they start;
the figures a report page hands to its chart script; the SQL statements a page issues."""

from __future__ import annotations

import json
import re
import socket
from contextlib import contextmanager

from sqlalchemy import event, select

from learning.courses.models import Choice
from learning.quizzes.models import Attempt, AttemptQuestion
from tests.conftest import post, sign_in
from tests.factories import make_assignment, make_edition, make_user


def learner_with_assignment(db, client, **edition_fields):
    """A signed-in learner with one assignment of a fresh small module."""
    edition = make_edition(db, **edition_fields)
    user = make_user(db)
    assignment = make_assignment(db, user, edition)
    db.commit()
    response = sign_in(client, user.employee_no)
    assert response.status_code == 302
    return user, edition, assignment


def read_all_sections(client, assignment_id: int, count: int) -> None:
    for position in range(1, count + 1):
        response = post(client, f"/training/{assignment_id}/sections/{position}")
        assert response.status_code == 302, response.get_data(as_text=True)


def start_quiz(client, assignment_id: int) -> int:
    response = post(client, f"/training/{assignment_id}/quiz")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/attempts/(\d+)", response.location).group(1))


def answers_for(db, attempt_id: int, right: bool | int = True) -> dict[str, list[str]]:
    """Form fields answering every question: all right, all wrong, or the first `right` right."""
    db.expire_all()
    questions = db.scalars(
        select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id).order_by(AttemptQuestion.position)
    ).all()
    form = {}
    for index, aq in enumerate(questions):
        choices = db.scalars(select(Choice).where(Choice.question_id == aq.question_id)).all()
        good = right if isinstance(right, bool) else index < right
        picked = [c.id for c in choices if c.correct == good]
        form[f"q{aq.id}"] = [str(i) for i in (picked if good else picked[:1])]
    return form


def attempt_row(db, attempt_id: int) -> Attempt:
    db.expire_all()
    return db.get(Attempt, attempt_id)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chart_in(page: str, chart_id: str) -> dict:
    """The plotly figure a report page carries for the chart `chart_id` (the JSON its script draws)."""
    found = re.search(rf'<script type="application/json" data-chart="{chart_id}">(.*?)</script>', page, re.S)
    assert found, f"no chart {chart_id} on the page"
    return json.loads(found.group(1))


def plotted(figure: dict, name: str) -> dict:
    """{x: y} of every point a figure draws for the line `name` (over all its traces), gaps left out."""
    return {
        x: y
        for trace in figure["data"]
        if trace.get("name") == name
        for x, y in zip(trace["x"], trace["y"], strict=True)
        if y is not None
    }


@contextmanager
def counted(app):
    """The SQL statements the app's engine runs inside the block, as a list that fills as they run."""
    statements = []
    engine = app.extensions["db"].engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_on(app, client, path: str) -> int:
    """How many SQL statements one GET of `path` issues, a streamed body read to its end (it must answer 200)."""
    with counted(app) as statements:
        response = client.get(path)
        response.get_data()
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)
