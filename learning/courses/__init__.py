"""The library: modules, editions, sections, question bank; content file formats; Markdown rendering.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.courses import cli, rendering, search_feed
    from learning.courses.signals import edition_published
    from learning.courses.terms import TERMS
    from learning.courses.views import images, reading, terms
    from learning.search.index import register_source

    app.register_blueprint(images.bp)
    app.register_blueprint(reading.bp)
    register_source("section", search_feed.rebuild)
    edition_published.connect(search_feed.on_published)  # a module-level function: the weak reference holds
    app.register_blueprint(terms.bp)
    cli.register(app)
    # Content is shown through this filter everywhere ({{ edition.titles | content }}): the reader's
    # language with the organisation terms substituted. Editing forms keep the raw {{name}}.
    app.jinja_env.filters["content"] = rendering.shown
    app.add_template_global(rendering.request_terms, "organisation_terms")
    app.add_template_global(TERMS, "ORGANISATION_TERMS")
    app.add_template_global(rendering.term)
