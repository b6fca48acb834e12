"""The rules library: the group's regulation, guidelines, manuals and contact lists in dated versions.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.courses import rule_links
    from learning.rules import search_feed
    from learning.rules.views import managing, reading
    from learning.search import index

    index.register_source(search_feed.KIND, search_feed.rebuild)

    app.register_blueprint(reading.bp)
    app.register_blueprint(managing.bp)
    rule_links.register(_known_slugs)


def _known_slugs(slugs: set[str]) -> set[str] | None:
    """The content check's lookup: which slugs name a document, read in the app's database when there is an
    app at hand (a `flask content check`), else None (not checked)."""
    from flask import has_app_context

    from learning.rules import services
    from learning.web import db

    if not has_app_context():
        return None
    return services.known_slugs(db(), slugs)
