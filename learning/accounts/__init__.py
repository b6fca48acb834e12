"""People, departments and their tree, role grants, sign-in, second factor, HR imports, the admin pages.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.accounts import cli, pages
    from learning.accounts.views import access, admin, recovery, signin, sso

    app.register_blueprint(signin.bp)
    app.register_blueprint(sso.bp)
    app.register_blueprint(recovery.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(access.bp)
    cli.register(app)
    app.jinja_env.filters["account_label"] = pages.label
