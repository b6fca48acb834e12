"""The outbox and its SMTP sender: emails written in the same transaction as the decision, sent once.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    return  # nothing to register: services write the outbox and `jobs run` sends it
