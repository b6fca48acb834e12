"""Invitations: a joiner gets an email with a one-time link (valid 7 days) to set their own password.

Accounts created from the roster have no password until then; nobody else ever knows it. The link is made
when the email is sent (accounts/tokens.py), so the outbox holds only its placeholder.
"""

from __future__ import annotations

from learning import clock
from learning.notify.services import ONE_TIME_LINK, Mail, enqueue
from learning.notify.texts import t


def invite(session, users: list[tuple[int, str, str | None, str]], chunk: int = 2000) -> int:
    """Queues an invitation for each (user id, name, email, locale) with an email; returns how many.

    Works through the list in chunks so that 100,000 joiners do not sit in memory as emails at once.
    """
    queued = 0
    stamp = clock.now().strftime("%Y%m%d%H%M%S")
    for start in range(0, len(users), chunk):
        mails = [
            Mail(
                f"invitation:{user_id}:{stamp}",
                "invitation",
                email,
                t(locale, "[Conduct Rules Portal] Your account"),
                _invitation_body(locale, name),
                user_id,
                link_kind="invitation",
            )
            for user_id, name, email, locale in users[start : start + chunk]
            if email
        ]
        queued += enqueue(session, mails)
    return queued


def _invitation_body(locale: str, name: str) -> str:
    return "\n".join(
        [
            t(locale, "Dear %(name)s,", name=name),
            "",
            t(
                locale,
                "An account on the Conduct Rules Portal has been created for you. Set your password here "
                "(the link works once, for 7 days):",
            ),
            ONE_TIME_LINK,
            "",
            t(locale, "Your sign-in name is your employee number. Never share your password or your account."),
        ]
    )
