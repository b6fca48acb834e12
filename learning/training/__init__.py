"""Assignments and a learner's way through one: reading, attestation, certificates, re-attestation.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.courses.signals import edition_published
    from learning.training import pages, reattest, views

    app.register_blueprint(views.bp)
    app.context_processor(pages.due_banner)
    edition_published.connect(reattest.on_published)  # a module-level function: the weak reference holds
