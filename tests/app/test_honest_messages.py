"""Honest words (issue 15): with and without email and SMS set up, staff read what really happens to messages.

The channels are read from the environment on every run (lib.notify.readiness → lib.core.config.get), so each test
sets or clears SMTP_HOST and TWILIO_ACCOUNT_SID itself; nothing is sent in these tests (no dispatcher runs
with a channel set up).
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from lib.core import clock
from lib.notify import dispatcher
from lib.notify import outbox_review as messages
from tests.app.helpers import md_table, open_page, texts
from tests.factories import book

BANNER = "not set up on this server:"  # the banner's opening words, after the channel names


SETTINGS = {  # a channel is set up when its first variable is (lib.notify.readiness)
    "email": {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2525", "SMTP_TLS": "none"},
    "sms": {"TWILIO_ACCOUNT_SID": "AC-test", "TWILIO_AUTH_TOKEN": "token", "TWILIO_FROM_NUMBER": "+15005550006"},
}


@pytest.fixture
def channels(monkeypatch):
    """set(email=…, sms=…): turn this server's email and SMS channels on or off (both off to start with)."""

    def set_(email: bool = False, sms: bool = False) -> None:
        for on, variables in ((email, SETTINGS["email"]), (sms, SETTINGS["sms"])):
            for name, value in variables.items():
                if on:
                    monkeypatch.setenv(name, value)
                else:
                    monkeypatch.delenv(name, raising=False)

    set_()
    return set_


def banners(at) -> list[str]:
    return [w.value for w in at.warning if BANNER in w.value]


# --- (a) the staff banner ---

def test_without_email_every_staff_page_says_so_once_near_the_top(sqlite_practice, channels):
    bid = book(sqlite_practice.alice)
    for user, page, query in [("morgan", "dashboard.py", {}), ("morgan", "new_booking.py", {}),
                              ("alice", "dashboard.py", {}), ("alice", "session.py", {"id": bid}),
                              ("alice", "settings.py", {})]:
        at = open_page(user, page, **query)
        assert not at.exception
        assert len(banners(at)) == 1, (user, page)
        assert at.warning[0].value == banners(at)[0], (user, page)  # above anything the page itself warns about

    manager = banners(open_page("morgan", "dashboard.py"))[0]
    assert manager == ("**Email and SMS are not set up on this server:** messages to clients and therapists are "
                       "kept in the [outbox](outbox) and **not sent**.")
    alice = banners(open_page("alice", "dashboard.py"))[0]  # she asked for text alerts
    assert alice.startswith("**Email and SMS are not set up on this server:** emails to your clients and your "
                            "alerts by email and text are kept in the outbox and **not sent**.")
    bob = banners(open_page("bob", "dashboard.py"))[0]  # he did not: SMS is nothing to him
    assert bob.startswith("**Email is not set up on this server:** emails to your clients and your email alerts")


def test_with_email_and_sms_set_up_there_is_no_banner(sqlite_practice, channels):
    channels(email=True, sms=True)
    for user in ("morgan", "alice", "bob"):
        at = open_page(user, "dashboard.py")
        assert not at.exception
        assert banners(at) == [], user
        assert "not set up" not in texts(at)


def test_with_email_only_the_banner_is_for_those_who_rely_on_sms(sqlite_practice, channels):
    channels(email=True)
    assert banners(open_page("morgan", "dashboard.py")) == [
        "**SMS is not set up on this server:** text messages to clients and therapists are kept in the "
        "[outbox](outbox) and **not sent**."]
    assert banners(open_page("alice", "dashboard.py")) == [
        "**SMS is not set up on this server:** your text alerts are **not sent**. Alerts still come by email."]
    assert banners(open_page("bob", "dashboard.py")) == []


def test_a_therapist_who_turns_text_alerts_on_sees_the_banner_at_once(sqlite_practice, channels):
    channels(email=True)
    at = open_page("bob", "settings.py")
    assert banners(at) == []
    assert "not set up on this server" in at.toggle(key="s_sms").help  # said before turning it on
    at.toggle(key="s_sms").set_value(True)
    at.text_input(key="s_sms_phone").set_value("+44 7911 123456")
    at.button[0].click().run()  # Save my settings
    assert not at.exception
    assert "Your settings are saved." in texts(at)
    assert banners(at) == [
        "**SMS is not set up on this server:** your text alerts are **not sent**. Alerts still come by email."]


def test_the_outbox_and_the_clients_pages_have_no_banner(sqlite_practice, channels):
    outbox = open_page("morgan", "outbox.py")
    assert banners(outbox) == []
    assert "**Email is not configured.**" in texts(outbox)  # the outbox says it channel by channel instead
    for page in ("assessment.py", "respond.py"):  # a staff member following a client's link
        at = open_page("morgan", page, token="nonsense.token")
        assert not at.exception
        assert banners(at) == [] and "can't be used" in at.info[0].value


# --- (b) the new-booking success message ---

def _save_a_booking(at):
    at.selectbox(key="nb_therapist").set_value("alice")
    at.date_input(key="nb_date").set_value((clock.now() + timedelta(days=2)).date())
    at.time_input(key="nb_time").set_value(clock.now().replace(hour=11, minute=0).time())
    for key, value in dict(nb_client_name="Zoë Lambert", nb_client_email="zoe@example.org",
                           nb_video_service="Zoom").items():
        at.text_input(key=key).set_value(value)
    at.run()
    at.button(key="nb_check").click().run()
    at.button(key="nb_save").click().run()
    assert not at.exception
    return [s.value for s in at.success if s.value.startswith("Session saved.")]


def test_new_booking_without_channels_says_nothing_was_sent(sqlite_practice, channels):
    saved = _save_a_booking(open_page("morgan", "new_booking.py"))
    assert saved == ["Session saved. Email and SMS are not set up on this server, so these 3 messages to Alice "
                     "Moreno and the client have **not** been sent; they are kept in the outbox."]
    assert "on their way" not in texts(open_page("morgan", "new_booking.py"))


def test_new_booking_with_channels_says_the_messages_are_queued(sqlite_practice, channels):
    channels(email=True, sms=True)
    saved = _save_a_booking(open_page("morgan", "new_booking.py"))
    assert saved == ["Session saved. 3 messages to Alice Moreno and the client are queued; they usually go out "
                     "within a minute."]


def test_new_booking_with_email_only_says_which_messages_wait(sqlite_practice, channels):
    channels(email=True)
    saved = _save_a_booking(open_page("morgan", "new_booking.py"))
    assert saved == ["Session saved. 2 emails to Alice Moreno and the client are queued; they usually go out within "
                     "a minute. SMS is not set up on this server, so the text message has **not** been sent; it is "
                     "kept in the outbox."]


def test_an_import_says_its_queued_messages_are_not_sent_without_email(sqlite_practice, channels):
    from tests.app.test_new_booking_page import GOOD, _upload

    at = _upload(open_page("morgan", "new_booking.py"), "export.csv", GOOD.encode())
    assert at.success[0].value == (
        "Imported 2 sessions: 2 new clients, 5 messages queued for clients and therapists. Email and SMS are not "
        "set up on this server, so the emails and text messages among them are kept in the outbox and **not** sent.")


# --- (c) message statuses, each said once ---

@pytest.fixture
def kept(sqlite_practice, channels):
    """A booking whose messages the dispatcher found no channel for: all "not sent"."""
    bid = book(sqlite_practice.alice, "Zoë Lambert", email="zoe@example.org")
    assert dispatcher.run_once().not_sent == 3
    return bid


def test_outbox_table_says_not_sent_once_per_message(kept):
    at = open_page("morgan", "outbox.py")
    table = at.dataframe[0].value
    assert len(table) == 3
    for _, row in table.iterrows():
        assert row["Status"] == "Not sent — channel not configured"
        assert row["Problem"] == ""
        assert sum("not configured" in str(cell).lower() for cell in row) == 1, dict(row)


def test_an_opened_message_says_not_sent_once(kept, sqlite_practice):
    picked = messages.list_messages(sqlite_practice.morgan, channel="email").rows[0].id
    at = open_page("morgan", "outbox.py", id=picked)
    details = [t.value for t in at.text]
    assert "Not sent — channel not configured" in details
    assert sum("not configured" in d.lower() or "not sent" in d.lower() for d in details) == 1, details


def test_a_failed_message_keeps_its_problem_beside_its_status(sqlite_practice, channels):
    from lib.core.db import unit_of_work
    from lib.core.models import Notification

    book(sqlite_practice.alice, "Zoë Lambert", email="zoe@example.org")
    with unit_of_work(write=True) as s:
        n = s.query(Notification).filter_by(channel="email", recipient="zoe@example.org").one()
        n.status, n.last_error = "failed", "550 mailbox unavailable"
    table = open_page("morgan", "outbox.py").dataframe[0].value
    failed = table[table["Status"] == "Failed"]
    assert list(failed["Problem"]) == ["550 mailbox unavailable"]


def test_the_session_page_says_not_sent_once(kept):
    at = open_page("alice", "session.py", id=kept)
    statuses = {row["Status"] for row in md_table(at, "Written")}
    assert statuses == {"Not sent — channel not configured"}


def test_sending_again_says_whether_it_will_go_out(kept, sqlite_practice, channels):
    first, second = [r.id for r in messages.list_messages(sqlite_practice.morgan, channel="email").rows]
    at = open_page("morgan", "outbox.py", id=first)
    at.button(key="outbox_retry").click().run()
    assert not at.exception
    assert not [s for s in at.success if "queued" in s.value]
    assert [w.value for w in at.warning if f"#{first}" in w.value] == [
        f"Message #{first} is queued again, but it will **not** be sent: Email is not set up on this server."]

    channels(email=True)  # set up now (nothing is dispatched in this test)
    at = open_page("morgan", "outbox.py", id=second)
    at.button(key="outbox_retry").click().run()
    assert not at.exception
    assert [s.value for s in at.success if f"#{second}" in s.value] == [
        f"Message #{second} is queued to be sent again. It usually goes out within a minute."]
