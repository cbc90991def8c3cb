"""Offer other times: the therapist offers, the client picks through a private link, no login.

- On the shared server (its dispatcher off): a time of the therapist's own, typed into the date and time
  fields → the client's link, read from the outbox → the client picks it → confirmed.
- On a server of its own, with a real SMTP server and the in-app dispatcher on: a suggested free time, one
  click → the email reaches the SMTP server → the client follows the link in it and picks → confirmed; then
  another offer withdrawn → its old link is refused kindly and the client is emailed that it was withdrawn.
"""
from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select

from lib.core.models import Notification, TimeOffer
from tests.e2e.conftest import (
    booking_row,
    log_in_on,
    new_page,
    running_app,
    session_of,
    settle,
    wait_for_login_cookie,
)
from tests.servers import MAIL_FROM, SmtpServer

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")  # the demo therapists' time zone
OFFER = "Offer other times (I'm not available)"
MAIL_WAIT_S = 30.0  # the dispatcher delivers every half second; a busy CI machine still gets there well within this


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


def _open_offers(database_url: str, booking_id: int) -> list[datetime]:
    """The offered times the client can still pick from (UTC, as stored)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(TimeOffer.starts_at).where(
                TimeOffer.booking_id == booking_id, TimeOffer.open.is_(True)).order_by(TimeOffer.starts_at)))
    finally:
        engine.dispose()


def _pick_answer(page, group: str, answer: str) -> None:
    """Click one of the session page's answer pills (a single choice: a radio group of buttons)."""
    pill = page.get_by_role("radiogroup", name=group).get_by_role("radio", name=answer)
    pill.click()
    expect(pill).to_be_checked()


def _open_offer_form(page) -> None:
    _pick_answer(page, "Or answer another way", OFFER)
    expect(page.get_by_role("button", name="Send these times to the client")).to_be_visible()
    settle(page)


def _said(opening: str, client: str, what: str, or_not_set_up: bool = False) -> re.Pattern:
    """The success message: `what` to the client is queued; with `or_not_set_up`, or else (no email channel on
    this server) the plain word that the client has not been emailed."""
    name = re.escape(client)
    tail = rf"{re.escape(what)} to {name} is queued; it usually goes out within a minute\."
    if or_not_set_up:
        tail = rf"({tail}|Email is not set up on this server, so {name} has not been emailed\.)"
    return re.compile(rf"^{re.escape(opening)} {tail}$")


def test_a_time_of_my_own_then_the_client_picks_it(page, log_in, session_ids, app_server, browser):
    booking = session_ids("alice")[-1]
    log_in("alice", f"/session?id={booking}", landing="Session details")
    name = page.get_by_role("heading", level=1).first.inner_text().split("·", 1)[1].strip()
    _open_offer_form(page)

    # A weekday three or more days ahead, inside alice's hours (09:00-18:00); the minute differs from session to
    # session, so a second try after a half-done first one never clashes with the first one's live offer.
    day = datetime.now(LONDON).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    at = (datetime(day.year, day.month, day.day, 12) + timedelta(minutes=15 * (booking % 8))).time()
    page.get_by_role("spinbutton", name="day, Time 1 · Date").click()
    page.keyboard.type(day.strftime("%d%m%Y"))
    page.get_by_role("spinbutton", name="hour, Time 1 · Time (Europe/London)").click()
    page.keyboard.type(at.strftime("%H%M"))
    page.get_by_role("button", name="Send these times to the client").click()

    expect(page.get_by_text(_said("Times offered.", name, "The private link to choose a time", or_not_set_up=True))
           ).to_be_visible()
    expect(page.get_by_text("Waiting for the client to pick one of:")).to_contain_text(
        f"{day.day} {day:%b %Y}, {at:%H:%M}")
    offered = datetime.combine(day, at, LONDON).astimezone(UTC).replace(tzinfo=None)
    assert _open_offers(app_server.database_url, booking) == [offered]
    assert booking_row(app_server.database_url, booking).status == "awaiting_client"

    with new_page(browser, app_server.url, viewport={"width": 900, "height": 900}) as tab:
        tab.goto(_respond_link(app_server.database_url, booking))
        expect(tab.get_by_text("Which time suits you?")).to_be_visible()
        expect(tab.get_by_role("button", name="Log in")).to_have_count(0)  # no login for clients
        tab.get_by_role("radiogroup").get_by_role("radio").first.check(force=True)
        tab.get_by_role("button", name="Send my answer").click()
        expect(tab.get_by_text("your session is confirmed for")).to_be_visible()

    after = booking_row(app_server.database_url, booking)
    assert (after.status, after.starts_at) == ("confirmed", offered)
    wait_for_login_cookie(page.context)  # a reload logs in again with it
    page.reload()
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()


# --- with email really going out ---

def _wait_for_mail(smtp: SmtpServer, to: str, subject: str, timeout: float = MAIL_WAIT_S) -> EmailMessage:
    """The one message with this subject the SMTP server received for `to`, as soon as it has arrived."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in smtp.messages_to(to) if m["Subject"] == subject]
        if found:
            assert len(found) == 1, f"{len(found)} emails {subject!r} to {to}"
            return found[0]
        if time.monotonic() > deadline:
            got = [(r.rcpt_tos, r.message["Subject"]) for r in smtp.received]
            raise AssertionError(f"no email {subject!r} to {to} within {timeout:g} s; the server received {got}")
        time.sleep(0.1)


def _text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _link_in(message: EmailMessage, base_url: str) -> str:
    links = re.findall(r"https?://\S+/respond\?token=\S+", _text_of(message))
    assert len(links) == 1, links
    assert links[0].startswith(f"{base_url}/respond?token="), links[0]
    return links[0]


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailing_app(smtp, tmp_path):
    """A fresh demo practice served with email set up (the SMTP server above) and the in-app dispatcher on."""
    env = {"SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none", "MAIL_FROM": MAIL_FROM,
           "SMTP_USER": "", "SMTP_PASSWORD": "", "BOOKING_DESK_DISPATCHER": "on",
           "BOOKING_DESK_DISPATCH_SECONDS": "0.5"}
    with running_app(tmp_path, extra_env=env) as app:
        yield app


def _offer_first_suggestion(page) -> str:
    """Click the first suggested free time, send the offer; the time as the pill showed it."""
    _open_offer_form(page)
    suggestion = page.get_by_role("toolbar", name=re.compile(r"^Suggested free times")).get_by_role("button").first
    slot = suggestion.inner_text().strip()
    suggestion.click()
    expect(suggestion).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Send these times to the client").click()
    expect(page.get_by_text("Waiting for the client to pick one of:")).to_contain_text(slot)
    return slot


def test_a_suggested_time_by_email_then_a_withdrawn_offer(mailing_app, smtp, browser):
    app = mailing_app
    picked_by_client = session_of(app.database_url, "Tomás Ferreira")
    withdrawn = session_of(app.database_url, "Priya Raman")
    with new_page(browser, app.url) as page, new_page(browser, app.url, {"width": 900, "height": 900}) as tab:
        # alice offers one suggested free time: inside her working hours (weekdays 09:00-18:00).
        log_in_on(page, "alice", f"/session?id={picked_by_client}", landing="Session details")
        slot = _offer_first_suggestion(page)
        expect(page.get_by_text(_said("Times offered.", "Tomás Ferreira", "The private link to choose a time"))
               ).to_be_visible()
        [offered] = _open_offers(app.database_url, picked_by_client)
        assert booking_row(app.database_url, picked_by_client).status == "awaiting_client"
        local = offered.replace(tzinfo=UTC).astimezone(LONDON)
        assert local.weekday() < 5 and 9 <= local.hour < 18, local

        # The email reaches the mail server; the client follows its link (no login) and picks the time.
        email = _wait_for_mail(smtp, "tomas.ferreira@example.com", "Please choose a new time for your session")
        assert email["From"] == MAIL_FROM
        assert f"offers these times instead: {slot}." in _text_of(email)  # Tomás is in London too
        tab.goto(_link_in(email, app.url))
        expect(tab.get_by_text("Which time suits you?")).to_be_visible()
        expect(tab.get_by_role("button", name="Log in")).to_have_count(0)
        choices = tab.get_by_role("radiogroup").get_by_role("radio")
        expect(choices).to_have_count(2)  # the one offered time, and "None of these work for me"
        expect(tab.get_by_role("radiogroup")).to_contain_text(slot)
        tab.get_by_role("radiogroup").get_by_text(slot).click()
        expect(choices.first).to_be_checked()
        tab.get_by_role("button", name="Send my answer").click()
        expect(tab.get_by_text(f"Thank you — your session is confirmed for {slot}. We've emailed you the details, "
                               "with a calendar invitation.")).to_be_visible()
        confirmed = booking_row(app.database_url, picked_by_client)
        assert (confirmed.status, confirmed.starts_at) == ("confirmed", offered)
        _wait_for_mail(smtp, "tomas.ferreira@example.com", "Your therapy session is confirmed")
        wait_for_login_cookie(page.context)
        page.reload()
        expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()

        # Another request: an offer, its email, then alice withdraws it before the client picks.
        log_in_on(page, "alice", f"/session?id={withdrawn}", landing="Session details")
        _offer_first_suggestion(page)
        old_link = _link_in(_wait_for_mail(smtp, "priya.raman@example.com",
                                           "Please choose a new time for your session"), app.url)
        _pick_answer(page, "Change the offer", "Withdraw the offer")
        page.get_by_test_id("stForm").get_by_role("button", name="Withdraw the offer").click()
        expect(page.get_by_text(_said("Offer withdrawn; the request is back among the new sessions.", "Priya Raman",
                                      "The email saying so"))).to_be_visible()
        assert booking_row(app.database_url, withdrawn).status == "unconfirmed"
        assert _open_offers(app.database_url, withdrawn) == []

        notice = _wait_for_mail(smtp, "priya.raman@example.com", "The times offered for your session were withdrawn")
        assert "no longer works" in _text_of(notice)
        tab.goto(old_link)
        expect(tab.get_by_text("The times in this link were changed or withdrawn by your therapist")).to_be_visible()
        expect(tab.get_by_text("Which time suits you?")).to_have_count(0)
        expect(tab.get_by_role("button", name="Send my answer")).to_have_count(0)
