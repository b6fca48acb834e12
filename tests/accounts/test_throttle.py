"""Throttling that protects without locking others out: atomic counters, growing delays, the owner's own
device and usual address unaffected by a stranger's guessing, separate counters per kind of secret."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import services, throttle
from learning.accounts.models import ThrottleCounter
from tests.conftest import PG_URL, csrf_token, sign_in
from tests.factories import PASSWORD, make_user


def guess(db, username, address, password="wrong-password-x", device=None):
    """One sign-in attempt as the view makes it: the refusal's counts are committed on their own."""
    result = services.sign_in(db, username, password, address=address, demo_allowed=True, device_user_id=device)
    if result.refusal:
        db.rollback()
        result.refusal.count(db)
    db.commit()
    return result


def test_a_thousand_guesses_from_several_addresses_never_lock_the_owner_out(db):
    owner = make_user(db)
    db.commit()
    assert guess(db, owner.employee_no, "10.0.0.7", PASSWORD).user is not None  # the owner's usual address
    started, waits, checked = clock.now(), [], 0
    for n in range(1000):
        result = guess(db, owner.employee_no, f"192.0.2.{n % 7}")
        if result.locked:
            waits.append(throttle.seconds(result.wait))
            clock.freeze(clock.now() + result.wait)  # the guesser waits as told, then tries again
        else:
            checked += 1
        clock.freeze(clock.now() + timedelta(seconds=1))
    # The guesser met growing delays, up to the cap: about half the guesses were checked at all, and
    # those took days instead of minutes.
    cap = int(throttle.PASSWORD_ACCOUNT.cap.total_seconds())
    assert (
        waits[:5] == sorted(waits[:5]) and waits[0] < waits[4] and max(waits) >= cap - 1
    )  # (one second has passed since)
    assert checked < 520 and clock.now() - started > timedelta(days=4)
    while not guess(db, owner.employee_no, "192.0.2.99").refusal.counters:  # once more, right after a check
        clock.freeze(clock.now() + timedelta(minutes=16))
    # Meanwhile the owner signs in from the usual address, and from their own device anywhere.
    assert guess(db, owner.employee_no, "10.0.0.7", PASSWORD).user is not None
    assert guess(db, owner.employee_no, "198.51.100.1", PASSWORD, device=owner.id).user is not None
    # A device or address the account never used waits like the guesser.
    assert guess(db, owner.employee_no, "198.51.100.2", PASSWORD).locked


def test_the_device_cookie_of_a_past_sign_in_skips_a_strangers_delay(app, db):
    owner = make_user(db)
    db.commit()
    own_browser, stranger = app.test_client(), app.test_client()
    own_browser.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    assert sign_in(own_browser, owner.employee_no).status_code == 302  # leaves the signed device cookie
    own_browser.post("/logout", data={"csrf_token": csrf_token(own_browser, "/")})
    stranger.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    for _ in range(8):
        sign_in(stranger, owner.employee_no, "wrong-password-x")
    assert sign_in(stranger, owner.employee_no).status_code == 429  # even with the right password
    own_browser.environ_base["REMOTE_ADDR"] = "10.2.2.2"  # the owner, on the move: a new address
    assert sign_in(own_browser, owner.employee_no).status_code == 302
    forged = app.test_client()
    forged.set_cookie("portal_device", "eyJ1Ijo1fQ.forged.signature")
    forged.environ_base["REMOTE_ADDR"] = "10.3.3.3"
    assert sign_in(forged, owner.employee_no).status_code == 429


def test_an_office_behind_one_address_is_not_one_lock(db):
    colleagues = [make_user(db) for _ in range(3)]
    db.commit()
    for person in colleagues:
        assert guess(db, person.employee_no, "172.16.0.1", PASSWORD).user is not None
    for n in range(throttle.PASSWORD_ADDRESS.free + 5):  # someone in the office guesses many names
        guess(db, f"nobody{n}", "172.16.0.1")
    assert guess(db, "someone-new", "172.16.0.1", PASSWORD).locked  # strangers from there slow down
    for person in colleagues:  # those who sign in from there every day do not
        assert guess(db, person.employee_no, "172.16.0.1", PASSWORD).user is not None


def test_passwords_second_factors_and_codes_have_their_own_counters(db):
    user = make_user(db, "desk")
    db.commit()
    for _ in range(10):
        guess(db, user.employee_no, "10.0.0.1")
    result = services.verify_second_factor(db, user, "000000", address="10.0.0.1")
    assert not result.locked  # password guesses do not slow the second factor
    scopes = set(db.scalars(select(ThrottleCounter.scope)))
    assert scopes == {"password_pair", "password_account", "password_address"}


@pytest.mark.skipif(not PG_URL, reason="concurrent guesses are a PostgreSQL concern (SQLite serialises writers)")
def test_concurrent_wrong_passwords_are_all_counted(app, db):
    owner = make_user(db)
    db.commit()
    # A pool as large as the crowd: twenty guesses at once must not wait for the app's pool of fifteen (a wait
    # past its timeout would raise in the thread and silently drop a guess from the count).
    engine = create_engine(PG_URL, pool_size=20, max_overflow=0)
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def attempt():
        try:
            with Session(engine) as session:
                barrier.wait()
                result = services.sign_in(
                    session, owner.employee_no, "wrong-password-x", address="192.0.2.1", demo_allowed=True
                )
                session.rollback()
                result.refusal.count(session)
                session.commit()
        except BaseException as error:  # any failure in a thread is the test's failure
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine.dispose()
    assert errors == [] and not any(thread.is_alive() for thread in threads)
    counts = dict(db.execute(select(ThrottleCounter.scope, ThrottleCounter.failures)).all())
    assert counts == {"password_pair": 20, "password_account": 20, "password_address": 20}
    assert guess(db, owner.employee_no, "192.0.2.1", PASSWORD).locked
