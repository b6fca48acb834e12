"""Drafts, review with four eyes, diffs and publishing; the Library, the editor and the question bank pages.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.authoring import cli
    from learning.authoring.views import editor, library, questions

    for blueprint in (library.bp, editor.bp, questions.bp):
        app.register_blueprint(blueprint)
    cli.register(app)
