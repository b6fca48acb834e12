"""People, departments and their tree, role grants, sign-in, second factor, HR imports, the admin pages.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.accounts import cli
    from learning.accounts.views import admin, signin

    app.register_blueprint(signin.bp)
    app.register_blueprint(admin.bp)
    cli.register(app)
