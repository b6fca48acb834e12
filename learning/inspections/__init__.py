"""Self-inspection checklists (自主点検): templates authored by compliance in both languages, versioned and
published through four eyes; the starter template shipped in content/inspections/.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.inspections import cli
    from learning.inspections.views import deputies, manage, rounds

    app.register_blueprint(manage.bp)
    app.register_blueprint(rounds.bp)
    app.register_blueprint(deputies.bp)
    cli.register(app)
    # A `jobs run` step (campaigns/jobs.py runs the registered steps): open periods, remind, escalate.
    app.extensions.setdefault("jobs_steps", []).append(("inspection rounds", _jobs_step))


def _jobs_step(session, settings) -> int:
    from learning.inspections.rounds import remind_and_escalate

    return remind_and_escalate(session, settings.portal_url)
