"""The demo organisation and its generated history, with bulk loading; outside the core.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.demo import cli

    cli.register(app)
