"""Assignments and a learner's way through one: reading, attestation, certificates, re-attestation.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.accounts.signals import people_left
    from learning.courses.signals import edition_published
    from learning.training import pages, reattest, services, views

    app.register_blueprint(views.bp)
    app.context_processor(pages.due_banner)
    edition_published.connect(reattest.on_published)  # a module-level function: the weak reference holds
    people_left.connect(services.withdraw_for_leavers)
