"""Getting back into an account: marked compromised, forgot the password, or a joiner's first password.

Marking an account compromised removes its password at once (no sign-in with the leaked one, ever; it is
kept only as a hash to refuse it as the new one) and ends every session. The owner comes back only
through a one-time secret: a reset link emailed to the address on file (self-service "forgot password",
or sent by the admin), or a code the admin hands over in person. Either sets a new password and
nothing else: a privileged person's second factor still follows at sign-in.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import tokens
from learning.accounts.errors import AccountError, refused
from learning.accounts.models import User
from learning.accounts.passwords import password_problems, verify_password
from learning.accounts.services import find_user, set_password
from learning.audit.services import record
from learning.notify.services import ONE_TIME_LINK, Mail, enqueue
from learning.notify.texts import t

# At most one reset email per person per window, whatever is typed into the form how often.
RESET_MAIL_WINDOW = timedelta(minutes=20)


def lock(session: Session, user: User, actor_id: int | None, reason: str, *, audit: bool = True) -> None:
    """The password stops working at once and every session ends; only a one-time reset opens the account.
    (`reason` is "compromised", or "dormant" for an account an access review did not vouch for.)"""
    if user.password_hash is not None:
        user.leaked_password_hash = user.password_hash
    user.password_hash = None
    user.compromised_at = clock.now()
    user.must_change_password = False
    user.session_version += 1
    if audit and reason != "compromised":
        record(session, "account_locked", actor_id=actor_id, target=("user", user.id), details={"reason": reason})


def mark_compromised(session: Session, user: User, admin_id: int, *, reset_second_factor: bool = False) -> None:
    """Locks the account until its owner resets the password; ends every session at once."""
    lock(session, user, admin_id, "compromised")
    if reset_second_factor:
        user.totp_secret = user.totp_pending_secret = None
        user.totp_last_step = None
    record(
        session,
        "user_marked_compromised",
        actor_id=admin_id,
        target=("user", user.id),
        details={"second_factor_reset": reset_second_factor},
    )


def _reset_mail(user: User, key: str) -> Mail:
    locale = user.locale
    body = "\n".join(
        [
            t(locale, "Dear %(name)s,", name=user.name),
            "",
            t(
                locale,
                "Someone (we hope you) asked to set a new password for your account on the Conduct Rules "
                "Portal. Set it here (the link works once, within one hour):",
            ),
            ONE_TIME_LINK,
            "",
            t(locale, "If you did not ask for this, tell your IT administrator. Your password has not changed."),
        ]
    )
    subject = t(locale, "[Conduct Rules Portal] Setting a new password")
    return Mail(key, "password_reset", user.email, subject, body, user.id, link_kind="reset")


def request_reset(session: Session, username: str, actor_id: int | None = None) -> bool:
    """Queues a reset link to the address on file. Answers the same to everyone (the page says so); returns
    whether a mail was queued, for the admin's page and tests only."""
    user = find_user(session, username)
    if user is None or user.status != "active" or not user.email or user.is_demo:
        return False
    window = int(clock.now().timestamp() // RESET_MAIL_WINDOW.total_seconds())
    queued = enqueue(session, [_reset_mail(user, f"reset:{user.id}:{window}")]) == 1
    if queued:
        record(session, "authn_password_reset_requested", actor_id=actor_id, target=("user", user.id))
    return queued


def issue_code(session: Session, user: User, admin_id: int) -> str:
    """A one-time code for the admin to hand over in person; never for the admin's own account."""
    if user.id == admin_id:
        raise refused("own_reset_code", admin_id, user.id)
    if user.status != "active":
        raise AccountError("inactive")
    code = tokens.issue_code(session, user.id, admin_id)
    record(session, "authn_reset_code_issued", actor_id=admin_id, target=("user", user.id))
    return code


def new_password_problems(user: User, password: str) -> list[str]:
    """The policy's objections to a new password, and the leaked one refused."""
    problems = password_problems(password, (user.employee_no, user.login_id or ""))
    if user.leaked_password_hash and verify_password(user.leaked_password_hash, password):
        problems.append("leaked")
    return problems


def set_with_secret(session: Session, user: User, secret: str, purposes: tuple[str, ...], password: str) -> list[str]:
    """Sets the password with a one-time secret of `purposes`; returns the problems (empty on success).

    The secret is spent only when the password is acceptable, in the same transaction."""
    problems = new_password_problems(user, password)
    if problems:
        return problems
    spent = tokens.use(session, secret, purposes)
    if spent is None or spent.user_id != user.id:
        return ["invalid_token"]
    set_password(session, user, password)
    user.compromised_at = None
    user.leaked_password_hash = None
    record(
        session,
        "invitation_accepted" if spent.purpose == "invitation" else "authn_password_reset",
        actor_id=user.id,
        target=("user", user.id),
        details={"with": spent.purpose},
    )
    return []


def holder_of_code(session: Session, username: str, code: str) -> User | None:
    """The person a typed employee number and reset code belong to, or None."""
    user = find_user(session, username)
    if user is None:
        return None
    return tokens.holder(session, tokens.normalised_code(code), ("code",), user.id)
