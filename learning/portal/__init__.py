"""The home page, the status API, health, and the desktop entry files.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from flask_login import current_user

    from learning.portal import notices, views
    from learning.web import db

    app.register_blueprint(views.bp)
    # The home page's notices (portal/_notices.html), read when the page is drawn.
    app.add_template_global(lambda: notices.gather(db(), current_user), "home_notices")
