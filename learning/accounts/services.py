"""Sign-in with throttling, sign-out everywhere, and a person's own settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from learning import clock
from learning.accounts import throttle
from learning.accounts.models import User
from learning.accounts.passwords import hash_password, needs_rehash, password_problems, verify_password
from learning.accounts.second_factor import check_code
from learning.audit.services import Entry, record

# An account signing in successfully from an address within this long is trusted from it (throttle.known).
KNOWN_ADDRESS_FOR = timedelta(days=90)


@dataclass(frozen=True)
class Refusal:
    """What a refused sign-in leaves on record: the audit event and the failures it counts. The view writes
    it with web.security_event (write=refusal.count), so it stands although the request is refused."""

    entry: Entry
    counters: tuple[throttle.Counter, ...] = ()

    def count(self, session: Session) -> None:
        throttle.count_failure(session, list(self.counters))


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    # A gate of the throttle is closed: nothing was checked; try again after `wait`.
    wait: timedelta | None = None
    # The password was right but the person holds a privileged role: a TOTP code must follow.
    needs_second_factor: bool = False
    refusal: Refusal | None = None

    @property
    def locked(self) -> bool:
        return self.wait is not None


def password_counters(username: str, address: str | None, trusted: bool) -> list[throttle.Counter]:
    """What a password guess counts towards. The typed name (whether or not such an account exists, so
    unknown and real names behave alike) with this address always; the name alone and the address alone
    only for a guess from somewhere the account has not signed in from: those are the counters a stranger
    can drive, and the owner's own device or address skips them."""
    counters = [throttle.counter("password_pair", throttle.PASSWORD_PAIR, username, address)]
    if not trusted:
        counters.append(throttle.counter("password_account", throttle.PASSWORD_ACCOUNT, username))
        if address:
            counters.append(throttle.counter("password_address", throttle.PASSWORD_ADDRESS, address))
    return counters


def _known_address(user: User, address: str | None) -> throttle.Counter:
    return throttle.counter("known", throttle.PASSWORD_PAIR, user.id, address)


def trusted_from(session: Session, user: User | None, address: str | None, device_user_id: int | None) -> bool:
    """Whether this attempt comes from the person's own device (the signed cookie an earlier sign-in left)
    or from an address they signed in from lately."""
    if user is None:
        return False
    if device_user_id == user.id:
        return True
    return address is not None and throttle.known(session, _known_address(user, address), KNOWN_ADDRESS_FOR)


def _locked(user: User | None, delay: timedelta, by: str) -> SignInResult:
    details = {"by": by, "wait_seconds": throttle.seconds(delay)}
    entry = Entry(
        "authn_login_lock",
        user.id if user else None,
        target=("user", user.id) if user else None,
        outcome="failure",
        details=details,
    )
    return SignInResult(None, wait=delay, refusal=Refusal(entry))


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


# The grants in the same statement: one round trip per request for who is signed in and what they may do.
# Built once: on every request, building a statement costs more than running it.
_SIGNED_IN = select(User).options(joinedload(User.grants)).where(User.id == bindparam("id"))


def load_user(session: Session, token: str) -> User | None:
    """The signed-in person for a session token "id:version", or None when revoked or inactive."""
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session.execute(_SIGNED_IN, {"id": int(user_id)}).unique().scalar_one_or_none()
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    address: str | None,
    demo_allowed: bool,
    chosen_locale: str | None = None,
    device_user_id: int | None = None,
) -> SignInResult:
    """Checks a sign-in; unknown user, wrong password, compromised and refused account look exactly alike."""
    user = find_user(session, username)
    trusted = trusted_from(session, user, address, device_user_id)
    counters = password_counters(username, address, trusted)
    delay = throttle.wait(session, counters)
    if delay:
        return _locked(user, delay, "password")
    ok = verify_password(user.password_hash if user else None, password)
    refused = user is not None and (not user.is_active or (user.is_demo and not demo_allowed))
    if not ok or refused:
        if user is None:
            reason = "unknown_account"
        elif refused:
            reason = "inactive"
        else:
            reason = "compromised" if user.compromised_at else "wrong_password"
        entry = Entry(
            "authn_login_fail",
            user.id if user else None,
            target=("user", user.id) if user else None,
            outcome="failure",
            details={"reason": reason},
        )
        # Every counter of the name counts, trusted or not: the owner's own typos slow strangers too.
        return SignInResult(None, refusal=Refusal(entry, tuple(password_counters(username, address, False))))
    if chosen_locale in ("ja", "en"):
        user.locale = chosen_locale
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.needs_second_factor:
        return SignInResult(user, needs_second_factor=True)
    _signed_in(session, user, address, counters[:1])
    record(session, "authn_login_success", actor_id=user.id, target=("user", user.id))
    return SignInResult(user)


def _signed_in(session: Session, user: User, address: str | None, counters: list[throttle.Counter]) -> None:
    """A sign-in succeeded: its own address's counters start again and the address becomes known."""
    throttle.forget(session, counters)
    if address:
        throttle.remember_success(session, _known_address(user, address))
    user.last_sign_in_at = clock.now()


def second_factor_counters(user: User, address: str | None, trusted: bool) -> list[throttle.Counter]:
    counters = [throttle.counter("totp_pair", throttle.SECOND_FACTOR, user.id, address)]
    if not trusted:
        counters.append(throttle.counter("totp_account", throttle.SECOND_FACTOR, user.id))
    return counters


def verify_second_factor(
    session: Session,
    user: User,
    code: str,
    *,
    address: str | None,
    new_secret: str | None = None,
    device_user_id: int | None = None,
) -> SignInResult:
    """Completes a privileged sign-in with a TOTP code (enrolling `new_secret` on first use)."""
    now = clock.now()
    counters = second_factor_counters(user, address, trusted_from(session, user, address, device_user_id))
    delay = throttle.wait(session, counters)
    if delay:
        return _locked(user, delay, "second_factor")
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
        return SignInResult(None, refusal=Refusal(entry, tuple(second_factor_counters(user, address, False))))
    if new_secret:
        user.totp_secret, user.totp_pending_secret = new_secret, None
        record(session, "authn_mfa_enrolled", actor_id=user.id, target=("user", user.id))
    user.totp_last_step = step
    _signed_in(session, user, address, counters[:1])
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


def directory_refusal(method: str, reason: str, user: User | None = None, presented: str | None = None) -> Refusal:
    """What a refused sign-in through the directory leaves on record. A person the roster does not hold (or
    holds twice) is a mismatch between the directory and the portal, named by what the directory presented."""
    details = {"method": method, "reason": reason}
    if presented:
        details["presented"] = presented
    entry = Entry(
        "authn_sso_mismatch" if reason in ("not_in_roster", "ambiguous") else "authn_sso_fail",
        user.id if user else None,
        target=("user", user.id) if user else None,
        outcome="failure",
        details=details,
    )
    return Refusal(entry)


def sign_in_directory(
    session: Session, user: User, *, method: str, address: str | None, demo_allowed: bool, multi_factor: bool
) -> SignInResult:
    """A person the directory vouched for (OpenID Connect or the proxy's trusted header) and the roster holds.
    The same refusals as a password sign-in: a leaver or a person on leave, a demo account outside demo mode,
    an account marked compromised (its owner proves themselves through a reset first). Privileged roles still
    give a TOTP code unless the provider asserted a multi-factor sign-in that the settings trust."""
    if not user.is_active or (user.is_demo and not demo_allowed):
        return SignInResult(None, refusal=directory_refusal(method, "inactive", user))
    if user.compromised_at:
        return SignInResult(None, refusal=directory_refusal(method, "compromised", user))
    if user.needs_second_factor and not multi_factor:
        return SignInResult(user, needs_second_factor=True)
    _signed_in(session, user, address, [])
    details = {"method": method, "mfa": True} if user.needs_second_factor else {"method": method}
    record(session, "authn_login_success", actor_id=user.id, target=("user", user.id), details=details)
    return SignInResult(user)
