"""One search over what the portal publishes: module sections, FAQ entries, rules documents, notices.

The index and its registry of sources (`index.py`), reading it within what the reader may see
(`services.py`), the normalisation and excerpts (`text.py`), the results page and `flask search reindex`.
Importing this package loads nothing; `init_app(app)` registers the page and the command.
"""


def init_app(app) -> None:
    from learning.search import cli
    from learning.search.views import bp

    app.register_blueprint(bp)
    cli.register(app)
