"""`flask demo …`: the demo organisation and the demo accounts' second-factor codes."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from learning.web import app_settings, db, unit_of_work


def register(app) -> None:
    app.cli.add_command(demo_group)


@click.group("demo", cls=AppGroup, help="Demo organisation and accounts (never in production).")
def demo_group():
    pass


@demo_group.command("seed", help="Create the demo organisation, accounts, campaigns and history (idempotent).")
@click.option("--employees", default=60, show_default=True, type=click.IntRange(10, 200000))
@click.option(
    "--periods", default=3, show_default=True, type=click.IntRange(1, 20), help="Yearly periods, the current one last."
)
def demo_seed(employees: int, periods: int):
    from learning.demo.organisation import seed

    if not app_settings().demo:
        click.echo("demo data is disabled (LEARNING_DEMO is off or LEARNING_ENV=production)", err=True)
        sys.exit(1)
    with unit_of_work() as session:
        summary = seed(session, employees=employees, periods=periods, progress=_progress_line)
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

    if not app_settings().demo:
        click.echo("demo data is disabled (LEARNING_DEMO is off or LEARNING_ENV=production)", err=True)
        sys.exit(1)
    user = db().scalar(select(User).where(User.login_id == login_id.lower(), User.is_demo.is_(True)))
    if user is None or user.totp_secret is None:
        click.echo(f"'{login_id}' is not a privileged demo account", err=True)
        sys.exit(1)
    click.echo(current_code(user.totp_secret, clock.now()))
