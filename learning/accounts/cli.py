"""`flask org import` and `flask roster import`: the organisation from HR files; `flask access bootstrap`:
the first administrator or compliance officer, while nobody could approve a grant."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from learning.web import db, unit_of_work


def register(app) -> None:
    app.cli.add_command(org_group)
    app.cli.add_command(roster_group)
    app.cli.add_command(access_group)


@click.group("access", cls=AppGroup, help="Roles that nobody could approve yet.")
def access_group():
    pass


@access_group.command(
    "bootstrap",
    help="Give the first administrator (or compliance officer) their role. Refused once anyone holds "
    "admin or compliance: from then on every privileged grant needs a second person's approval.",
)
@click.argument("employee_no")
@click.option("--role", type=click.Choice(["admin", "compliance"]), default="admin", show_default=True)
def access_bootstrap(employee_no: str, role: str):
    from sqlalchemy import select

    from learning.accounts.errors import AccountError
    from learning.accounts.grants import bootstrap_grant
    from learning.accounts.models import User

    with unit_of_work() as session:
        user = session.scalar(select(User).where(User.employee_no == employee_no))
        if user is None:
            click.echo(f"no one has the employee number {employee_no}", err=True)
            sys.exit(1)
        try:
            bootstrap_grant(session, user, role)
        except AccountError:
            click.echo(
                "refused: someone already holds admin or compliance; ask them to grant the role "
                "(it then needs a second person's approval)",
                err=True,
            )
            sys.exit(1)
    click.echo(f"{employee_no} now holds {role}; they enrol a second factor at their next sign-in")


@click.group("org", cls=AppGroup, help="The department tree.")
def org_group():
    pass


@org_group.command("import", help="Load departments from CSV (code,name_ja,name_en,parent_code,status,merged_into).")
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


@roster_group.command(
    "import", help="Load employees from CSV (employee_no,name,email,department_code,status,name_kana)."
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def roster_import(file: Path, dry_run: bool):
    from learning.accounts.imports import apply_roster, plan_roster

    _run_import(
        file,
        dry_run,
        lambda data: plan_roster(db(), data)[0],
        lambda data, tick: apply_roster(db(), data, actor_id=None, progress=tick, invite_joiners=True),
    )


def _run_import(file: Path, dry_run: bool, plan, apply) -> None:
    """Shared by org and roster imports: size check, errors with line numbers, progress, summary."""
    from learning.accounts.hrfiles import MAX_BYTES, FileProblem, FileRejected

    if file.stat().st_size > MAX_BYTES:
        problem = FileProblem(0, None, "too_large", {"limit": MAX_BYTES // (1024 * 1024)})
        click.echo(f"{file}: {problem.english()} Nothing was written.", err=True)
        sys.exit(1)
    data = file.read_bytes()
    try:
        planned = plan(data)
        if dry_run or planned.writes_nothing:
            result = planned
        else:
            total = sum(n for kind, n in planned.counts.items() if kind != "unchanged")
            with unit_of_work(), click.progressbar(length=total, label="applying", file=sys.stderr) as bar:
                result = apply(data, bar.update)
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
