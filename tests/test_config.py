"""Production refuses to start with unsafe settings, and says which one."""

import pytest

from learning.config import ConfigError, load_settings

STRONG = "Zq8w-Xy3vB7nM2kL9pR4tS6uV1aC5dE0fG_hJ"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "a" * 64}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": STRONG, "FLASK_DEBUG": "1"}, "FLASK_DEBUG is on"),
        ({"SECRET_KEY": STRONG, "LEARNING_DEMO": "1"}, "LEARNING_DEMO is on"),
        ({"SECRET_KEY": STRONG, "SESSION_IDLE_MINUTES": "ten"}, "SESSION_IDLE_MINUTES must be a whole number"),
    ],
)
def test_production_refuses_unsafe_settings(env, named, tmp_path):
    with pytest.raises(ConfigError, match=named):
        load_settings({"LEARNING_ENV": "production", "INSTANCE_PATH": str(tmp_path), **env})


def test_production_with_safe_settings(tmp_path):
    settings = load_settings(
        {
            "LEARNING_ENV": "production",
            "SECRET_KEY": STRONG,
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": "postgresql+psycopg://u@db/portal",
        }
    )
    assert (settings.env, settings.demo, settings.debug) == ("production", False, False)
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_a_secret_once_into_instance(tmp_path):
    first = load_settings({"INSTANCE_PATH": str(tmp_path)})
    second = load_settings({"INSTANCE_PATH": str(tmp_path)})
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'learning.db'}"
    assert first.demo is True
