"""Settings from the environment, checked at start-up; production refuses weak ones."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRUE_WORDS = {"1", "true", "yes", "on"}
MIN_SECRET_LENGTH = 32
# `standard`: argon2id as RFC 9106 recommends; `test`: the cheapest argon2id, for the test suite only.
PASSWORD_HASH_PROFILES = ("standard", "test")


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names it."""


def _flag(env: dict, name: str, default: bool = False) -> bool:
    value = env.get(name)
    return default if value is None else value.strip().lower() in TRUE_WORDS


def _int(env: dict, name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def _instance_path(env: Mapping[str, str], default: Path | None = None) -> Path:
    return Path(env.get("INSTANCE_PATH") or default or PROJECT_ROOT / "instance")


def database_url(env: Mapping[str, str] | None = None, instance: Path | None = None) -> str:
    """DATABASE_URL, else the SQLite file in the instance folder; needs no other setting (for Alembic)."""
    env = os.environ if env is None else env
    return env.get("DATABASE_URL") or f"sqlite:///{(instance or _instance_path(env)) / 'learning.db'}"


def password_hash_profile(env: Mapping[str, str] | None = None) -> str:
    """PASSWORD_HASH_PROFILE, read by the password hasher when it is made (learning/accounts/passwords.py)."""
    env = os.environ if env is None else env
    value = (env.get("PASSWORD_HASH_PROFILE") or "standard").strip().lower()
    if value not in PASSWORD_HASH_PROFILES:
        raise ConfigError(f"PASSWORD_HASH_PROFILE must be one of {', '.join(PASSWORD_HASH_PROFILES)}, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str
    debug: bool
    demo: bool
    portal_url: str
    instance_path: Path
    idle_minutes: int
    absolute_hours: int
    max_password_age_days: int
    proxy_count: int
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "conduct-rules-portal@localhost"
    hash_profile: str = "standard"  # PASSWORD_HASH_PROFILE


def load_settings(env: dict | None = None, instance_path: Path | None = None) -> Settings:
    """Reads settings; in production raises ConfigError naming the first unsafe setting."""
    env = dict(os.environ if env is None else env)
    instance = _instance_path(env, instance_path)
    production = env.get("LEARNING_ENV", "development").strip().lower() == "production"
    settings = Settings(
        env="production" if production else "development",
        database_url=database_url(env, instance),
        secret_key=env.get("SECRET_KEY") or ("" if production else _local_secret(instance)),
        debug=_flag(env, "FLASK_DEBUG"),
        demo=_flag(env, "LEARNING_DEMO", default=not production),
        portal_url=(env.get("PORTAL_URL") or "http://127.0.0.1:5000/").rstrip("/") + "/",
        instance_path=instance,
        idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 30),
        absolute_hours=_int(env, "SESSION_ABSOLUTE_HOURS", 12),
        max_password_age_days=_int(env, "MAX_PASSWORD_AGE_DAYS", 0),
        proxy_count=_int(env, "PROXY_COUNT", 0),
        smtp_host=env.get("SMTP_HOST") or None,
        smtp_port=_int(env, "SMTP_PORT", 25),
        smtp_user=env.get("SMTP_USER") or None,
        smtp_password=env.get("SMTP_PASSWORD") or None,
        smtp_starttls=_flag(env, "SMTP_STARTTLS"),
        mail_from=env.get("MAIL_FROM") or "conduct-rules-portal@localhost",
        hash_profile=password_hash_profile(env),
    )
    if production:
        _refuse_unsafe(settings)
    return settings


def _refuse_unsafe(settings: Settings) -> None:
    key = settings.secret_key
    if not key:
        raise ConfigError("SECRET_KEY is not set; production needs a random secret of at least 32 characters")
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < 10:
        raise ConfigError(
            "SECRET_KEY is too weak; use at least 32 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if settings.debug:
        raise ConfigError("FLASK_DEBUG is on; production must run with debug off")
    if settings.demo:
        raise ConfigError("LEARNING_DEMO is on; production must not serve demo data or demo accounts")
    if settings.hash_profile != "standard":
        raise ConfigError(
            f"PASSWORD_HASH_PROFILE is {settings.hash_profile!r}; production must hash passwords "
            "with the standard argon2id parameters (leave it unset)"
        )


def _local_secret(instance: Path) -> str:
    """A random key generated once into instance/ so that local sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
