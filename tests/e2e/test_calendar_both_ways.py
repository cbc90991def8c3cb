"""The therapist's calendar, both ways, in a real browser on a real server: Alice pastes her own calendar's
address in /settings (served by a local HTTP server), the section shows it was read without a reload, and a
request at a time she is busy says "busy in your calendar" with Confirm Session off; she makes her private
feed's address, copies it from the page, and a calendar app (plain HTTP here) reads her sessions from it.

Screenshots at 1400 and 390 px go to $BD_SCREENS when it is set (for a look, not an assertion)."""
from __future__ import annotations

import os
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.calendar_servers import calendar_server
from tests.e2e.conftest import (
    VIEWPORT,
    booking_row,
    log_in_on,
    running_app,
    session_ids_in,
    settle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _shoot(page, name: str) -> None:
    if not (folder := os.environ.get("BD_SCREENS")):
        return
    from tests.e2e.screens import shoot

    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1400, 390):
        shoot(page, Path(folder), f"{name}-{width}", width)


def _busy_at(starts_at) -> bytes:
    start, end = starts_at - timedelta(minutes=30), starts_at + timedelta(minutes=30)
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:gp@example.com\r\n"
            f"DTSTAMP:20261101T000000Z\r\nDTSTART:{start:%Y%m%dT%H%M%S}Z\r\nDTEND:{end:%Y%m%dT%H%M%S}Z\r\n"
            "SUMMARY:GP appointment\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def test_alice_connects_her_calendar_and_subscribes_to_her_sessions(browser, tmp_path):
    with running_app(tmp_path, extra_env={"BOOKING_DESK_CALENDAR_ALLOW_LOOPBACK": "1"}) as app:
        request_id = session_ids_in(app.database_url, "alice")[0]
        starts_at = booking_row(app.database_url, request_id).starts_at
        with calendar_server({"/own.ics": (200, {"Content-Type": "text/calendar"}, _busy_at(starts_at))}) as own:
            context = browser.new_context(base_url=app.url, viewport=VIEWPORT)
            page = context.new_page()
            log_in_on(page, "alice", "/settings", landing="Your calendar")

            page.get_by_role("textbox", name="Your calendar's secret address (iCal format)").fill(f"{own}/own.ics")
            page.get_by_role("button", name="Save and read it now").click()
            # Drawn again by itself once read (no reload): one busy time in the next 180 days.
            expect(page.get_by_text("1 busy time in the next 180 days")).to_be_visible()
            expect(page.get_by_text("GP appointment")).to_have_count(0)

            page.get_by_role("button", name="Make my private calendar address").click()
            code = page.locator("[data-testid='stCode']").first
            expect(code).to_contain_text("/calendar/")
            feed_url = code.inner_text().strip()
            settle(page)
            _shoot(page, "settings-calendar")

            with urllib.request.urlopen(feed_url, timeout=10) as answer:
                assert answer.headers["Content-Type"].startswith("text/calendar")
                events = Calendar.from_ical(answer.read()).walk("VEVENT")
            uid = f"session-{request_id}@booking-desk"
            mine = [e for e in events if str(e["UID"]) == uid]
            assert mine and str(mine[0]["STATUS"]) == "TENTATIVE"

            page.goto(f"/session?id={request_id}")
            expect(page.get_by_text("busy in your calendar")).to_be_visible()
            expect(page.get_by_role("button", name="Confirm Session")).to_be_disabled()
            expect(page.get_by_text("GP appointment")).to_have_count(0)
            _shoot(page, "session-busy")
            context.close()
