"""The core commands, `flask db upgrade` and `flask audit verify`; each room adds its own from its cli.py."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from learning import migrate
from learning.web import app_settings, db


def register(app) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(audit_group)


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group():
    pass


@db_group.command("upgrade", help="Apply every pending migration.")
def db_upgrade():
    migrate.upgrade(app_settings().database_url)
    click.echo("database is up to date")


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
