"""One tap from the alert email: on a server of its own with a real SMTP server and the in-app dispatcher on.

A booking arrives through the bookings API → alice's alert email reaches the SMTP server → its private link
opens in a fresh browser context, no sign-in → loading it three times (and a mail scanner's plain GET) changes
nothing → Confirm Session confirms once → the client's confirmation email arrives → a second visit says it is
already confirmed; signed in on her own browser, alice gets the normal session page instead.
"""
from __future__ import annotations

import re
import time
from email.message import EmailMessage

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import create_engine, func, select

from lib.core.models import AuditEntry, BookingEvent, Notification
from tests.app_server import SECRET, booking, deliver
from tests.e2e.conftest import (
    booking_row,
    log_in_on,
    mailing_env,
    new_page,
    running_app,
    wait_for_login_cookie,
)
from tests.servers import SmtpServer

pytestmark = pytest.mark.e2e
MAIL_WAIT_S = 30.0
ALICE = "alice@practice.example"


def _wait_for(find, what: str, timeout: float = MAIL_WAIT_S):
    deadline = time.monotonic() + timeout
    while not (found := find()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s in vain for {what}")
        time.sleep(0.1)
    return found


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _counts(database_url: str, booking_id: int) -> tuple:
    """What opening the link must not change: the session's row, its history, its messages, the audit trail."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return (tuple(booking_row(database_url, booking_id)),
                    conn.scalar(select(func.count()).where(BookingEvent.booking_id == booking_id)),
                    conn.scalar(select(func.count()).where(Notification.booking_id == booking_id)),
                    conn.scalar(select(func.count()).select_from(AuditEntry)))
    finally:
        engine.dispose()


@pytest.fixture
def mailing_app(tmp_path):
    smtp = SmtpServer()
    smtp.start()
    try:
        with running_app(tmp_path, extra_env=mailing_env(smtp) | {"BOOKING_CHANNEL_SECRET": SECRET}) as app:
            yield app, smtp
    finally:
        smtp.stop()


def test_one_tap_from_the_alert_email(mailing_app, browser):
    app, smtp = mailing_app
    sent = booking(client_name="Oliver Bramble", days_ahead=8)
    created = deliver(app.url, sent)
    assert created.status_code == 201, created.text
    bid = created.json()["id"]

    alert = _wait_for(lambda: [m for m in smtp.messages_to(ALICE) if f"/session?id={bid}" in _text(m)],
                      "alice's alert email")[0]
    assert alert["Subject"] == "New session request — please confirm"
    [link] = re.findall(r"https?://\S+/confirm\?token=\S+", _text(alert))
    assert link.startswith(f"{app.url}/confirm?token=")
    assert "Oliver" in _text(alert) and "Bramble" not in _text(alert)

    before = _counts(app.database_url, bid)
    assert requests.get(link, timeout=10).status_code == 200  # a mail scanner fetching the link
    with new_page(browser, app.url) as page:  # a fresh context: no cookies, nobody signed in
        for _ in range(3):
            page.goto(link)
            expect(page.get_by_text("New session request")).to_be_visible()
            expect(page.get_by_text("Attendees: Oliver")).to_be_visible()
            expect(page.get_by_role("button", name="Confirm Session")).to_be_enabled()
        expect(page.get_by_role("button", name="Log in")).to_have_count(0)
        expect(page.get_by_text("Bramble")).to_have_count(0)
        expect(page.get_by_role("link", name="Open in Booking Desk (sign in)")).to_be_visible()
        assert _counts(app.database_url, bid) == before  # opened four times: nothing changed

        page.get_by_role("button", name="Confirm Session").click()
        expect(page.get_by_text("Session confirmed. The confirmation email to Oliver is queued")).to_be_visible()
        expect(page.get_by_role("button", name="Confirm Session")).to_have_count(0)
    assert booking_row(app.database_url, bid).status == "confirmed"
    confirmation = _wait_for(lambda: smtp.messages_to(sent["client_email"]) and [
        m for m in smtp.messages_to(sent["client_email"]) if m["Subject"] == "Your therapy session is confirmed"],
        "the client's confirmation email")
    assert len(confirmation) == 1

    with new_page(browser, app.url, viewport={"width": 390, "height": 900}) as phone:  # a second visit
        phone.goto(link)
        expect(phone.get_by_text("This request was already answered: it is confirmed.")).to_be_visible()
        expect(phone.get_by_role("button", name="Confirm Session")).to_have_count(0)
    time.sleep(1.0)  # the dispatcher had every chance to send a second confirmation: it must not
    assert len([m for m in smtp.messages_to(sent["client_email"])
                if m["Subject"] == "Your therapy session is confirmed"]) == 1

    with new_page(browser, app.url) as signed_in:  # alice, signed in on her own browser
        log_in_on(signed_in, "alice", "/", landing="New and unconfirmed sessions")
        wait_for_login_cookie(signed_in.context)  # following the link is a new page load: the cookie signs in
        signed_in.goto(link)
        expect(signed_in.get_by_text("Session details")).to_be_visible()
        assert "/session?id=" in signed_in.url
