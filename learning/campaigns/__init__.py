"""Campaigns, audiences, periods, rollover, joiners and movers, exemptions, reminders, `jobs run`.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.accounts.signals import people_left
    from learning.campaigns import cli, pages, pledge_assignments, rendering, services, transfers
    from learning.campaigns.views import campaigns, exemptions, lifecycle, pledges, staff_reminders
    from learning.pledges.signals import pledge_signed
    from learning.training import sources

    app.register_blueprint(campaigns.bp)
    app.register_blueprint(lifecycle.bp)
    sources.register(services.campaign_names)  # training names an assignment's campaign without importing us
    sources.register_explainer(transfers.moves_behind)  # the move behind a transfer rule's assignment
    app.register_blueprint(exemptions.bp)
    app.register_blueprint(staff_reminders.bp)
    app.register_blueprint(pledges.bp)
    pledge_signed.connect(pledge_assignments.on_signed)  # a signature completes the pledge assignments it fulfils
    people_left.connect(pledge_assignments.withdraw_for_leavers)
    app.jinja_env.globals.update(rendering.GLOBALS)
    cli.register(app)
    app.jinja_env.globals["amendment_label"] = pages.amendment_label
