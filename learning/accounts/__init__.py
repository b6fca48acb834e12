"""People, departments and their tree, role grants, sign-in, second factor, HR imports, the admin pages.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.accounts import cli, pages
    from learning.accounts.views import access, admin, contractor_moves, contractors, recovery, signin, sso

    app.register_blueprint(signin.bp)
    app.register_blueprint(sso.bp)
    app.register_blueprint(recovery.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(access.bp)
    app.register_blueprint(contractors.bp)
    app.register_blueprint(contractor_moves.bp)
    cli.register(app)
    app.jinja_env.filters["account_label"] = pages.label
    # A `jobs run` step (campaigns/jobs.py runs the registered steps): contracts ending in 30 days warn.
    app.extensions.setdefault("jobs_steps", []).append(("contract end warnings", _contract_end_warnings))


def _contract_end_warnings(session, settings) -> int:
    from learning.accounts.contract_ends import warn

    return warn(session, settings.portal_url)
