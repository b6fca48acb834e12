"""Commands under `flask --app app`: db, content, demo, audit. Each exits non-zero with a clear message."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from learning import migrate
from learning.web import db


def _settings():
    return current_app.extensions["settings"]


def register(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(content_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(gift_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(org_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(campaigns_group)
    app.cli.add_command(roster_group)


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group():
    pass


@db_group.command("upgrade", help="Apply every pending migration.")
def db_upgrade():
    migrate.upgrade(_settings().database_url)
    click.echo("database is up to date")


@click.group("content", cls=AppGroup, help="Module content files (see content/README.md).")
def content_group():
    pass


@content_group.command("check", help="Validate PATH; print file:line: message for every problem.")
@click.argument("path", type=click.Path(path_type=Path))
def content_check(path: Path):
    from learning.courses.content_format import ContentError, read_tree

    try:
        specs = read_tree(path)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{len(exc.problems)} problem(s) found; nothing was imported", err=True)
        sys.exit(1)
    for spec in specs:
        click.echo(f"ok: {spec.slug} ({len(spec.sections)} sections, {len(spec.questions)} questions)")


@content_group.command("import", help="Import PATH; unchanged modules are a no-op, changed ones a new edition.")
@click.argument("path", type=click.Path(path_type=Path))
def content_import(path: Path):
    from learning.courses.content_format import ContentError, read_tree
    from learning.courses.services import import_modules

    try:
        specs = read_tree(path)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{len(exc.problems)} problem(s) found; nothing was imported", err=True)
        sys.exit(1)
    outcomes = import_modules(db(), specs)
    db().commit()
    for outcome in outcomes:
        click.echo(f"{outcome.slug}: {outcome.result.replace('_', ' ')} (edition {outcome.version})")


@content_group.command(
    "export", help="Write the published edition of SLUG (its draft when none is published) into DIR as content files."
)
@click.argument("slug")
@click.argument("directory", type=click.Path(path_type=Path))
def content_export(slug: str, directory: Path):
    from learning.courses.content_format import write_module
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


@click.group("gift", cls=AppGroup, help="Question banks in Moodle's GIFT format.")
def gift_group():
    pass


@gift_group.command("import", help="Add a GIFT file's questions to a new draft of a module (created if missing).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--module", "slug", required=True, help="The module's slug.")
@click.option("--language", required=True, type=click.Choice(["ja", "en"]), help="The language the GIFT text is in.")
def gift_import(file: Path, slug: str, language: str):
    from learning.courses.authoring import AuthoringError, import_gift

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        click.echo(f"{file}: not UTF-8 text", err=True)
        sys.exit(1)
    try:
        draft, added, result = import_gift(db(), slug, text, language, actor_id=None)
    except AuthoringError as refused:
        db().rollback()
        if refused.code == "gift_errors":
            for problem in refused.params["result"].errors:
                click.echo(f"{file}:{problem}", err=True)
            click.echo("nothing imported", err=True)
        else:
            click.echo(f"{slug}: {refused.code.replace('_', ' ')}", err=True)
        sys.exit(1)
    db().commit()
    for problem in result.skipped:
        click.echo(f"{file}:{problem} (skipped)")
    click.echo(f"{slug}: {len(added)} questions added to draft edition {draft.version}; {len(result.skipped)} skipped")


@gift_group.command("export", help="Write the question bank of a module's newest edition as GIFT.")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", default="ja", show_default=True, type=click.Choice(["ja", "en"]))
@click.option("--draft", is_flag=True, help="Export the draft in the works instead of the published edition.")
def gift_export(slug: str, file: Path, language: str, draft: bool):
    from learning.courses import gift
    from learning.courses.authoring import in_the_works
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


@click.group("demo", cls=AppGroup, help="Demo organisation and accounts (never in production).")
def demo_group():
    pass


@demo_group.command("seed", help="Create the demo organisation, accounts, campaigns and history (idempotent).")
@click.option("--employees", default=60, show_default=True, type=click.IntRange(10, 200000))
@click.option(
    "--periods", default=3, show_default=True, type=click.IntRange(1, 20), help="Yearly periods, the current one last."
)
def demo_seed(employees: int, periods: int):
    from learning.demo import seed

    if not _settings().demo:
        click.echo("demo data is disabled (LEARNING_DEMO is off or LEARNING_ENV=production)", err=True)
        sys.exit(1)
    summary = seed(db(), employees=employees, periods=periods, progress=_progress_line)
    db().commit()
    click.echo(summary)


def _progress_line(stage: str, done: int, total: int) -> None:
    """One line on a terminal, rewritten in place; the last figure of each stage stays."""
    if sys.stderr.isatty():
        click.echo(f"\r{stage}: {done:,} / {total:,}", nl=done >= total, err=True)


@demo_group.command("code", help="Print the current sign-in code of a privileged demo account.")
@click.argument("login_id")
def demo_code(login_id: str):
    from sqlalchemy import select

    from learning import clock
    from learning.accounts.models import User
    from learning.accounts.second_factor import current_code

    if not _settings().demo:
        click.echo("demo data is disabled (LEARNING_DEMO is off or LEARNING_ENV=production)", err=True)
        sys.exit(1)
    user = db().scalar(select(User).where(User.login_id == login_id.lower(), User.is_demo.is_(True)))
    if user is None or user.totp_secret is None:
        click.echo(f"'{login_id}' is not a privileged demo account", err=True)
        sys.exit(1)
    click.echo(current_code(user.totp_secret, clock.now()))


@click.group("audit", cls=AppGroup, help="The audit trail.")
def audit_group():
    pass


@audit_group.command("verify", help="Check the hash chain; name the first broken link.")
def audit_verify():
    from learning.audit.services import verify_chain

    checked, broken = verify_chain(db())
    if broken is not None:
        click.echo(f"audit chain broken at event {broken} (after {checked} intact events)", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {checked} events")


@click.group("org", cls=AppGroup, help="The department tree.")
def org_group():
    pass


@org_group.command("import", help="Load departments from CSV (code,name_ja,name_en,parent_code).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def org_import(file: Path, dry_run: bool):
    from learning.accounts.imports import apply_departments, plan_departments

    _run_import(
        file,
        dry_run,
        lambda data: plan_departments(db(), data)[0],
        lambda data, tick: apply_departments(db(), data, actor_id=None),
    )


@click.group("roster", cls=AppGroup, help="Employees from the HR roster.")
def roster_group():
    pass


@roster_group.command("import", help="Load employees from CSV (employee_no,name,email,department_code,status).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def roster_import(file: Path, dry_run: bool):
    from learning.accounts.imports import apply_roster, plan_roster

    _run_import(
        file,
        dry_run,
        lambda data: plan_roster(db(), data)[0],
        lambda data, tick: apply_roster(db(), data, actor_id=None, progress=tick, portal_url=_settings().portal_url),
    )


def _run_import(file: Path, dry_run: bool, plan, apply) -> None:
    """Shared by org and roster imports: size check, errors with line numbers, progress, summary."""
    from learning.accounts.hrfiles import MAX_BYTES, FileProblem, FileRejected

    if file.stat().st_size > MAX_BYTES:
        problem = FileProblem(0, None, "too_large", {"limit": MAX_BYTES // (1024 * 1024)})
        click.echo(f"{file}: {problem.english()}; nothing was written", err=True)
        sys.exit(1)
    data = file.read_bytes()
    try:
        planned = plan(data)
        if dry_run or planned.writes_nothing:
            result = planned
        else:
            total = sum(n for kind, n in planned.counts.items() if kind != "unchanged")
            with click.progressbar(length=total, label="applying", file=sys.stderr) as bar:
                result = apply(data, bar.update)
            db().commit()
    except FileRejected as exc:
        for problem in exc.problems:
            click.echo(f"{file}: {problem.english()}")
        click.echo(f"{len(exc.problems)} problem(s); nothing was written", err=True)
        sys.exit(1)
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts.items())
    if result.writes_nothing:
        click.echo(f"nothing to change ({counts})")
    else:
        click.echo(f"{'would change' if dry_run else 'applied'}: {counts}")


@click.group("jobs", cls=AppGroup, help="Time-driven work: run from cron or a systemd timer.")
def jobs_group():
    pass


@jobs_group.command(
    "run", help="Roll campaigns over, assign joiners and movers, lift expired exemptions, remind, send."
)
def jobs_run():
    from learning.campaigns.jobs import run_jobs

    run_jobs(db(), _settings(), report=lambda name, result: click.echo(f"{name}: {result}"))


@click.group("campaigns", cls=AppGroup, help="Training campaigns.")
def campaigns_group():
    pass


@campaigns_group.command("launch", help="Launch a draft campaign (or fill in what is missing of a running one).")
@click.argument("campaign_id", type=int)
def campaigns_launch(campaign_id: int):
    from learning.campaigns.models import Campaign
    from learning.campaigns.services import launch

    campaign = db().get(Campaign, campaign_id)
    if campaign is None or campaign.status == "closed":
        click.echo(f"no draft or running campaign with id {campaign_id}", err=True)
        sys.exit(1)
    modules = [cm for cm in campaign.modules if not cm.on_transfer]
    with click.progressbar(length=len(modules), label="assigning", file=sys.stderr) as bar:
        created = launch(db(), campaign, actor_id=None, progress=bar.update)
    db().commit()
    click.echo(f"launched: {created} assignments created")
