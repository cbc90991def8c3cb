"""People, passwords, two-step sign-in and sign-in sessions: every rule, on SQLite and PostgreSQL."""
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from lib.bookings import worklist as team_worklist
from lib.bookings.worklist import Reason
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Forbidden, InvalidInput
from lib.core.models import AuditEntry, Notification, User
from lib.people import account_links, auth, password_changes, sign_in_sessions, two_step
from lib.people import staff as people
from lib.practice import sign_in_rules
from tests.factories import PASSWORD, book

NEW_PASSWORD = "lantern-orchid-quarry-ninety"


def _emails(to: str, template: str | None = None) -> list[Notification]:
    with unit_of_work() as s:
        stmt = select(Notification).where(Notification.recipient == to).order_by(Notification.id)
        rows = s.scalars(stmt).all()
    return [n for n in rows if template is None or n.template == template]


def _token_in(n: Notification) -> str:
    return n.body_text.split("set-password?token=")[1].split()[0]


def _actions() -> list[tuple]:
    with unit_of_work() as s:
        return s.execute(select(AuditEntry.username, AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id)).all()


def _add_carol(practice, role="therapist") -> str:
    people.add(practice.morgan, username="carol", name="Carol Diaz", email="carol@practice.example", role=role,
               timezone="Europe/London", hours={"mon": "09:00-17:00"})
    [mail] = _emails("carol@practice.example", "set_password")
    return _token_in(mail)


def _carol_id() -> int:
    with unit_of_work() as s:
        return s.scalar(select(User.id).where(User.username == "carol"))


# --- people ---

def test_a_new_person_chooses_their_own_password_with_a_single_use_24_hour_link(practice):
    token = _add_carol(practice)
    [mail] = _emails("carol@practice.example")
    assert "24 hours" in mail.body_text and "carol" in mail.body_text and "Morgan Reid" in mail.body_text
    [carol] = [p for p in people.everyone(practice.morgan) if p.username == "carol"]
    assert (carol.status, carol.role, carol.two_step) == ("invited", "therapist", False)
    with pytest.raises(InvalidInput):  # nobody knows the placeholder password
        auth.verify_login("carol", NEW_PASSWORD)
    assert password_changes.set_from_link(token, NEW_PASSWORD) == "carol"
    assert auth.verify_login("carol", NEW_PASSWORD).username == "carol"
    with pytest.raises(InvalidInput, match="can't be used"):  # single use
        password_changes.set_from_link(token, "another-lantern-orchid-quarry")
    assert ("carol", "password_set", None) in _actions()


def test_a_set_password_link_expires_after_24_hours(practice):
    token = _add_carol(practice)
    clock.freeze(clock.now() + timedelta(hours=24, seconds=1))
    with pytest.raises(InvalidInput, match="can't be used"):
        password_changes.set_from_link(token, NEW_PASSWORD)


def test_a_forged_or_altered_link_is_refused_with_the_same_words(practice):
    token = _add_carol(practice)
    for bad in (token[:-1] + ("0" if token[-1] != "0" else "1"), "nonsense.abc", "", None):
        with pytest.raises(InvalidInput) as err:
            password_changes.link_details(bad)
        assert err.value.message == account_links.BAD_LINK


def test_only_managers_manage_people(practice):
    for call in (lambda: people.everyone(practice.alice), lambda: people.deactivate(practice.alice, practice.bob.id),
                 lambda: people.add(practice.alice, username="x", name="X", email="x@p.example", role="therapist",
                                    timezone="Europe/London")):
        with pytest.raises(Forbidden):
            call()


def test_a_manager_cannot_deactivate_themselves_or_the_last_manager(practice):
    with pytest.raises(InvalidInput, match="yourself"):
        people.deactivate(practice.morgan, practice.morgan.id)
    with pytest.raises(InvalidInput, match="at least one active practice manager"):
        people.change_role(practice.morgan, practice.morgan.id, "therapist")
    _add_carol(practice, role="manager")
    carol = auth._actor(_user("carol"))
    with pytest.raises(InvalidInput, match="yourself"):
        people.deactivate(carol, carol.id)
    people.deactivate(carol, practice.morgan.id)  # two managers: one may go
    with pytest.raises(InvalidInput, match="at least one active practice manager"):
        people.change_role(carol, carol.id, "therapist")


def _user(username):
    with unit_of_work() as s:
        return s.scalar(select(User).where(User.username == username))


def test_deactivation_ends_sessions_keeps_history_and_hands_open_requests_to_the_team(practice):
    open_id = book(practice.alice, "Hannah Whitfield")
    session_id = sign_in_sessions.start(practice.alice.id, browser="Firefox", address="10.0.0.5", browser_session="b1")
    assert sign_in_sessions.live(session_id).username == "alice"
    assert people.deactivate(practice.morgan, practice.alice.id) == 1
    assert sign_in_sessions.live(session_id) is None  # out on the next click
    assert auth.actor_for("alice") is None
    with pytest.raises(InvalidInput):
        auth.verify_login("alice", PASSWORD)
    assert [(i.booking_id, i.reason) for i in team_worklist.worklist(practice.morgan)] == [
        (open_id, Reason.THERAPIST_DEACTIVATED)]
    [alice] = [p for p in people.everyone(practice.morgan) if p.username == "alice"]
    assert alice.status == "deactivated"
    people.reactivate(practice.morgan, practice.alice.id)
    assert auth.verify_login("alice", PASSWORD).username == "alice"
    actions = [a[1] for a in _actions()]
    assert "person_deactivated" in actions and "session_ended" in actions and "person_reactivated" in actions


def test_a_manager_unlocks_a_locked_person(practice):
    for _ in range(5):
        with pytest.raises(InvalidInput):
            auth.verify_login("bob", "wrong-password-123")
    assert auth.is_locked("bob")
    assert [p.status for p in people.everyone(practice.morgan) if p.username == "bob"] == ["locked"]
    people.unlock(practice.morgan, practice.bob.id)
    assert auth.verify_login("bob", PASSWORD).username == "bob"
    assert ("morgan", "unlocked", "bob") in _actions()


def test_change_role_takes_effect_and_is_audited(practice):
    people.change_role(practice.morgan, practice.bob.id, "manager")
    assert auth.actor_for("bob").is_manager
    assert ("morgan", "role_changed", "bob: therapist → manager") in _actions()


# --- passwords ---

def test_changing_your_password_needs_the_current_one_and_ends_your_other_sessions(practice):
    here = sign_in_sessions.start(practice.alice.id, browser="Firefox", address="1.1.1.1", browser_session="a")
    there = sign_in_sessions.start(practice.alice.id, browser="Safari", address="2.2.2.2", browser_session="b")
    bobs = sign_in_sessions.start(practice.bob.id, browser="Safari", address="3.3.3.3", browser_session="c")
    with pytest.raises(InvalidInput, match="current password"):
        password_changes.change_mine(practice.alice, "not-my-password", NEW_PASSWORD, here)
    with pytest.raises(InvalidInput, match="too easy to guess: This is a very common password"):
        password_changes.change_mine(practice.alice, PASSWORD, "password1234", here)
    with pytest.raises(InvalidInput, match="12 characters"):
        password_changes.change_mine(practice.alice, PASSWORD, "short", here)
    password_changes.change_mine(practice.alice, PASSWORD, NEW_PASSWORD, here)
    assert sign_in_sessions.live(here).username == "alice"
    assert sign_in_sessions.live(there) is None
    assert sign_in_sessions.live(bobs).username == "bob"
    assert auth.verify_login("alice", NEW_PASSWORD)
    assert _emails("alice@practice.example", "password_changed")


def test_forgot_password_says_the_same_whether_or_not_the_account_exists(practice):
    known = password_changes.forgot("alice@practice.example", "10.0.0.1")
    unknown = password_changes.forgot("nobody@practice.example", "10.0.0.1")
    assert known == unknown == password_changes.FORGOT_SAYS
    [mail] = _emails("alice@practice.example", "reset_password")
    assert "1 hour" in mail.body_text
    assert _emails("nobody@practice.example") == []
    there = sign_in_sessions.start(practice.alice.id, browser="Safari", address="2.2.2.2", browser_session="b")
    password_changes.set_from_link(_token_in(mail), NEW_PASSWORD)
    assert sign_in_sessions.live(there) is None  # a reset ends every session
    assert auth.verify_login("alice", NEW_PASSWORD)


def test_a_forgotten_password_link_works_for_one_hour(practice):
    password_changes.forgot("alice@practice.example", "10.0.0.1")
    [mail] = _emails("alice@practice.example", "reset_password")
    clock.freeze(clock.now() + timedelta(minutes=61))
    with pytest.raises(InvalidInput, match="can't be used"):
        password_changes.set_from_link(_token_in(mail), NEW_PASSWORD)


def test_reset_requests_are_rate_limited_per_address_and_per_client(practice):
    for _ in range(3):
        password_changes.forgot("alice@practice.example", "10.0.0.1")
    with pytest.raises(InvalidInput, match="Too many"):
        password_changes.forgot("alice@practice.example", "10.0.0.2")  # a fourth for the address, from anywhere
    with pytest.raises(InvalidInput, match="Too many"):
        password_changes.forgot("Alice@Practice.example", "10.0.0.3")
    assert len(_emails("alice@practice.example", "reset_password")) == 3
    for n in range(10):
        password_changes.forgot(f"someone{n}@practice.example", "10.9.9.9")
    with pytest.raises(InvalidInput, match="Too many"):
        password_changes.forgot("bob@practice.example", "10.9.9.9")  # an eleventh from one client
    assert _emails("bob@practice.example") == []
    clock.freeze(clock.now() + timedelta(minutes=61))
    password_changes.forgot("bob@practice.example", "10.9.9.9")
    assert len(_emails("bob@practice.example", "reset_password")) == 1


# --- two-step sign-in ---

def _enrol(actor):
    secret = two_step.new_secret()
    codes = two_step.turn_on(actor.id, secret, pyotp.TOTP(secret).at(clock.now()))
    return secret, codes


def test_turning_on_two_step_needs_a_right_code_and_gives_ten_hashed_recovery_codes(practice):
    secret = two_step.new_secret()
    with pytest.raises(InvalidInput, match="doesn't match"):
        two_step.turn_on(practice.alice.id, secret, "000000")
    assert not two_step.is_on(practice.alice.id)
    codes = two_step.turn_on(practice.alice.id, secret, pyotp.TOTP(secret).at(clock.now()))
    assert two_step.is_on(practice.alice.id) and len(set(codes)) == 10
    with unit_of_work() as s:
        stored = [r.code_hash for r in s.scalars(select(__import__("lib.core.models").core.models.RecoveryCode))]
    assert len(stored) == 10 and not set(codes) & set(stored)
    enrolment = two_step.enrolment("alice", secret)
    assert enrolment.qr_png.startswith(b"\x89PNG") and secret in enrolment.uri


def test_each_code_works_once_and_one_step_of_drift_is_allowed(practice):
    secret, _ = _enrol(practice.alice)
    totp = pyotp.TOTP(secret)
    clock.freeze(clock.now() + timedelta(minutes=5))
    two_step.check_code("alice", totp.at(clock.now() - timedelta(seconds=30)))  # phone a step behind
    with pytest.raises(InvalidInput, match="used already"):
        two_step.check_code("alice", totp.at(clock.now() - timedelta(seconds=30)))  # the same code again
    two_step.check_code("alice", totp.at(clock.now() + timedelta(seconds=30)))  # a step ahead
    clock.freeze(clock.now() + timedelta(minutes=5))
    with pytest.raises(InvalidInput):
        two_step.check_code("alice", totp.at(clock.now() - timedelta(seconds=60)))  # two steps: too far


def test_recovery_codes_work_once_each(practice):
    _, codes = _enrol(practice.alice)
    two_step.check_code("alice", codes[0].upper())
    with pytest.raises(InvalidInput):
        two_step.check_code("alice", codes[0])
    two_step.check_code("alice", codes[1])
    assert two_step.recovery_codes_left(practice.alice) == 8


def test_wrong_codes_count_towards_the_lockout(practice):
    secret, _ = _enrol(practice.alice)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            two_step.check_code("alice", "123456")
    assert auth.is_locked("alice")
    clock.freeze(clock.now() + timedelta(minutes=1))
    with pytest.raises(InvalidInput, match="Too many failed attempts"):
        two_step.check_code("alice", pyotp.TOTP(secret).at(clock.now()))
    assert [a[1] for a in _actions()].count("two_step_failed") == 4


def test_a_manager_reset_of_two_step_is_audited_emailed_and_ends_sessions(practice):
    _enrol(practice.alice)
    session_id = sign_in_sessions.start(practice.alice.id, browser="Firefox", address="1.1.1.1", browser_session="a")
    with pytest.raises(Forbidden):
        two_step.reset(practice.bob, practice.alice.id)
    assert two_step.reset(practice.morgan, practice.alice.id) == "alice@practice.example"
    assert not two_step.is_on(practice.alice.id)
    assert sign_in_sessions.live(session_id) is None
    assert ("morgan", "two_step_reset", "for alice") in _actions()
    assert _emails("alice@practice.example", "two_step_reset")


def test_the_practice_can_require_two_step_for_managers_or_everyone(practice):
    assert not sign_in_rules.current().two_step_required_for("manager")
    sign_in_rules.update(practice.morgan, two_step_required="managers", lifetime_hours=12)
    rules = sign_in_rules.current()
    assert rules.two_step_required_for("manager") and not rules.two_step_required_for("therapist")
    with pytest.raises(Forbidden):
        sign_in_rules.update(practice.alice, two_step_required="nobody", lifetime_hours=12)


# --- sign-in sessions ---

def test_sessions_end_after_the_absolute_lifetime_however_busy(practice):
    session_id = sign_in_sessions.start(practice.alice.id, browser="Firefox", address="1.1.1.1", browser_session="a")
    for _ in range(23):  # a click every half hour for 11.5 hours
        clock.freeze(clock.now() + timedelta(minutes=30))
        assert sign_in_sessions.live(session_id) is not None
    clock.freeze(clock.now() + timedelta(minutes=30))
    assert sign_in_sessions.live(session_id) is None
    assert any(a[1] == "session_ended" and "longest sign-in" in a[2] for a in _actions())


def test_sessions_end_after_the_idle_timeout(practice):
    session_id = sign_in_sessions.start(practice.alice.id, browser="Firefox", address="1.1.1.1", browser_session="a")
    clock.freeze(clock.now() + timedelta(minutes=45))
    assert sign_in_sessions.live(session_id) is None


def test_a_cookie_finds_only_its_own_live_session(practice):
    one = sign_in_sessions.start(practice.alice.id, browser="Firefox", address="1.1.1.1", browser_session="a")
    sign_in_sessions.cookie_written(one, 1_900_000_000.25)
    sign_in_sessions.cookie_written(one, 1_900_000_001.5)
    two = sign_in_sessions.start(practice.alice.id, browser="Safari", address="2.2.2.2", browser_session="b")
    sign_in_sessions.cookie_written(two, 1_900_000_100.75)
    assert sign_in_sessions.for_cookie("alice", 1_900_000_001.5) == one
    assert sign_in_sessions.for_cookie("alice", 1_900_000_100.75) == two
    assert sign_in_sessions.for_cookie("bob", 1_900_000_100.75) is None
    assert sign_in_sessions.for_cookie("alice", 1_900_000_050.0) is None
    sign_in_sessions.end_session(one)
    assert sign_in_sessions.for_cookie("alice", 1_900_000_001.5) is None  # a copied cookie stops working
    assert sign_in_sessions.for_cookie("alice", 1_900_000_100.75) == two  # the other browser stays


def test_sign_out_one_or_everywhere_else_leaves_this_browser_and_others_people_alone(practice):
    here = sign_in_sessions.start(practice.alice.id, browser="Firefox", address="1.1.1.1", browser_session="a")
    phone = sign_in_sessions.start(practice.alice.id, browser="Safari on iPhone", address="2.2.2.2", browser_session="b")
    laptop = sign_in_sessions.start(practice.alice.id, browser="Chrome", address="3.3.3.3", browser_session="c")
    bobs = sign_in_sessions.start(practice.bob.id, browser="Edge", address="4.4.4.4", browser_session="d")
    listed = sign_in_sessions.mine(practice.alice, here)
    assert [s.id for s in listed][0] == here and listed[0].this_browser and len(listed) == 3
    sign_in_sessions.sign_out_one(practice.alice, bobs)  # not hers: nothing happens
    assert sign_in_sessions.live(bobs) is not None
    sign_in_sessions.sign_out_one(practice.alice, phone)
    assert [s.id for s in sign_in_sessions.mine(practice.alice, here)] == [here, laptop]
    assert sign_in_sessions.sign_out_everywhere_else(practice.alice, here) == 1
    assert [s.id for s in sign_in_sessions.mine(practice.alice, here)] == [here]
    assert sign_in_sessions.live(here) is not None and sign_in_sessions.live(bobs) is not None
