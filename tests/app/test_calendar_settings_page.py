"""/settings → Your calendar, through the real app: the feed's address shown once with its copy button, reset;
a calendar address saved while its server hangs (the page answers at once, the failure shows in plain words);
a session blocked by an outside event says so on its page, and Confirm is off."""
from __future__ import annotations

import time
from datetime import datetime

from lib.calendars import busy as calendar_busy
from lib.calendars import feed as calendar_feed
from lib.calendars import fetch as calendar_fetch
from lib.core.db import unit_of_work
from lib.core.models import CalendarBusy
from tests.app.helpers import open_page, texts
from tests.calendar_servers import hanging_server, wait_for_read
from tests.factories import book


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def test_only_therapists_have_the_calendar_section(sqlite_practice):
    assert "Your calendar" in texts(open_page("alice", "settings.py"))
    assert "Your calendar" not in texts(open_page("morgan", "settings.py"))


def test_feed_address_is_shown_once_to_copy_and_a_reset_stops_the_old_one(sqlite_practice):
    at = open_page("alice", "settings.py")
    at.button(key="cal_feed_make").click().run()
    assert not at.exception
    first = at.code[0].value
    assert first.startswith("http://desk.test/calendar/") and calendar_feed.feed_for(_token(first))
    assert "Copy it now" in texts(at)
    at.button(key="cal_feed_reset").click().run()
    second = at.code[0].value
    assert second != first and calendar_feed.feed_for(_token(first)) is None
    assert "the old one no longer works" in at.success[0].value
    at.button(key="cal_feed_hide").click().run()
    assert not at.code and "Your private address was made" in texts(at)
    assert "No calendar app has read it yet" in texts(at)
    calendar_feed.feed_for(_token(second))
    at.run()
    assert "A calendar app last read it Tue 24 Nov 2026, 10:00 GMT" in texts(at)


def test_saving_an_address_whose_server_hangs_does_not_hold_the_page(sqlite_practice, monkeypatch):
    monkeypatch.setenv("BOOKING_DESK_CALENDAR_ALLOW_LOOPBACK", "1")
    monkeypatch.setattr(calendar_fetch, "TOTAL_SECONDS", 2.0)
    at = open_page("alice", "settings.py")
    with hanging_server() as url:
        at.text_input(key="cal_busy_url").input(url)
        started = time.monotonic()
        at.button(key="FormSubmitter:cal_busy_form-Save and read it now").click().run()
        took = time.monotonic() - started
        assert not at.exception
        assert "being read now" in at.success[0].value
        assert "Reading your calendar" in texts(at)
        wait_for_read(sqlite_practice.alice, seconds=10)
    assert took < 1.5, f"the page took {took:.2f} s"
    at.run()
    assert any("did not answer within 2 seconds" in w.value for w in at.warning)


def test_a_session_blocked_by_an_outside_event_says_busy_in_your_calendar(sqlite_practice):
    at_time = datetime(2026, 11, 25, 14, 0)
    bid = book(sqlite_practice.alice, starts_at=at_time)
    with unit_of_work(write=True) as s:  # as a read of her calendar leaves it: start and end, nothing else
        s.add(CalendarBusy(user_id=sqlite_practice.alice.id, starts_at=datetime(2026, 11, 25, 13, 30),
                           ends_at=datetime(2026, 11, 25, 14, 30)))
    at = open_page("alice", "session.py", id=bid)
    assert not at.exception
    assert any("busy in your calendar" in e.value for e in at.error)
    assert at.button(key="confirm_open").disabled
    assert calendar_busy.status(sqlite_practice.alice).connected is False
