"""First run: migrate, import the shipped content (modules, checklist templates), seed the demo organisation.
Safe to repeat."""

from __future__ import annotations

from flask import Flask

from learning import migrate
from learning.config import PROJECT_ROOT
from learning.web import unit_of_work

CONTENT_DIR = PROJECT_ROOT / "content"


def first_run(app: Flask) -> None:
    from learning.courses.formats.content import read_tree
    from learning.courses.services import import_modules
    from learning.demo.organisation import seed
    from learning.inspections.formats import read_tree as read_inspections
    from learning.inspections.services import import_templates
    from learning.search import index as search_index

    settings = app.extensions["settings"]
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    with app.app_context(), unit_of_work() as session:
        outcomes = import_modules(session, read_tree(CONTENT_DIR), keep_reviewed=True)
        for outcome in outcomes:
            print(f"content: {outcome.slug} {outcome.result.replace('_', ' ')} (edition {outcome.version})")
        specs, problems = read_inspections(CONTENT_DIR / "inspections")
        for problem in problems:
            print(f"inspections: {problem.labelled()}")
        for outcome in import_templates(session, specs, keep_reviewed=True):
            print(f"inspections: {outcome.slug} {outcome.result} (version {outcome.version})")
        if settings.demo:
            print(seed(session))
        if settings.demo or search_index.is_empty(
            session
        ):  # the demo's FAQ, notices and rules; or a database from before the index (0036)
            counts = search_index.rebuild(session)
            print("search: " + ", ".join(f"{count} {kind} entries" for kind, count in counts.items()))
