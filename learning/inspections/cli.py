"""`flask inspections …`: check and import checklist template files (content/inspections/)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from learning.web import unit_of_work

SHIPPED = Path(__file__).resolve().parents[2] / "content" / "inspections"


def register(app) -> None:
    app.cli.add_command(inspections_group)


@click.group("inspections", cls=AppGroup, help="Self-inspection checklist templates (content/inspections/).")
def inspections_group():
    pass


def _read_or_exit(path: Path):
    from learning.inspections.formats import read_tree

    specs, problems = read_tree(path)
    for problem in problems:
        click.echo(problem.labelled())
    if problems:
        click.echo(f"{len(problems)} problem(s) found; nothing was imported", err=True)
        sys.exit(1)
    return specs


@inspections_group.command("check", help="Validate the template files under PATH; print file:line: error: message.")
@click.argument("path", type=click.Path(path_type=Path, exists=True), default=SHIPPED)
def check_command(path: Path):
    specs = _read_or_exit(path)
    click.echo(f"{len(specs)} template(s), {sum(len(s.items) for s in specs)} item(s): no problems", err=True)


@inspections_group.command("import", help="Publish the template files under PATH (an unchanged file stays as it is).")
@click.argument("path", type=click.Path(path_type=Path, exists=True), default=SHIPPED)
def import_command(path: Path):
    from learning.inspections.services import import_templates

    specs = _read_or_exit(path)
    with unit_of_work() as session:
        for outcome in import_templates(session, specs):
            click.echo(f"inspections: {outcome.slug} {outcome.result} (version {outcome.version})")
