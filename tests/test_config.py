"""Production refuses to start with unsafe settings, and says which one and how to fix it."""

import base64
import random
import secrets
import socket
import string
import uuid

import pytest

from learning.config import MIN_SECRET_BITS, ConfigError, load_settings, secret_strength
from tests.conftest import production_env

FORTY_DIGITS = "8302917465120394857601928374650192837465"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short"}, r"SECRET_KEY is too short \(5 characters, at least 32\)"),
        ({"SECRET_KEY": secrets.token_urlsafe(23)}, "SECRET_KEY is too short"),
        ({"SECRET_KEY": FORTY_DIGITS}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "a" * 64}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "abc" * 20}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "0123456789abcdef" * 4}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": string.ascii_letters + string.digits}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": str(uuid.uuid4())}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": secrets.token_hex(16)}, "SECRET_KEY is too weak"),
        ({"DATABASE_URL": None}, "DATABASE_URL is not set; production needs its database named"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is not set"),
        ({"FLASK_DEBUG": "1"}, "FLASK_DEBUG is on"),
        ({"PORTAL_URL": None}, "PORTAL_URL is not set; production needs the address people open the portal at"),
        ({"PORTAL_URL": None, "PORT": "8080"}, "PORTAL_URL is not set"),
        ({"LEARNING_DEMO": "1"}, "LEARNING_DEMO is on"),
        ({"PASSWORD_HASH_PROFILE": "test"}, "PASSWORD_HASH_PROFILE is 'test'"),
        ({"SESSION_IDLE_MINUTES": "ten"}, "SESSION_IDLE_MINUTES must be a whole number"),
    ],
)
def test_production_refuses_unsafe_settings(overrides, named, tmp_path):
    with pytest.raises(ConfigError, match=named):
        load_settings(production_env(tmp_path, **overrides))


def test_a_weak_key_is_told_how_to_make_a_good_one(tmp_path):
    with pytest.raises(ConfigError) as refused:
        load_settings(production_env(tmp_path, SECRET_KEY=FORTY_DIGITS))
    assert "bits by estimate, 160 needed" in str(refused.value)
    assert "secrets.token_urlsafe(48)" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_no_key_of_digits_only_up_to_48_passes_whatever_the_digits():
    """Digits hold log2(10) bits each at most: 48 of them stay under the bar, however they are arranged."""
    draw = random.Random(12)
    for length in range(32, 49):
        for _ in range(50):
            key = "".join(draw.choice(string.digits) for _ in range(length))
            assert secret_strength(key) < MIN_SECRET_BITS, key
    balanced = "".join(draw.sample(string.digits * 4, 40))  # every digit four times: the most a 40 can read
    assert 132 < secret_strength(balanced) < 133


# The standard generators' encodings of random bytes (what secrets.token_* and `openssl rand` print), drawn from
# a generator seeded per case: the same 2,000 keys on every run, so that the check cannot fail by chance.
GENERATORS = {
    "token_urlsafe(48)": (48, lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()),
    "token_urlsafe()": (32, lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()),
    "token_hex(32)": (32, bytes.hex),
    "base64 of 32 bytes": (32, lambda raw: base64.b64encode(raw).decode()),  # openssl rand -base64 32
}


@pytest.mark.parametrize("name", GENERATORS)
def test_the_standard_generators_keys_are_accepted(name, tmp_path):
    size, encode = GENERATORS[name]
    draw = random.Random(name)
    weakest = min(secret_strength(encode(draw.randbytes(size))) for _ in range(2000))
    assert weakest >= MIN_SECRET_BITS + 20  # a margin: in 20,000 draws of each the weakest read 184 or more
    assert load_settings(production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(48))).secret_key


def test_production_with_safe_settings(tmp_path):
    settings = load_settings(production_env(tmp_path, DATABASE_URL="postgresql+psycopg://u@db/portal"))
    assert (settings.env, settings.demo, settings.debug) == ("production", False, False)
    assert settings.database_url == "postgresql+psycopg://u@db/portal"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_runs_on_sqlite_only_when_told_to(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    assert load_settings(production_env(tmp_path, DATABASE_URL=url)).database_url == url


def test_development_generates_a_secret_once_into_instance(tmp_path):
    first = load_settings({"INSTANCE_PATH": str(tmp_path)})
    second = load_settings({"INSTANCE_PATH": str(tmp_path)})
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'learning.db'}"
    assert first.demo is True


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({}, "http://127.0.0.1:5000/"),
        ({"PORT": "8080"}, "http://127.0.0.1:8080/"),
        ({"HOST": "10.1.2.3", "PORT": "8443"}, "http://10.1.2.3:8443/"),
        ({"HOST": "::1", "PORT": "8080"}, "http://[::1]:8080/"),
        ({"PORT": "8080", "PORTAL_URL": "https://portal.example.intra"}, "https://portal.example.intra/"),
    ],
)
def test_the_portal_url_follows_where_the_app_listens(env, url, tmp_path):
    """Invitation links and desktop shortcuts point where `python app.py` listens unless PORTAL_URL says."""
    assert load_settings({"INSTANCE_PATH": str(tmp_path), **env}).portal_url == url


def test_a_wildcard_host_is_named_by_the_machine(tmp_path):
    url = load_settings({"INSTANCE_PATH": str(tmp_path), "HOST": "0.0.0.0", "PORT": "8080"}).portal_url  # noqa: S104
    assert url == f"http://{socket.getfqdn()}:8080/"
