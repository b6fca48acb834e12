"""Quiz attempts: drawing, grading (pure), results.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.quizzes import views

    app.register_blueprint(views.bp)
