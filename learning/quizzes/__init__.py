"""Quiz attempts: drawing, grading (pure), results.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.quizzes import saving, views
    from learning.training import progress

    app.register_blueprint(views.bp)
    # Training's "continue where you left off", below this room, finds open attempts through this.
    progress.register_open_attempts(saving.open_attempts)
    # Training's module page, below this room, shows what to reread after a failed attempt through this.
    app.add_template_global(views.missed_sections)
