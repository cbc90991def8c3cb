"""The /outbox service: managers see every message and its fate, read it as sent, and retry failed ones."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from lib.core.models import AuditEntry, Notification
from lib.notify import dispatcher
from lib.notify import outbox_review as messages
from tests.conftest import NOW
from tests.factories import book
from tests.servers import no_channels, smtp_server  # noqa: F401 — fixtures


def _confirmed_booking(p) -> int:
    booking_id = book(p.bob, client="Sam Lee", email="sam@client.example", starts_at=NOW.replace(day=27, hour=16))
    bookings.confirm(p.bob, booking_id, session_view.get_for(p.bob, booking_id).version)
    return booking_id


def test_managers_see_every_message_with_filters(practice, smtp_server):
    smtp_server.refuse("sam@client.example")
    booking_id = _confirmed_booking(practice)
    book(practice.alice, client="Ann Other", email="ann@client.example", starts_at=NOW.replace(day=26, hour=9))
    dispatcher.run_once()  # SMTP refuses sam; alice's SMS has no Twilio settings

    everything = messages.list_messages(practice.morgan)
    assert everything.matching == len(everything.rows) >= 5
    assert everything.by_status["failed"] >= 1 and everything.by_status["not_sent"] == 1
    failed = messages.list_messages(practice.morgan, status="failed")
    assert failed.rows and {r.recipient for r in failed.rows} == {"sam@client.example"}
    assert all("550" in r.last_error for r in failed.rows)
    sms = messages.list_messages(practice.morgan, channel="sms")
    assert [(r.channel, r.status, r.status_label) for r in sms.rows] == [
        ("sms", "not_sent", "Not sent — channel not configured")]
    one_session = messages.list_messages(practice.morgan, booking_id=booking_id)
    assert {r.booking_id for r in one_session.rows} == {booking_id}
    newest_first = [r.created_at for r in everything.rows]
    assert newest_first == sorted(newest_first, reverse=True)
    with pytest.raises(InvalidInput):
        messages.list_messages(practice.morgan, status="lost")


def test_a_message_is_shown_as_the_recipient_gets_it(practice, smtp_server):
    booking_id = _confirmed_booking(practice)
    dispatcher.run_once()
    [row] = [r for r in messages.list_messages(practice.morgan, booking_id=booking_id).rows if r.template == "confirmed"]

    view = messages.get_message(practice.morgan, row.id, record_view=True)

    [sent] = [m for m in smtp_server.messages_to("sam@client.example")
              if m["Subject"] == view.row.subject]
    assert view.message_id == sent["Message-ID"]
    # The client's private session link is in the email; staff see that it was sent, not the key itself.
    assert "/my-session?token=" in sent.get_body(("plain",)).get_content()
    assert view.body_text == messages.hide_private_links(sent.get_body(("plain",)).get_content())
    assert view.body_html == messages.hide_private_links(sent.get_body(("html",)).get_content())
    assert view.sender == "Booking Desk <desk@practice.example>"
    inv = view.invitation
    assert inv.method == "REQUEST" and inv.uid == f"session-{booking_id}@booking-desk"
    assert inv.starts.hour == 16 and str(inv.starts.tzinfo) == "Europe/London"
    with unit_of_work() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "view_message"))
    assert (entry.username, entry.booking_id) == ("morgan", booking_id)


def test_retry_sends_a_failed_message_again(practice, smtp_server):
    smtp_server.refuse("sam@client.example")
    _confirmed_booking(practice)
    dispatcher.run_once()
    [failed] = [r for r in messages.list_messages(practice.morgan, status="failed").rows if r.template == "confirmed"]
    smtp_server.refused.clear()  # the client fixed their mailbox

    messages.retry(practice.morgan, failed.id)

    again = messages.get_message(practice.morgan, failed.id).row
    assert (again.status, again.attempts) == ("pending", 0)
    assert dispatcher.run_once().sent == 1
    assert messages.get_message(practice.morgan, failed.id).row.status == "sent"
    with pytest.raises(Conflict, match="only a failed message"):
        messages.retry(practice.morgan, failed.id)  # already sent: nothing to retry


def test_a_message_kept_for_want_of_settings_can_be_sent_once_configured(practice, no_channels, monkeypatch):
    book(practice.bob)
    dispatcher.run_once()
    rows = messages.list_messages(practice.morgan, status="not_sent").rows
    assert rows and not any(s.configured for s in messages.channel_settings(practice.morgan) if s.channel == "email")

    from tests.servers import SmtpServer

    server = SmtpServer()
    server.start()
    server.env(monkeypatch)
    try:
        for r in rows:
            messages.retry(practice.morgan, r.id)
        clock.freeze(NOW + timedelta(minutes=5))
        assert dispatcher.run_once().sent == len(rows)
        assert len(server.received) == len(rows)
    finally:
        server.stop()


def test_only_managers_reach_the_outbox(sqlite_practice):
    p = sqlite_practice
    book(p.alice)
    with unit_of_work() as s:
        any_id = s.scalar(select(Notification.id))
    for call in (lambda: messages.list_messages(p.alice), lambda: messages.get_message(p.alice, any_id),
                 lambda: messages.retry(p.alice, any_id), lambda: messages.channel_settings(p.alice),
                 lambda: messages.list_messages(None)):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(NotFound):
        messages.get_message(p.morgan, 999_999)
    with pytest.raises(NotFound):
        messages.get_message(p.morgan, "not-a-number")


def test_channel_settings_never_show_secrets(sqlite_practice, smtp_server, monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-token-secret")
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+447911123456")

    shown = " ".join(s.description for s in messages.channel_settings(sqlite_practice.morgan))

    assert "127.0.0.1" in shown and "+447911123456" in shown
    assert "hunter2" not in shown and "twilio-token" not in shown


def test_a_clients_private_link_is_not_shown_to_staff(practice, smtp_server):
    book(practice.bob, client="Sam Lee", email="sam@client.example")
    dispatcher.run_once()
    [received] = [r for r in messages.list_messages(practice.morgan).rows if r.recipient == "sam@client.example"]

    view = messages.get_message(practice.morgan, received.id)

    [sent] = smtp_server.messages_to("sam@client.example")
    assert "token=" in sent.get_body(("plain",)).get_content()  # the client does get their link…
    assert "token=(private — hidden)" in view.body_text  # …staff see only that it was sent
    assert "token=(private — hidden)" in view.body_html
