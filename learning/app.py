"""create_app(): settings, extensions, the request pipeline, then every room's init_app in layer order."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from learning import i18n, web
from learning.config import Settings, load_settings
from learning.web.flask_app import PortalFlask

csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(settings: Settings | None = None) -> Flask:
    """The application; settings default to the environment (see README's configuration table)."""
    settings = settings or load_settings()
    app = PortalFlask("learning", instance_path=str(settings.instance_path))
    production = settings.env == "production"
    app.config.update(
        SECRET_KEY=settings.secret_key,
        DEBUG=settings.debug,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        SESSION_COOKIE_NAME="__Host-portal" if production else "portal",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_DURATION=0,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which has its own limits
        PORTAL_URL=settings.portal_url,
    )
    app.extensions["settings"] = settings
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count, x_host=settings.proxy_count
        )
    web.init_db(app, settings.database_url)
    i18n.init_app(app)
    web.init_app(app)  # request id, upload limit and control characters come before the CSRF check
    csrf.init_app(app)
    _init_login(app)
    web.init_after_csrf(app)
    _register_rooms(app)
    return app


def _init_login(app: Flask) -> None:
    from learning.accounts.services import load_user

    login_manager.init_app(app)
    login_manager.session_protection = None  # revocation is by session version, not by IP/UA hash

    @login_manager.user_loader
    def _load(token: str):
        return load_user(web.db(), token)


# Bottom to top, as the layers in pyproject.toml: a room may rely on what a lower one has registered.
ROOMS = (
    "audit",
    "notify",
    "accounts",
    "search",
    "courses",
    "authoring",
    "training",
    "quizzes",
    "campaigns",
    "desk",
    "announcements",
    "inspections",
    "pledges",
    "rules",
    "reports",
    "portal",
    "demo",
)


def _register_rooms(app: Flask) -> None:
    from importlib import import_module

    from learning import cli

    cli.register(app)
    for room in ROOMS:
        import_module(f"learning.{room}").init_app(app)
