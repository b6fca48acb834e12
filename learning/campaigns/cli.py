"""`flask jobs run` and `flask campaigns launch`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from learning.inputs import MAX_ID
from learning.web import app_settings, db, unit_of_work


def register(app) -> None:
    app.cli.add_command(jobs_group)
    app.cli.add_command(campaigns_group)


@click.group("jobs", cls=AppGroup, help="Time-driven work: run from cron or a systemd timer.")
def jobs_group():
    pass


@jobs_group.command(
    "run",
    help="Roll campaigns over, assign joiners and movers, lift expired exemptions, remind, send. "
    "Exit status 0: done; 1: a step failed (the others ran); 75: skipped, another run holds the lock.",
)
def jobs_run():
    from learning.campaigns.jobs import SKIPPED_STATUS, run_jobs

    run = run_jobs(
        db(),
        app_settings(),
        report=lambda name, result: click.echo(f"{name}: {result}"),
        extra_steps=current_app.extensions.get("jobs_steps", ()),
    )
    if run.skipped:
        click.echo("jobs run: skipped, another run is in progress (it holds the jobs lock)", err=True)
        sys.exit(SKIPPED_STATUS)
    if run.failed:
        click.echo(f"jobs run: failed steps: {', '.join(run.failed)} (the other steps ran)", err=True)
        sys.exit(1)


@click.group("campaigns", cls=AppGroup, help="Training campaigns.")
def campaigns_group():
    pass


@campaigns_group.command("launch", help="Launch a draft campaign (or fill in what is missing of a running one).")
@click.argument("campaign_id", type=click.IntRange(1, MAX_ID))
def campaigns_launch(campaign_id: int):
    from learning.campaigns.models import Campaign
    from learning.campaigns.services import launch

    campaign = db().get(Campaign, campaign_id)
    if campaign is None or campaign.status == "closed":
        click.echo(f"no draft or running campaign with id {campaign_id}", err=True)
        sys.exit(1)
    modules = [cm for cm in campaign.modules if not cm.on_transfer]
    with unit_of_work() as session, click.progressbar(length=len(modules), label="assigning", file=sys.stderr) as bar:
        created = launch(session, campaign, actor_id=None, progress=bar.update)
    click.echo(f"launched: {created} assignments created")
