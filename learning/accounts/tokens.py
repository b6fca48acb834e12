"""One-time secrets that let a person set a password: invitation links, reset links, reset codes.

At rest there is only a secret's SHA-256 (a random 256-bit link token, or an 80-bit code that also expires
within a day and whose guessing is throttled). Links are made when their email is sent (`link_makers`,
used by the outbox sender), so no outbox row, log or backup ever holds one. Issuing a secret withdraws the
person's older ones of the same purpose; using one is a single conditional UPDATE, so it works once even
when two tabs submit at the same moment.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import PasswordToken, User
from learning.notify.services import LinkMaker

VALID_FOR = {"invitation": timedelta(days=7), "reset": timedelta(hours=1), "code": timedelta(hours=24)}
LINK_PATHS = {"invitation": "welcome/", "reset": "reset/"}
# A code is read out or handed over on paper: no 0/O, 1/I/L; 16 characters in groups of four (80 bits).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalised_code(code: str) -> str:
    """A code as typed: full-width characters (the Japanese IME) folded, spaces and hyphens dropped, upper case."""
    folded = unicodedata.normalize("NFKC", code or "").upper()
    return "".join(ch for ch in folded if ch.isalnum())


def _issue(session: Session, user_id: int, purpose: str, secret: str, created_by_id: int | None) -> None:
    now = clock.now()
    session.execute(
        update(PasswordToken)
        .where(
            PasswordToken.user_id == user_id,
            PasswordToken.purpose == purpose,
            PasswordToken.used_at.is_(None),
            PasswordToken.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )
    session.add(
        PasswordToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=secret_hash(secret),
            expires_at=now + VALID_FOR[purpose],
            created_by_id=created_by_id,
        )
    )
    session.flush()


def issue_link_token(session: Session, user_id: int, purpose: str) -> str:
    """A new link token for `purpose` ("invitation" or "reset"); returns the raw token (for the email only)."""
    token = secrets.token_urlsafe(32)
    _issue(session, user_id, purpose, token, None)
    return token


def issue_code(session: Session, user_id: int, created_by_id: int) -> str:
    """A reset code for the admin to hand over in person, formatted ABCD-EFGH-…; shown once, kept as a hash."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    _issue(session, user_id, "code", code, created_by_id)
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def link_makers(portal_url: str) -> dict[str, LinkMaker]:
    """What the outbox sender calls to make each kind of one-time link as the email leaves."""

    def maker(purpose: str) -> LinkMaker:
        return lambda session, user_id: (
            f"{portal_url}{LINK_PATHS[purpose]}{issue_link_token(session, user_id, purpose)}"
        )

    return {purpose: maker(purpose) for purpose in LINK_PATHS}


def _usable(session: Session, token_hash: str, purposes: tuple[str, ...], user_id: int | None = None):
    query = select(PasswordToken).where(
        PasswordToken.token_hash == token_hash,
        PasswordToken.purpose.in_(purposes),
        PasswordToken.used_at.is_(None),
        PasswordToken.withdrawn_at.is_(None),
        PasswordToken.expires_at > clock.now(),
    )
    if user_id is not None:
        query = query.where(PasswordToken.user_id == user_id)
    return session.scalar(query)


def holder(session: Session, secret: str, purposes: tuple[str, ...], user_id: int | None = None) -> User | None:
    """The active person an unused, unexpired, not withdrawn secret belongs to."""
    found = _usable(session, secret_hash(secret), purposes, user_id)
    if found is None:
        return None
    user = session.get(User, found.user_id)
    return user if user is not None and user.status == "active" else None


def use(session: Session, secret: str, purposes: tuple[str, ...]) -> PasswordToken | None:
    """Spends the secret: the one UPDATE that can succeed only once. Returns its row, or None."""
    now = clock.now()
    token_hash = secret_hash(secret)
    spent = session.execute(
        update(PasswordToken)
        .where(
            PasswordToken.token_hash == token_hash,
            PasswordToken.purpose.in_(purposes),
            PasswordToken.used_at.is_(None),
            PasswordToken.withdrawn_at.is_(None),
            PasswordToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        return None
    return session.scalar(select(PasswordToken).where(PasswordToken.token_hash == token_hash))
