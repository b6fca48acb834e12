"""The core commands, `flask db upgrade`, `flask audit verify` and `flask audit head`; each room adds its own
from its cli.py."""

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


def _anchor(_ctx, _param, value):
    from learning.audit.services import Anchor

    if value is None:
        return None
    try:
        return Anchor.parse(value)
    except ValueError:
        raise click.BadParameter("expected EVENT_ID:HASH as printed by `flask audit head`") from None


@audit_group.command("verify", help="Check the hash chain; name the first broken link.")
@click.option(
    "--anchor",
    callback=_anchor,
    metavar="EVENT_ID:HASH",
    help="The head recorded earlier by `flask audit head`: also check that this event is still there, unchanged "
    "(a removed tail leaves a shorter chain that would otherwise verify).",
)
def audit_verify(anchor):
    from learning.audit.services import check_anchor, verify_chain

    checked, broken = verify_chain(db())
    if broken is not None:
        click.echo(f"audit chain broken at event {broken} (after {checked} intact events)", err=True)
        sys.exit(1)
    problem = check_anchor(db(), anchor) if anchor else None
    if problem == "missing":
        click.echo(
            f"audit trail shortened: the anchored event {anchor.event_id} is missing; the events from it on were "
            f"removed ({checked} events remain, and their chain is intact)",
            err=True,
        )
        sys.exit(1)
    if problem == "changed":
        click.echo(
            f"audit trail rewritten: event {anchor.event_id} no longer has the anchored hash {anchor.hash[:12]}…",
            err=True,
        )
        sys.exit(1)
    suffix = f", including the anchored event {anchor.event_id}" if anchor else ""
    click.echo(f"audit chain intact: {checked} events{suffix}")


@audit_group.command(
    "head", help="Print the newest event as EVENT_ID:HASH, to keep outside the database for `audit verify --anchor`."
)
def audit_head():
    from learning.audit.services import head

    anchor = head(db())
    if anchor is None:
        click.echo("the audit trail is empty: nothing to anchor yet", err=True)
        sys.exit(1)
    click.echo(str(anchor))
