"""The /outbox page, driven through the real app script (AppTest): managers only, filters, viewing, retrying."""
from __future__ import annotations

import pytest

from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.notify import dispatcher
from lib.notify import outbox_review as messages
from tests.app.helpers import open_page, switch_page, texts
from tests.conftest import NOW
from tests.factories import book
from tests.servers import smtp_server  # noqa: F401 — fixture


@pytest.fixture
def outbox(sqlite_practice, smtp_server):
    """Sent, failed and not-sent messages, as a morning at the practice leaves them."""
    p = sqlite_practice
    smtp_server.refuse("sam@client.example")
    sam = book(p.bob, client="Sam *Lee*", email="sam@client.example", starts_at=NOW.replace(day=27, hour=16))
    bookings.confirm(p.bob, sam, session_view.get_for(p.bob, sam).version)
    book(p.alice, client="Ann Other", email="ann@client.example", starts_at=NOW.replace(day=26, hour=9))
    dispatcher.run_once()  # sam's mailbox refuses; alice's SMS has no Twilio settings
    return p


def _table(at):
    return at.dataframe[0].value


def test_a_manager_sees_every_message_and_its_status(outbox):
    at = open_page("morgan", "outbox.py")

    assert not at.exception
    page = texts(at)
    assert "Outbox" in page
    assert "**Email** is sent via 127\\.0\\.0\\.1" in page and "SMS is not configured" in page
    table = _table(at)
    assert {"Sent", "Failed", "Not sent — channel not configured"} <= set(table["Status"])
    failed = table[table["Status"] == "Failed"]
    assert set(failed["To"]) == {"sam@client.example"}
    assert all("550" in problem for problem in failed["Problem"])


def test_filters_narrow_the_list(outbox):
    at = open_page("morgan", "outbox.py")

    at.selectbox(key="outbox_status").set_value("failed").run()
    assert set(_table(at)["Status"]) == {"Failed"}
    at.selectbox(key="outbox_status").set_value("all")
    at.selectbox(key="outbox_channel").set_value("sms").run()
    table = _table(at)
    assert list(table["Channel"]) == ["SMS"] and list(table["To"]) == ["+447911123456"]


def test_opening_a_message_shows_it_as_the_recipient_gets_it(outbox):
    at = open_page("morgan", "outbox.py")
    table = _table(at)
    confirmed = int(table[table["Message"] == "Your therapy session is confirmed"]["#"].iloc[0])

    at.selectbox(key="outbox_pick").set_value(confirmed).run()

    assert not at.exception
    page = texts(at)
    assert f"Message #{confirmed}" in page
    assert "Dear Sam," in page and "Sam *Lee*" in page  # plain text, shown literally
    assert "48 hours" in page
    assert "When: Fri 27 Nov 2026, 16:00 GMT (Europe/London)" in page
    assert "Send again" in [b.label for b in at.button]


def test_send_again_queues_a_failed_message_and_it_goes_out(outbox, smtp_server):
    at = open_page("morgan", "outbox.py")
    table = _table(at)
    confirmed = int(table[table["Message"] == "Your therapy session is confirmed"]["#"].iloc[0])
    at.selectbox(key="outbox_pick").set_value(confirmed).run()
    smtp_server.refused.clear()

    at.button(key="outbox_retry").click().run()

    assert not at.exception
    assert f"Message #{confirmed} is queued to be sent again." in texts(at)
    assert dispatcher.run_once().sent == 1
    assert [m["Subject"] for m in smtp_server.messages_to("sam@client.example")] == [
        "Your therapy session is confirmed"]


def test_a_link_can_open_one_message_even_off_the_filtered_list(outbox):
    sent = messages.list_messages(outbox.morgan, status="sent").rows[0].id
    at = open_page("morgan", "outbox.py", id=sent)
    assert f"Message #{sent}" in texts(at)
    at.selectbox(key="outbox_status").set_value("failed").run()
    assert f"Message #{sent}" in texts(at)  # still open, though it is not a failed one


def test_therapists_have_no_outbox(outbox):
    at = open_page("alice", "dashboard.py")
    switch_page(at, "outbox.py").run()  # a page that says it is for managers; lib refuses them too
    assert "This page is for practice managers" in texts(at) and not at.dataframe
