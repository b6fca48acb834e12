"""`flask gift …`: a GIFT question bank into a draft, and a module's bank out as GIFT."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from learning.web import db, unit_of_work


def register(app) -> None:
    app.cli.add_command(gift_group)


@click.group("gift", cls=AppGroup, help="Question banks in Moodle's GIFT format.")
def gift_group():
    pass


@gift_group.command("import", help="Add a GIFT file's questions to a new draft of a module (created if missing).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--module", "slug", required=True, help="The module's slug.")
@click.option("--language", required=True, type=click.Choice(["ja", "en"]), help="The language the GIFT text is in.")
def gift_import(file: Path, slug: str, language: str):
    from learning.authoring.imports import import_gift
    from learning.authoring.services import AuthoringError

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        click.echo(f"{file}: not UTF-8 text", err=True)
        sys.exit(1)
    try:
        with unit_of_work() as session:
            draft, added, result = import_gift(session, slug, text, language, actor_id=None)
    except AuthoringError as refused:
        if refused.code == "gift_errors":
            for problem in refused.params["result"].errors:
                click.echo(f"{file}:{problem}", err=True)
            click.echo("nothing imported", err=True)
        else:
            click.echo(f"{slug}: {refused.english()}", err=True)
        sys.exit(1)
    for problem in result.skipped:
        click.echo(f"{file}:{problem} (skipped)")
    click.echo(f"{slug}: {len(added)} questions added to draft edition {draft.version}; {len(result.skipped)} skipped")


@gift_group.command("export", help="Write the question bank of a module's newest edition as GIFT.")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", default="ja", show_default=True, type=click.Choice(["ja", "en"]))
@click.option("--draft", is_flag=True, help="Export the draft in the works instead of the published edition.")
def gift_export(slug: str, file: Path, language: str, draft: bool):
    from learning.authoring.services import in_the_works
    from learning.courses.formats import gift
    from learning.courses.services import current_edition, spec_from_edition

    edition = current_edition(db(), slug)
    if edition is not None and draft:
        edition = in_the_works(db(), edition.module_id)
    if edition is None:
        click.echo(f"no module with slug '{slug}'" + (" that has a draft in the works" if draft else ""), err=True)
        sys.exit(1)
    spec = spec_from_edition(db(), edition)
    file.write_text(gift.export(spec.questions, language, category=slug), encoding="utf-8")
    click.echo(f"wrote {file}: {len(spec.questions)} questions of {slug} edition {edition.version} ({language})")
