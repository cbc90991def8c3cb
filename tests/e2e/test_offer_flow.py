"""Edit date/time → I'm not available → the client picks an offered time → confirmed."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select

from lib.models import Booking, Notification
from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e


def _respond_link(database_url: str, booking_id: int) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            body = conn.scalar(select(Notification.body_text).where(
                Notification.booking_id == booking_id, Notification.template == "times_offered"))
    finally:
        engine.dispose()
    url = next(word for word in body.split() if "/respond?token=" in word)
    return url[url.index("/respond"):]


def _status(database_url: str, booking_id: int) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(Booking.status).where(Booking.id == booking_id))
    finally:
        engine.dispose()


def test_offer_times_then_the_client_picks_one(page, log_in, session_ids, app_server, browser):
    booking = session_ids("alice")[-1]
    log_in("alice", f"/session?id={booking}", landing="Session details")
    settle(page)
    page.get_by_text("Edit date/time", exact=True).click()
    not_available = page.get_by_text("I'm not available — offer other times")
    expect(not_available).to_be_visible()
    not_available.click()
    expect(page.get_by_role("radio", name="I'm not available — offer other times")).to_be_checked()
    settle(page)
    page.get_by_role("button", name="Send these times to the client").click()
    expect(page.get_by_text("Times offered.")).to_be_visible()
    expect(page.get_by_text("Waiting for the client to pick one of:")).to_be_visible()
    assert _status(app_server.database_url, booking) == "awaiting_client"

    client = browser.new_context(base_url=app_server.url, viewport={"width": 900, "height": 900})
    try:
        tab = client.new_page()
        tab.goto(_respond_link(app_server.database_url, booking))
        expect(tab.get_by_text("Which time suits you?")).to_be_visible()
        expect(tab.get_by_role("button", name="Log in")).to_have_count(0)  # no login for clients
        tab.get_by_role("radiogroup").get_by_role("radio").first.check(force=True)
        tab.get_by_role("button", name="Send my answer").click()
        expect(tab.get_by_text("your session is confirmed for")).to_be_visible()
    finally:
        client.close()

    assert _status(app_server.database_url, booking) == "confirmed"
    page.reload()
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()
