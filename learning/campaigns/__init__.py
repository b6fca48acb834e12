"""Campaigns, audiences, periods, rollover, joiners and movers, exemptions, reminders, `jobs run`.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.campaigns import bulk_views, cli, rendering, services, transfers, views
    from learning.training import sources

    app.register_blueprint(views.bp)
    sources.register(services.campaign_names)  # training names an assignment's campaign without importing us
    sources.register_explainer(transfers.moves_behind)  # the move behind a transfer rule's assignment
    app.register_blueprint(bulk_views.bp)
    app.jinja_env.globals.update(rendering.GLOBALS)
    cli.register(app)
    app.jinja_env.globals["amendment_label"] = views.amendment_label
