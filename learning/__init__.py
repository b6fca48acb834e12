"""The Conduct Rules Portal: create_app() wires settings, extensions, rooms and commands."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from learning import i18n, web
from learning.config import Settings, load_settings

csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(settings: Settings | None = None) -> Flask:
    """The application; settings default to the environment (see README's configuration table)."""
    settings = settings or load_settings()
    app = Flask(__name__, instance_path=str(settings.instance_path))
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
    web.init_upload_limits(app)  # before the CSRF check, which parses the body
    csrf.init_app(app)
    _init_login(app)
    web.init_app(app)
    _register_rooms(app)
    _register_commands(app)
    return app


def _init_login(app: Flask) -> None:
    from learning.accounts.services import load_user

    login_manager.init_app(app)
    login_manager.session_protection = None  # revocation is by session version, not by IP/UA hash

    @login_manager.user_loader
    def _load(token: str):
        return load_user(web.db(), token)


def _register_rooms(app: Flask) -> None:
    from learning.accounts.admin import bp as admin
    from learning.accounts.views import bp as accounts
    from learning.audit.views import bp as audit
    from learning.campaigns.views import bp as campaigns
    from learning.courses import editor as _editor  # noqa: F401 - registers the trainer's routes
    from learning.courses import library as _library  # noqa: F401
    from learning.courses import questions as _questions  # noqa: F401
    from learning.courses.views import bp as courses
    from learning.desk import inbox as _desk_inbox  # noqa: F401 - registers the desk's own routes
    from learning.desk.views import bp as desk
    from learning.portal.views import bp as portal
    from learning.quizzes.views import bp as quizzes
    from learning.reports.views import bp as reports
    from learning.training.views import bp as training

    for blueprint in (accounts, admin, audit, courses, training, quizzes, campaigns, desk, reports, portal):
        app.register_blueprint(blueprint)
    from learning.authz import public

    public(app.view_functions["static"])


def _register_commands(app: Flask) -> None:
    from learning.cli import register

    register(app)


PROJECT_ROOT = Path(__file__).resolve().parent.parent
