"""Yearly pledges (誓約書): compliance writes a pledge in both languages (numbered clauses, declarations that
need a yes/no answer), published through four eyes in versions; a person signs a published version by
re-entering their password; a "no" or a refusal opens a case for compliance.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.pledges.views import manage, sign

    app.register_blueprint(manage.bp)
    app.register_blueprint(sign.bp)
