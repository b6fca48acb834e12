"""`flask content …`: check, import and export module folders."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from learning.web import db, unit_of_work


def register(app) -> None:
    app.cli.add_command(content_group)


def _read(path: Path):
    """The modules under PATH, or every problem printed as file:line: message and exit 1."""
    from learning.courses.formats.content import read_tree
    from learning.courses.formats.spec import ContentError

    try:
        return read_tree(path)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{len(exc.problems)} problem(s) found; nothing was imported", err=True)
        sys.exit(1)


@click.group("content", cls=AppGroup, help="Module content files (see content/README.md).")
def content_group():
    pass


@content_group.command(
    "check",
    help="Validate PATH; print file:line: error|warning: message for every finding. Exit 1 on errors, and on "
    "warnings (the assessment rules) with --strict.",
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors (as CI does for the shipped content).")
def content_check(path: Path, strict: bool):
    from learning.courses.formats.check import exit_status, summary
    from learning.courses.formats.checking import check

    problems = check(path)
    for problem in problems:
        click.echo(problem.labelled())
    click.echo(summary(problems), err=True)
    sys.exit(exit_status(problems, strict))


@content_group.command("stats", help="The cue statistics of the banks under PATH, per module and in all.")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--markdown", is_flag=True, help="Print the figures as Markdown tables, a row per module.")
def content_stats(path: Path, markdown: bool):
    from learning.courses.formats.checking import stats_lines, stats_markdown

    for line in (stats_markdown if markdown else stats_lines)(_read(path)):
        click.echo(line)


@content_group.command("import", help="Import PATH; unchanged modules are a no-op, changed ones a new edition.")
@click.argument("path", type=click.Path(path_type=Path))
def content_import(path: Path):
    from learning.courses.services import import_modules

    specs = _read(path)
    with unit_of_work() as session:
        outcomes = import_modules(session, specs)
    for outcome in outcomes:
        click.echo(f"{outcome.slug}: {outcome.result.replace('_', ' ')} (edition {outcome.version})")


@content_group.command(
    "export", help="Write the published edition of SLUG (its draft when none is published) into DIR as content files."
)
@click.argument("slug")
@click.argument("directory", type=click.Path(path_type=Path))
def content_export(slug: str, directory: Path):
    from learning.courses.formats.writing import write_module
    from learning.courses.services import current_edition, spec_from_edition

    edition = current_edition(db(), slug)
    if edition is None:
        click.echo(f"no module with slug '{slug}'", err=True)
        sys.exit(1)
    target = directory / slug
    if target.exists() and any(target.iterdir()):
        click.echo(f"{target} already exists and is not empty; choose another directory", err=True)
        sys.exit(1)
    write_module(spec_from_edition(db(), edition), target)
    click.echo(f"wrote {target} (edition {edition.version})")
