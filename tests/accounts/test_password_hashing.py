"""argon2id everywhere: the standard parameters in production, the cheapest ones for the test suite only."""

import pytest
from argon2 import Type, extract_parameters, profiles

from learning.accounts.passwords import hash_password, make_hasher, needs_rehash, verify_password
from learning.config import ConfigError, load_settings, password_hash_profile
from tests.conftest import production_env, sign_in
from tests.factories import _HASH, PASSWORD, make_user


def test_production_refuses_the_test_profile(tmp_path):
    env = production_env(tmp_path)
    assert load_settings(env).hash_profile == "standard"
    with pytest.raises(ConfigError, match="PASSWORD_HASH_PROFILE is 'test'"):
        load_settings({**env, "PASSWORD_HASH_PROFILE": "test"})


def test_an_unknown_profile_is_refused_everywhere(tmp_path):
    with pytest.raises(ConfigError, match="PASSWORD_HASH_PROFILE must be one of standard, strong, test"):
        load_settings({"INSTANCE_PATH": str(tmp_path), "PASSWORD_HASH_PROFILE": "fast"})


def test_every_profile_is_argon2id_and_only_the_test_one_is_cheap():
    standard = extract_parameters(make_hasher("standard").hash("x"))  # OWASP's Password Storage Cheat Sheet
    assert (standard.type, standard.time_cost, standard.memory_cost, standard.parallelism) == (Type.ID, 2, 19456, 1)
    assert extract_parameters(make_hasher("strong").hash("x")) == profiles.RFC_9106_LOW_MEMORY
    cheap = extract_parameters(make_hasher("test").hash("x"))
    assert (cheap.type, cheap.time_cost, cheap.memory_cost, cheap.parallelism) == (Type.ID, 1, 8, 1)


def test_the_suites_passwords_are_not_rehashed_at_every_sign_in():
    assert not needs_rehash(_HASH)
    assert not needs_rehash(hash_password(PASSWORD))


@pytest.fixture
def other_profile() -> str:
    return "standard" if password_hash_profile() == "test" else "test"


def test_sign_in_rehashes_a_hash_made_with_other_parameters_and_only_that(db, app, other_profile):
    old = make_hasher(other_profile).hash(PASSWORD)
    upgraded, current = make_user(db), make_user(db)
    upgraded.password_hash = old
    db.commit()
    for user in (upgraded, current):
        assert sign_in(app.test_client(), user.employee_no).status_code == 302
        db.refresh(user)
    assert upgraded.password_hash != old and not needs_rehash(upgraded.password_hash)
    assert verify_password(upgraded.password_hash, PASSWORD)
    assert current.password_hash == _HASH
