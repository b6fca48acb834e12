"""Invitations: a joiner gets an email with a one-time link (valid 7 days) to set their own password.

Accounts created from the roster have no password until then; nobody else ever knows it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import PasswordToken, User
from learning.accounts.passwords import password_problems
from learning.accounts.services import set_password
from learning.audit.services import record
from learning.notify.services import Mail, enqueue
from learning.notify.texts import t

VALID_FOR = timedelta(days=7)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: Session, users: list[tuple[int, str, str | None, str]], portal_url: str, chunk: int = 2000) -> int:
    """Queues an invitation for each (user id, name, email, locale) with an email; returns how many.

    Works through the list in chunks so that 100,000 joiners do not sit in memory as emails at once.
    """
    queued = 0
    for start in range(0, len(users), chunk):
        tokens, mails = [], []
        expires = clock.now() + VALID_FOR
        for user_id, name, email, locale in users[start : start + chunk]:
            if not email:
                continue
            token = secrets.token_urlsafe(32)
            token_hash = _hash(token)
            tokens.append({"user_id": user_id, "token_hash": token_hash, "expires_at": expires, "used_at": None})
            mails.append(
                Mail(
                    f"invitation:{user_id}:{token_hash[:16]}",
                    "invitation",
                    email,
                    t(locale, "[Conduct Rules Portal] Your account"),
                    _invitation_body(locale, name, f"{portal_url}welcome/{token}"),
                    user_id,
                )
            )
        if tokens:
            session.execute(insert(PasswordToken), tokens)
        queued += enqueue(session, mails)
    return queued


def _invitation_body(locale: str, name: str, link: str) -> str:
    return "\n".join(
        [
            t(locale, "Dear %(name)s,", name=name),
            "",
            t(
                locale,
                "An account on the Conduct Rules Portal has been created for you. Set your password here "
                "(the link works once, for 7 days):",
            ),
            link,
            "",
            t(locale, "Your sign-in name is your employee number. Never share your password or your account."),
        ]
    )


def user_for_token(session: Session, token: str) -> User | None:
    """The person an unused, unexpired token belongs to."""
    found = session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _hash(token)))
    if found is None or found.used_at is not None or found.expires_at < clock.now():
        return None
    user = session.get(User, found.user_id)
    return user if user is not None and user.is_active else None


def accept(session: Session, token: str, password: str) -> tuple[User | None, list[str]]:
    """Sets the password from an invitation; returns (user, problems). The token works once."""
    user = user_for_token(session, token)
    if user is None:
        return None, ["invalid_token"]
    problems = password_problems(password, (user.employee_no, user.login_id or ""))
    if problems:
        return user, problems
    used = session.execute(
        update(PasswordToken)
        .where(PasswordToken.token_hash == _hash(token), PasswordToken.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        return None, ["invalid_token"]
    set_password(session, user, password)
    record(session, "invitation_accepted", actor_id=user.id, target=("user", user.id))
    return user, []
