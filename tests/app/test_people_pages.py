"""/people, the new /settings sections, the two-step sign-in and "Forgot your password?" through the real app."""
import pyotp
from sqlalchemy import select

from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.models import Notification
from lib.people import auth, sign_in_sessions, two_step
from lib.people import staff as people
from lib.practice import sign_in_rules
from tests.app.helpers import app, logged_in_app, open_page, switch_page, texts
from tests.factories import PASSWORD

NEW_PASSWORD = "lantern-orchid-quarry-ninety"


def _people_rows(at):
    return at.dataframe[0].value.to_dict("records")


def test_a_therapist_who_types_people_is_refused(sqlite_practice):
    at = logged_in_app("alice")
    at.run()
    assert "People" not in [p for p in texts(at).split()]  # not in the menu
    switch_page(at, "people.py").run()  # typed: the address says it is for managers, and shows nothing
    assert "This page is for practice managers" in texts(at) and not at.dataframe


def test_people_lists_everyone_with_role_status_and_two_step(sqlite_practice):
    secret = two_step.new_secret()
    two_step.turn_on(sqlite_practice.bob.id, secret, pyotp.TOTP(secret).at(clock.now()))
    at = open_page("morgan", "people.py")
    assert not at.exception
    rows = {r["Username"]: r for r in _people_rows(at)}
    assert rows["alice"]["Role"] == "Therapist" and rows["alice"]["SMS alerts"] == "on"
    assert rows["bob"]["Two-step sign-in"] == "on" and rows["alice"]["Two-step sign-in"] == "off"
    assert rows["morgan"]["Role"] == "Practice manager" and rows["morgan"]["Status"] == "Active"


def test_adding_a_person_emails_a_link_and_never_shows_a_password(sqlite_practice):
    at = open_page("morgan", "people.py")
    at.text_input(key="bd_add_name").input("Carol Diaz")
    at.text_input(key="bd_add_username").input("carol")
    at.text_input(key="bd_add_email").input("carol@practice.example")
    at.button(key="FormSubmitter:bd_add_person-Add and email a link to set a password").click().run()
    assert not at.exception
    said = at.success[0].value
    assert "Carol Diaz is added as a therapist" in said and "24 hours" in said
    assert "not** been emailed" in said  # no SMTP in this test: the page says so
    assert "password" not in " ".join(str(t.value) for t in at.text_input if t.key and "add" in t.key)
    rows = {r["Username"]: r for r in _people_rows(at)}
    assert rows["carol"]["Status"] == "Invited (no password yet)"


def test_deactivating_asks_first_then_signs_them_out(sqlite_practice):
    alices = sign_in_sessions.start(sqlite_practice.alice.id, browser="Firefox", address="1.1.1.1", browser_session="x")
    at = open_page("morgan", "people.py")
    at.selectbox(key="bd_people_who").set_value(sqlite_practice.alice.id).run()
    at.button(key="bd_people_deactivate").click().run()
    assert "Deactivate Alice Moreno?" in texts(at)
    assert sign_in_sessions.live(alices) is not None  # nothing yet
    at.button(key="bd_people_deactivate_yes").click().run()
    assert not at.exception
    assert "Alice Moreno is deactivated and signed out" in at.success[0].value
    assert sign_in_sessions.live(alices) is None


def test_a_manager_cannot_deactivate_themselves_on_the_page(sqlite_practice):
    at = open_page("morgan", "people.py")
    at.selectbox(key="bd_people_who").set_value(sqlite_practice.morgan.id).run()
    assert "You can't deactivate yourself" in texts(at)
    assert not [b for b in at.button if b.key == "bd_people_deactivate"]


def test_changing_your_password_in_settings_explains_a_weak_one(sqlite_practice):
    at = open_page("alice", "settings.py")
    at.text_input(key="bd_pw_current").input(PASSWORD)
    at.text_input(key="bd_pw_new").input("password1234")
    at.text_input(key="bd_pw_again").input("password1234")
    at.button(key="FormSubmitter:bd_change_password-Change my password").click().run()
    assert "too easy to guess: This is a very common password" in at.error[0].value
    at.text_input(key="bd_pw_current").input(PASSWORD)
    at.text_input(key="bd_pw_new").input(NEW_PASSWORD)
    at.text_input(key="bd_pw_again").input(NEW_PASSWORD)
    at.button(key="FormSubmitter:bd_change_password-Change my password").click().run()
    assert "signed out everywhere else" in at.success[0].value
    assert auth.verify_login("alice", NEW_PASSWORD)


def test_turning_on_two_step_in_settings_shows_the_qr_code_and_ten_codes_once(sqlite_practice):
    at = open_page("alice", "settings.py")
    at.button(key="bd_enrol_start").click().run()
    assert len(at.image) == 1 and "authenticator" in at.image[0].proto.imgs[0].caption  # the QR code
    secret = at.session_state["bd_visit"].enrol_secret
    at.text_input(key="bd_enrol_settings_code").input(pyotp.TOTP(secret).at(clock.now()))
    at.button(key="FormSubmitter:bd_enrol_settings-Turn on two-step sign-in").click().run()
    assert not at.exception
    codes = [c.value for c in at.code if c.value.count("\n") == 9][0].split("\n")
    assert len(codes) == 10 and "won't be shown again" in texts(at)
    at.button(key="bd_codes_done").click().run()
    assert not [c for c in at.code if c.value.count("\n") == 9]
    assert "10 unused recovery codes" in texts(at)


def test_sessions_are_listed_and_sign_out_everywhere_else_ends_the_others(sqlite_practice):
    other = sign_in_sessions.start(sqlite_practice.alice.id, browser="Safari on iPhone", address="10.1.2.3",
                                   browser_session="phone")
    at = open_page("alice", "settings.py")
    said = texts(at).replace("\\", "")
    assert "Safari on iPhone" in said and "10.1.2.3" in said and "this browser" in said
    at.button(key="bd_end_others").click().run()
    assert "signed out everywhere except this browser" in at.success[0].value
    assert sign_in_sessions.live(other) is None
    assert "Safari on iPhone" not in texts(at)


def test_a_session_ended_elsewhere_is_signed_out_on_its_next_click(sqlite_practice):
    at = open_page("alice", "settings.py")
    sign_in_sessions.end_session(at.session_state["bd_visit"].sign_in_session)
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "this sign-in has ended" in texts(at)


def test_sign_in_rules_are_for_managers_and_require_two_step_at_sign_in(sqlite_practice):
    assert "Sign-in rules" not in texts(open_page("alice", "settings.py"))
    at = open_page("morgan", "settings.py")
    at.selectbox(key="bd_rules_two_step").set_value("everyone")
    at.button(key="FormSubmitter:bd_sign_in_rules-Save the sign-in rules").click().run()
    assert "sign-in rules are saved" in at.success[0].value
    assert sign_in_rules.current().two_step_required_for("therapist")
    # Bob signs in: after his password he is walked through setting up two-step sign-in.
    login = app()
    login.run()
    login.text_input[0].input("bob")
    login.text_input[1].input(PASSWORD)
    login.button[0].click().run()
    assert "Set up two-step sign-in" in texts(login)
    secret = login.session_state["bd_visit"].pending.secret
    login.text_input(key="bd_enrol_code").input(pyotp.TOTP(secret).at(clock.now()))
    login.button(key="FormSubmitter:bd_enrol-Turn on two-step sign-in").click().run()
    assert "Save these 10 recovery codes" in texts(login)
    login.button(key="bd_codes_saved").click().run()
    assert not login.exception
    assert login.session_state["bd_visit"].checked and login.session_state["bd_visit"].sign_in_session


def test_two_step_sign_in_asks_for_a_code_and_counts_wrong_ones(sqlite_practice):
    secret = two_step.new_secret()
    two_step.turn_on(sqlite_practice.alice.id, secret, pyotp.TOTP(secret).at(clock.now()))
    clock.freeze(clock.now() + __import__("datetime").timedelta(minutes=1))
    at = app()
    at.run()
    at.text_input[0].input("alice")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert "Two-step sign-in" in texts(at) and not at.session_state["bd_visit"].checked
    at.text_input(key="bd_two_step_code").input("000000")
    at.button(key="FormSubmitter:bd_two_step-Sign in").click().run()
    assert "That code isn't right" in at.error[0].value
    at.text_input(key="bd_two_step_code").input(pyotp.TOTP(secret).at(clock.now()))
    at.button(key="FormSubmitter:bd_two_step-Sign in").click().run()
    assert not at.exception and at.session_state["bd_visit"].checked


def test_forgot_password_says_the_same_for_a_known_and_an_unknown_address(sqlite_practice, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")  # said as if sent; nothing is sent in this test
    said = []
    for email in ("alice@practice.example", "nobody@practice.example"):
        at = app()
        at.run()
        at.button(key="bd_forgot_open").click().run()
        at.text_input(key="bd_forgot_email").input(email)
        at.button(key="FormSubmitter:bd_forgot-Email me a link").click().run()
        said.append(at.success[0].value)
    assert said[0] == said[1] and "1 hour" in said[0]
    with unit_of_work() as s:
        assert s.scalars(select(Notification.recipient).where(Notification.template == "reset_password")).all() == [
            "alice@practice.example"]


def test_the_set_password_page_sets_it_once(sqlite_practice):
    people.add(sqlite_practice.morgan, username="carol", name="Carol Diaz", email="carol@practice.example",
               role="therapist", timezone="Europe/London")
    with unit_of_work() as s:
        body = s.scalar(select(Notification.body_text).where(Notification.template == "set_password"))
    token = body.split("set-password?token=")[1].split()[0]
    at = app()
    at.query_params["token"] = token
    at.run()
    switch_page(at, "set_password.py")
    at.query_params["token"] = token
    at.run()
    assert "Your username is **carol**" in texts(at)
    at.text_input(key="bd_new_password").input(NEW_PASSWORD)
    at.text_input(key="bd_new_password_again").input(NEW_PASSWORD)
    at.button(key="FormSubmitter:bd_choose_password-Set my password").click().run()
    assert not at.exception
    assert "Your password is set" in at.success[0].value
    assert auth.verify_login("carol", NEW_PASSWORD)
    again = app()
    again.run()
    switch_page(again, "set_password.py")
    again.query_params["token"] = token
    again.run()
    assert "can't be used" in texts(again)
