"""Password hashing (argon2id) and the NIST 800-63B policy: length, breached list, no own login ID."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from learning.config import password_hash_profile

MIN_LENGTH = 12
MAX_LENGTH = 128


# OWASP's Password Storage Cheat Sheet's argon2id configuration (19 MiB, 2 passes, 1 lane): sign-ins come in
# waves in the deadline week, and each hash is memory and CPU the whole server shares; RFC 9106's second
# recommendation (64 MiB, 3 passes, 4 lanes) costs about five times as much per sign-in (README, "Under load").
OWASP = dataclasses.replace(profiles.RFC_9106_LOW_MEMORY, time_cost=2, memory_cost=19456, parallelism=1)


def make_hasher(profile: str) -> PasswordHasher:
    """argon2id: OWASP's parameters (standard), RFC 9106's second recommendation (strong), or for the test suite
    the least argon2 allows.

    Production refuses the test profile (learning/config.py). A hash made with other parameters than the
    hasher's verifies all the same and is rehashed at the next sign-in (needs_rehash).
    """
    if profile == "test":
        return PasswordHasher.from_parameters(dataclasses.replace(OWASP, time_cost=1, memory_cost=8))
    if profile == "strong":
        return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
    return PasswordHasher.from_parameters(OWASP)


_hasher = make_hasher(password_hash_profile())
# Verified against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends one argon2 verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, identifiers: tuple[str, ...] = ()) -> list[str]:
    """Reasons (message ids) a new password is refused; empty when acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_LENGTH:
        problems.append("too_long")
    if password.lower() in _common_passwords():
        problems.append("common")
    lowered = password.lower()
    if any(ident and len(ident) >= 3 and ident.lower() in lowered for ident in identifiers):
        problems.append("contains_id")
    return problems
