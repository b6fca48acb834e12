"""The request pipeline every room's views run in: the request's session and its one commit point,
security events, bad input, permission checks, headers and error pages. docs/architecture.md has the
order; the names below are what views and commands use."""

from learning.inputs import id_arg
from learning.web.assets import (
    asset_response,
    asset_view,
    content_fingerprint,
    serve_file,
    serves_asset,
    versioned,
)
from learning.web.database import db, init_db, refused, unit_of_work
from learning.web.once import creates_once
from learning.web.pipeline import accepts_upload, app_settings, local_next, resumable
from learning.web.responses import explain, fail, translated, wants_json
from learning.web.security import refuse, security_event

__all__ = [
    "accepts_upload",
    "app_settings",
    "asset_response",
    "asset_view",
    "content_fingerprint",
    "creates_once",
    "db",
    "explain",
    "fail",
    "id_arg",
    "init_db",
    "local_next",
    "refuse",
    "refused",
    "resumable",
    "security_event",
    "serve_file",
    "serves_asset",
    "translated",
    "unit_of_work",
    "versioned",
    "wants_json",
]


def init_app(app) -> None:
    """Before CSRF: request id, upload limit, control characters. After: lifetime, permission, headers.
    The static files' view and their fingerprinted URLs (assets.py)."""
    from learning.web import assets, errors, navigation, once, pipeline, views

    assets.init_app(app)
    pipeline.init_app(app)
    errors.init_app(app)
    app.add_template_global(once.once_field)
    app.add_template_global(pipeline.idle_seconds)
    app.add_template_global(navigation.navigation)
    app.register_blueprint(views.bp)


def init_after_csrf(app) -> None:
    from learning.web import heavy, pipeline

    pipeline.init_after_csrf(app)
    heavy.init_app(app)  # after the permission check
