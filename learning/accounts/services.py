"""Sign-in with throttling, sign-out everywhere, and a person's own settings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, joinedload

from learning import clock
from learning.accounts.models import RoleGrant, SignInFailure, User
from learning.accounts.passwords import hash_password, needs_rehash, password_problems, verify_password
from learning.accounts.second_factor import check_code
from learning.audit.services import Entry, record
from learning.authz import Role

THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_LOCK_AFTER = 5  # failures per account name in the window
ADDRESS_LOCK_AFTER = 20  # failures per address in the window


@dataclass(frozen=True)
class Refusal:
    """What a refused sign-in leaves on record: the audit event and the failure that counts towards a lock.
    The view writes it with web.security_event, so it stands although the request is refused."""

    entry: Entry
    rows: tuple = ()


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    locked: bool = False
    # The password was right but the person holds a privileged role: a TOTP code must follow.
    needs_second_factor: bool = False
    refusal: Refusal | None = None


def account_key(username: str) -> str:
    """Throttling key for a typed name; hashed so a password typed into the wrong box is not kept."""
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


def find_user(session: Session, username: str) -> User | None:
    """The person with this employee number or login ID (login IDs ignore case)."""
    name = username.strip()
    if not name:
        return None
    return session.scalar(
        select(User)
        .options(joinedload(User.department))
        .where(or_(User.employee_no == name, User.login_id == name.lower()))
    )


def load_user(session: Session, token: str) -> User | None:
    """The signed-in person for a session token "id:version", or None when revoked or inactive."""
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def _recent_failures(session: Session, criterion) -> int:
    """Failed sign-ins matching `criterion` within the throttling window."""
    since = clock.now() - THROTTLE_WINDOW
    return session.scalar(select(func.count()).select_from(SignInFailure).where(criterion, SignInFailure.at > since))


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    address: str | None,
    demo_allowed: bool,
    chosen_locale: str | None = None,
) -> SignInResult:
    """Checks a sign-in; unknown user, wrong password and refused account look exactly alike."""
    now = clock.now()
    key = account_key(username)
    by_account = _recent_failures(session, SignInFailure.account_key == key)
    by_address = _recent_failures(session, SignInFailure.address == address) if address else 0
    user = find_user(session, username)
    if by_account >= ACCOUNT_LOCK_AFTER or by_address >= ADDRESS_LOCK_AFTER:
        verify_password(None, password)  # same cost as a real check
        by = "account" if by_account >= ACCOUNT_LOCK_AFTER else "address"
        entry = Entry("authn_login_lock", user.id if user else None, outcome="failure", details={"by": by})
        return SignInResult(None, locked=True, refusal=Refusal(entry))
    ok = verify_password(user.password_hash if user else None, password)
    refused = user is not None and (not user.is_active or (user.is_demo and not demo_allowed))
    if not ok or refused:
        reason = "unknown_account" if user is None else ("inactive" if refused else "wrong_password")
        entry = Entry(
            "authn_login_fail",
            user.id if user else None,
            target=("user", user.id) if user else None,
            outcome="failure",
            details={"reason": reason},
        )
        return SignInResult(None, refusal=Refusal(entry, (SignInFailure(at=now, account_key=key, address=address),)))
    if chosen_locale in ("ja", "en"):
        user.locale = chosen_locale
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.needs_second_factor:
        return SignInResult(user, needs_second_factor=True)
    session.execute(delete(SignInFailure).where(SignInFailure.account_key == key))
    record(session, "authn_login_success", actor_id=user.id, target=("user", user.id))
    return SignInResult(user)


def _second_factor_key(user: User) -> str:
    return account_key(f"totp:{user.id}")


def verify_second_factor(
    session: Session, user: User, code: str, *, address: str | None, new_secret: str | None = None
) -> SignInResult:
    """Completes a privileged sign-in with a TOTP code (enrolling `new_secret` on first use)."""
    now = clock.now()
    key = _second_factor_key(user)
    if _recent_failures(session, SignInFailure.account_key == key) >= ACCOUNT_LOCK_AFTER:
        entry = Entry("authn_login_lock", user.id, outcome="failure", details={"by": "second_factor"})
        return SignInResult(None, locked=True, refusal=Refusal(entry))
    secret = new_secret or user.totp_secret
    checked = check_code(secret, code, now, None if new_secret else user.totp_last_step) if secret else None
    step = checked.step if checked else None
    if step is None:
        # A right code used a second time is a replay (OWASP authn_token_reuse), not a typo.
        reused = bool(checked and checked.reused)
        entry = Entry(
            "authn_token_reuse" if reused else "authn_login_fail",
            user.id,
            target=("user", user.id),
            outcome="failure",
            details={"reason": "second_factor"},
        )
        return SignInResult(None, refusal=Refusal(entry, (SignInFailure(at=now, account_key=key, address=address),)))
    if new_secret:
        user.totp_secret, user.totp_pending_secret = new_secret, None
        record(session, "authn_mfa_enrolled", actor_id=user.id, target=("user", user.id))
    user.totp_last_step = step
    session.execute(delete(SignInFailure).where(SignInFailure.account_key.in_([key])))
    record(session, "authn_login_success", actor_id=user.id, target=("user", user.id), details={"mfa": True})
    return SignInResult(user)


def start_enrolment(session: Session, user: User, secret: str) -> None:
    """Keeps the secret of a first sign-in's second factor on the server until a code proves it is set up."""
    user.totp_pending_secret = secret


def sign_out(session: Session, user: User) -> None:
    """Ends every session of this person, on every device, by bumping the session version."""
    user.session_version += 1
    record(session, "authn_logout", actor_id=user.id, target=("user", user.id))


def set_locale(session: Session, user: User, locale: str) -> None:
    user.locale = locale


def change_password(session: Session, user: User, current: str, new: str) -> tuple[list[str], Refusal | None]:
    """Checks the current password and the policy; on success stores the new one. Returns the problem ids
    and, when refused, what the refusal leaves on record."""
    problems = [] if verify_password(user.password_hash, current) else ["current_wrong"]
    problems += password_problems(new, (user.employee_no, user.login_id or ""))
    if new == current:
        problems.append("unchanged")
    if problems:
        details = {"problems": problems}
        entry = Entry("authn_password_change", user.id, target=("user", user.id), outcome="failure", details=details)
        return problems, Refusal(entry)
    set_password(session, user, new)
    return [], None


def password_expired(user: User, max_age_days: int) -> bool:
    """True when a change is due: marked compromised, or (only if configured) older than the maximum age."""
    if user.must_change_password:
        return True
    if max_age_days and user.password_changed_at:
        return clock.now() - user.password_changed_at > timedelta(days=max_age_days)
    return False


def set_password(session: Session, user: User, password: str) -> None:
    """Stores a new password and ends the person's other sessions."""
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    user.must_change_password = False
    user.session_version += 1
    record(session, "authn_password_change", actor_id=user.id, target=("user", user.id))


def mark_compromised(session: Session, user: User, admin_id: int) -> None:
    """Forces a password change at the next sign-in and ends every current session at once."""
    user.must_change_password = True
    user.session_version += 1
    record(session, "user_marked_compromised", actor_id=admin_id, target=("user", user.id))


def grant_role(session: Session, user: User, role: str, department_id: int | None, admin_id: int) -> RoleGrant:
    """Gives a role (managers need a department: their scope). The person's sessions end, so the new
    rights (and, for privileged roles, the second factor) apply from a fresh sign-in."""
    if role not in {r.value for r in Role} - {Role.LEARNER}:
        raise ValueError("role")
    if role == Role.MANAGER and department_id is None:
        raise ValueError("scope")
    grant = RoleGrant(
        user_id=user.id, role=role, department_id=department_id, granted_by_id=admin_id, granted_at=clock.now()
    )
    session.add(grant)
    user.session_version += 1
    session.flush()
    record(
        session,
        "privilege_granted",
        actor_id=admin_id,
        target=("user", user.id),
        details={"role": role, "department_id": department_id},
    )
    return grant


def revoke_grant(session: Session, grant: RoleGrant, admin_id: int) -> None:
    grant.revoked_at = clock.now()
    user = session.get(User, grant.user_id)
    user.session_version += 1
    record(
        session,
        "privilege_revoked",
        actor_id=admin_id,
        target=("user", grant.user_id),
        details={"role": grant.role, "department_id": grant.department_id},
    )
