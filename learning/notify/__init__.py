"""The outbox and its SMTP sender: emails written in the same transaction as the decision, sent once.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    """The outbox's labels for pages (services write the outbox and `jobs run` sends it)."""
    from flask_babel import gettext

    from learning.notify.texts import KIND_LABELS, STATUS_LABELS

    tables = {"kind": KIND_LABELS, "status": STATUS_LABELS}
    app.jinja_env.globals["outbox_label"] = lambda code, table: (
        gettext(tables[table][code]) if code in tables[table] else code
    )
