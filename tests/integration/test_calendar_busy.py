"""Busy times from the therapist's own calendar, read from a real local HTTP server: a weekly event in New
York time and an all-day event block Confirm (and the suggested times) then, and only then; no title is kept;
addresses inside private networks are refused; a server that hangs times out, and saving never waits for it."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lib.bookings import answers
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.calendars import busy as calendar_busy
from lib.calendars import fetch as calendar_fetch
from lib.calendars.fetch import CalendarFetchError
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import CalendarBusy, TherapistCalendar
from tests.calendar_servers import calendar_server, hanging_server, wait_for_read
from tests.factories import book

# The test clock is Tue 24 Nov 2026, 10:00 London (GMT). The dentist is on Wednesdays at 09:00 New York time
# (14:00 London until the US moves its clocks on 14 March 2027; 13:00 London from then until London does on
# 28 March). The day off is Friday 27 November, all day, in a calendar kept in Tokyo time.
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Own calendar//EN
X-WR-TIMEZONE:Asia/Tokyo
BEGIN:VEVENT
UID:dentist-1@example.com
DTSTAMP:20261101T000000Z
DTSTART;TZID=America/New_York:20261104T090000
DTEND;TZID=America/New_York:20261104T100000
RRULE:FREQ=WEEKLY;BYDAY=WE
SUMMARY:Dentist (Dr Secret)
DESCRIPTION:root canal
END:VEVENT
BEGIN:VEVENT
UID:dayoff-1@example.com
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:20261127
DTEND;VALUE=DATE:20261128
SUMMARY:Day off - private
END:VEVENT
BEGIN:VEVENT
UID:free-1@example.com
DTSTAMP:20261101T000000Z
DTSTART:20261126T110000Z
DTEND:20261126T120000Z
TRANSP:TRANSPARENT
SUMMARY:Reminder only (free)
END:VEVENT
BEGIN:VEVENT
UID:cancelled-1@example.com
DTSTAMP:20261101T000000Z
DTSTART:20261126T150000Z
DTEND:20261126T160000Z
STATUS:CANCELLED
SUMMARY:Called off
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n").encode()


@pytest.fixture
def loopback_ok(monkeypatch):
    monkeypatch.setenv("BOOKING_DESK_CALENDAR_ALLOW_LOOPBACK", "1")


def _confirm(actor, booking_id):
    bookings.confirm(actor, booking_id, session_view.get_for(actor, booking_id).version)


def test_busy_times_block_confirm_then_and_only_then(practice, loopback_ok, db_url):
    alice = practice.alice
    with calendar_server({"/cal.ics": (200, {"Content-Type": "text/calendar"}, ICS)}) as base:
        calendar_busy.save_url(alice, f"{base}/cal.ics")
        status = wait_for_read(alice)
    assert status.error is None and status.fetched_at is not None and status.count > 20

    blocked = {
        "dentist, next Wednesday": datetime(2026, 11, 25, 14, 30),
        "dentist, a week later (it repeats)": datetime(2026, 12, 2, 13, 30),  # 13:30-14:20 overlaps 14:00
        "dentist after the US changed its clocks": datetime(2027, 3, 17, 13, 0),
        "the day off (all day, London time)": datetime(2026, 11, 27, 11, 0),
        "the day off, late evening": datetime(2026, 11, 27, 22, 0),
    }
    allowed = {
        "after the dentist": datetime(2026, 11, 25, 15, 0),
        "the US dentist hour in London's terms before it moved": datetime(2027, 3, 17, 14, 0),
        "the day before the day off": datetime(2026, 11, 26, 11, 0),  # also a free ("transparent") event then
        "a cancelled event's time": datetime(2026, 11, 26, 15, 0),
        "the morning after the day off": datetime(2026, 11, 28, 9, 0),
    }
    for what, at in blocked.items():
        bid = book(alice, "Oliver Bennett", email=f"o{at:%m%d%H}@client.example", starts_at=at)
        with pytest.raises(InvalidInput) as refused:
            _confirm(alice, bid)
        assert "busy in your calendar" in refused.value.message, what
        assert "Dentist" not in refused.value.message and "Day off" not in refused.value.message
        clash = session_view.get_for(alice, bid).availability.clashes
        assert clash and clash[0].outside and clash[0].what == "busy in your calendar", what
    for what, at in allowed.items():
        bid = book(alice, "Priya Shah", email=f"p{at:%m%d%H}@client.example", starts_at=at)
        _confirm(alice, bid)  # no error
        assert session_view.get_for(alice, bid).status == "confirmed", what

    # A manager confirming for her reads "the therapist's calendar".
    bid = book(alice, "Grace Hopper", starts_at=datetime(2026, 12, 9, 14, 0))
    with pytest.raises(InvalidInput, match="busy in the therapist's calendar"):
        _confirm(practice.morgan, bid)

    # The suggested times keep clear of the dentist and the day off.
    suggested = answers.suggested_times(alice, bid, count=12)
    assert len(suggested) == 12
    for start in suggested:
        end = start + timedelta(minutes=50)
        assert start.date() != datetime(2026, 11, 27).date()
        assert not (start.weekday() == 2 and start < start.replace(hour=15) and end > start.replace(hour=14))

    # Only start and end are kept: never the title or the description.
    with unit_of_work() as s:
        kept = s.execute(select(CalendarBusy.__table__)).all()
        row = s.get(TherapistCalendar, alice.id)
    assert set(CalendarBusy.__table__.columns.keys()) == {"id", "user_id", "starts_at", "ends_at"}
    assert len(kept) == status.count
    if db_url.startswith("sqlite"):
        raw = Path(db_url.removeprefix("sqlite:///")).read_bytes()
        assert b"Dentist" not in raw and b"root canal" not in raw and b"Day off" not in raw
    assert row.busy_error is None


def test_disconnecting_forgets_the_busy_times(practice, loopback_ok):
    alice = practice.alice
    at = datetime(2026, 11, 25, 14, 0)
    with calendar_server({"/c.ics": (200, {}, ICS)}) as base:
        calendar_busy.save_url(alice, f"{base}/c.ics")
        wait_for_read(alice)
    calendar_busy.remove_url(alice)
    bid = book(alice, starts_at=at)
    _confirm(alice, bid)
    assert not calendar_busy.status(alice).connected


@pytest.mark.parametrize("url", [
    "http://10.1.2.3/cal.ics", "http://192.168.1.20/cal.ics", "http://172.16.0.5/cal.ics",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/cal.ics", "http://[fe80::1]/cal.ics",
    "http://127.0.0.1/cal.ics", "http://localhost/cal.ics", "http://0.0.0.0/cal.ics", "http://[::ffff:10.0.0.1]/x",
])
def test_addresses_inside_private_networks_are_refused(url):
    with pytest.raises(CalendarFetchError, match="private network"):
        calendar_fetch.fetch(url)


def test_other_kinds_of_address_are_refused_when_saved(sqlite_practice):
    for url in ("file:///etc/passwd", "ftp://example.com/cal.ics", "gopher://x", "javascript:alert(1)", "",
                "https://user:pw@example.com/cal.ics"):
        with pytest.raises(InvalidInput):
            calendar_busy.save_url(sqlite_practice.alice, url)
    assert not calendar_busy.status(sqlite_practice.alice).connected


def test_a_redirect_into_a_private_network_is_refused(sqlite_practice, loopback_ok):
    routes = {"/cal.ics": (302, {"Location": "http://10.0.0.7/secret.ics"}, b"")}
    with calendar_server(routes) as base:
        with pytest.raises(CalendarFetchError, match="private network"):
            calendar_fetch.fetch(f"{base}/cal.ics")
        calendar_busy.save_url(sqlite_practice.alice, f"{base}/cal.ics")
        status = wait_for_read(sqlite_practice.alice)
    assert "private network" in status.error and status.fetched_at is None


def test_loopback_needs_the_test_switch(sqlite_practice, monkeypatch):
    monkeypatch.delenv("BOOKING_DESK_CALENDAR_ALLOW_LOOPBACK", raising=False)
    with calendar_server({"/cal.ics": (200, {}, ICS)}) as base:
        with pytest.raises(CalendarFetchError, match="private network"):
            calendar_fetch.fetch(f"{base}/cal.ics")
        monkeypatch.setenv("BOOKING_DESK_CALENDAR_ALLOW_LOOPBACK", "1")
        assert b"BEGIN:VCALENDAR" in calendar_fetch.fetch(f"{base}/cal.ics")


def test_too_big_or_not_a_calendar_is_said_in_plain_words(sqlite_practice, loopback_ok, monkeypatch):
    monkeypatch.setattr(calendar_fetch, "MAX_BYTES", 1000)
    routes = {"/big.ics": (200, {}, ICS + b" " * 2000), "/page": (200, {}, b"<html>login</html>"),
              "/gone.ics": (404, {}, b"")}
    with calendar_server(routes) as base:
        with pytest.raises(CalendarFetchError, match="larger than"):
            calendar_fetch.fetch(f"{base}/big.ics")
        with pytest.raises(CalendarFetchError, match="refused the address"):
            calendar_fetch.fetch(f"{base}/gone.ics")
        calendar_busy.save_url(sqlite_practice.alice, f"{base}/page")
        assert "not with a calendar we could read" in wait_for_read(sqlite_practice.alice).error


def test_a_hanging_server_times_out_and_saving_never_waits_for_it(sqlite_practice, loopback_ok, monkeypatch):
    monkeypatch.setattr(calendar_fetch, "TOTAL_SECONDS", 1.5)
    monkeypatch.setattr(calendar_fetch, "CONNECT_SECONDS", 1.0)
    with hanging_server() as url:
        started = time.monotonic()
        calendar_busy.save_url(sqlite_practice.alice, url)
        saved_in = time.monotonic() - started
        assert calendar_busy.status(sqlite_practice.alice).waiting
        status = wait_for_read(sqlite_practice.alice, seconds=10)
        read_in = time.monotonic() - started
    assert saved_in < 0.5, f"saving took {saved_in:.2f} s"
    assert 1.0 <= read_in < 5, f"the read gave up after {read_in:.2f} s"
    assert "did not answer within 1.5 seconds" in status.error


def test_the_booking_channel_is_told_the_therapist_is_busy_without_the_events_title(sqlite_practice, loopback_ok,
                                                                                     monkeypatch):
    import json

    from lib.booking_api import service as booking_api
    from tests.app_server import SECRET, booking, signed_headers

    monkeypatch.setenv("BOOKING_CHANNEL_SECRET", SECRET)
    with calendar_server({"/c.ics": (200, {}, ICS)}) as base:
        calendar_busy.save_url(sqlite_practice.alice, f"{base}/c.ics")
        wait_for_read(sqlite_practice.alice)
    body = json.dumps(booking("alice", starts_at="2026-11-25T14:00:00+00:00")).encode()
    answer = booking_api.receive(body, signed_headers(body))
    assert answer.status == 409
    assert answer.body["message"] == "The therapist is not free at that time (busy in their own calendar)."
    body = json.dumps(booking("alice", starts_at="2026-11-25T16:00:00+00:00")).encode()
    assert booking_api.receive(body, signed_headers(body)).status == 201


def test_read_again_every_15_minutes_with_what_the_calendar_says_then(sqlite_practice, loopback_ok):
    from lib.core import clock
    from tests.conftest import NOW

    alice = sqlite_practice.alice
    routes = {"/c.ics": (200, {}, ICS)}
    with calendar_server(routes) as base:
        calendar_busy.save_url(alice, f"{base}/c.ics")
        first = wait_for_read(alice)
        assert calendar_busy.refresh_due() == 0  # read a moment ago: not due
        routes["/c.ics"] = (200, {}, ICS.replace(b"RRULE:FREQ=WEEKLY;BYDAY=WE\r\n", b""))  # the repeats end
        clock.freeze(NOW + timedelta(minutes=14))
        assert calendar_busy.refresh_due() == 0
        clock.freeze(NOW + timedelta(minutes=15))
        assert calendar_busy.refresh_due() == 1
        later = calendar_busy.status(alice)
    assert first.count > 20 and later.count == 1  # only the day off is left (the one dentist visit is past)
    assert later.fetched_at == NOW + timedelta(minutes=15)


def test_https_checks_the_certificate_of_the_name_in_the_address(loopback_ok, tmp_path, monkeypatch):
    from tests.servers import self_signed_certificate

    certificate = self_signed_certificate(tmp_path)
    with calendar_server({"/c.ics": (200, {}, ICS)}, certificate=certificate) as base:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        with pytest.raises(CalendarFetchError, match="no valid security certificate"):
            calendar_fetch.fetch(f"{base}/c.ics")
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # now trusted, as a public CA's would be
        assert b"BEGIN:VCALENDAR" in calendar_fetch.fetch(f"{base}/c.ics")
        assert b"BEGIN:VCALENDAR" in calendar_fetch.fetch(base.replace("https://", "webcal://") + "/c.ics")


def test_the_calendar_address_is_stored_encrypted_and_rotate_key_moves_it(sqlite_practice, sqlite_url, monkeypatch):
    from cryptography.fernet import Fernet
    from sqlalchemy import text

    from lib.__main__ import main
    from lib.core import crypto, db

    monkeypatch.setenv("BOOKING_DESK_CALENDAR_SYNC", "off")
    secret = "https://calendar.example.com/ical/secret-part-0123456789/basic.ics"
    monkeypatch.setattr(calendar_busy, "read_soon", lambda user_id: None)  # no read here: only the storing
    calendar_busy.save_url(sqlite_practice.alice, secret)
    with db.engine(sqlite_url).connect() as conn:
        stored = conn.scalar(text("SELECT busy_url FROM therapist_calendars"))
    assert "secret-part" not in stored
    old, new = crypto.configured_keys()[0], Fernet.generate_key().decode()
    monkeypatch.setenv(crypto.ENV, f"{new},{old}")
    assert main(["rotate-key"]) == 0
    monkeypatch.setenv(crypto.ENV, new)  # the old key is gone: the address still reads
    status = calendar_busy.status(sqlite_practice.alice)
    assert status.connected and status.where == "calendar.example.com"
