"""Campaigns, audiences, periods, rollover, joiners and movers, exemptions, reminders, `jobs run`.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.campaigns import cli, pages, rendering, services, transfers
    from learning.campaigns.views import campaigns, exemptions, lifecycle, staff_reminders
    from learning.training import sources

    app.register_blueprint(campaigns.bp)
    app.register_blueprint(lifecycle.bp)
    sources.register(services.campaign_names)  # training names an assignment's campaign without importing us
    sources.register_explainer(transfers.moves_behind)  # the move behind a transfer rule's assignment
    app.register_blueprint(exemptions.bp)
    app.register_blueprint(staff_reminders.bp)
    app.jinja_env.globals.update(rendering.GLOBALS)
    cli.register(app)
    app.jinja_env.globals["amendment_label"] = pages.amendment_label
