"""The library: modules, editions, sections, question bank; content file formats; Markdown rendering.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.courses import cli, views

    app.register_blueprint(views.bp)
    cli.register(app)
