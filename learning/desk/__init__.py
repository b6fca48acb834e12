"""Questions to the conduct-rule desk (named or anonymous), the inbox, the FAQ.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    import logging

    from learning.desk import search_feed
    from learning.desk.access_log import NoAccessLogForAsking
    from learning.desk.services import MAX_LENGTH
    from learning.desk.views import asking, inbox
    from learning.search.index import register_source

    app.register_blueprint(asking.bp)
    app.register_blueprint(inbox.bp)
    register_source("faq", search_feed.rebuild)
    app.add_template_global(asking.faq_for_section)
    app.add_template_global(MAX_LENGTH, "desk_max_length")
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, NoAccessLogForAsking) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(NoAccessLogForAsking())
