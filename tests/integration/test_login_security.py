"""Login throttling, audit of logins, cookie revocation on logout, password rules."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import AuditEntry
from lib.people import auth, sign_in_sessions
from tests.factories import PASSWORD


def _fail(username, password="wrong-password-123"):
    with pytest.raises(InvalidInput) as err:
        auth.verify_login(username, password)
    return err.value.message


def test_five_failures_lock_the_username_for_fifteen_minutes(practice):
    messages = [_fail("alice") for _ in range(5)]
    assert messages[:4] == [auth.WRONG_LOGIN] * 4 and messages[4] == auth.LOCKED_LOGIN
    assert _fail("alice", PASSWORD) == auth.LOCKED_LOGIN  # even the right password waits
    clock.freeze(clock.now() + timedelta(minutes=16))
    assert auth.verify_login("alice", PASSWORD).username == "alice"


def test_messages_never_reveal_whether_a_username_exists(practice):
    real = [_fail("alice") for _ in range(5)]
    made_up = [_fail("nobody-here") for _ in range(5)]
    assert real == made_up


def test_logins_failures_and_lockouts_are_audited(practice):
    for _ in range(5):
        _fail("bob")
    auth.verify_login("alice", PASSWORD, "browser-9")
    with unit_of_work() as s:
        rows = s.execute(select(AuditEntry.username, AuditEntry.action).order_by(AuditEntry.id)).all()
    assert rows == [("bob", "login_failed")] * 4 + [("bob", "login_locked"), ("alice", "login")]


def test_logging_out_ends_only_this_sign_in_and_its_cookie(practice):
    here = sign_in_sessions.start(practice.alice.id, browser="Firefox", address="1.1.1.1", browser_session="a")
    there = sign_in_sessions.start(practice.alice.id, browser="Safari", address="2.2.2.2", browser_session="b")
    sign_in_sessions.cookie_written(here, 1_900_000_000.5)
    sign_in_sessions.end_session(here)
    assert sign_in_sessions.for_cookie("alice", 1_900_000_000.5) is None  # a copied cookie is refused
    assert sign_in_sessions.live(there).username == "alice"  # the other browser stays signed in


@pytest.mark.parametrize("password, problem", [("short", "12 characters"), ("password1234", "very common password"),
                                               ("aaaaaaaaaaaaaaa", "too easy to guess")])
def test_new_passwords_must_be_long_and_uncommon(practice, password, problem):
    with unit_of_work(write=True) as s, pytest.raises(InvalidInput, match=problem):
        auth.add_user(s, "carol", "Carol", "carol@practice.example", "therapist", password)
