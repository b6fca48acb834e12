"""The home page, the status API, health, and the desktop entry files.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.portal import views

    app.register_blueprint(views.bp)
