"""The client's own link, end to end: a real app server, a real local SMTP server and the outbox dispatcher.

1. The therapist confirms; the confirmation email arrives; the client opens its link in a fresh browser
   context and asks for another time; the therapist sees it and agrees a new time; the client gets the new
   time with an updated invitation carrying the same calendar UID.
2. A client cancels less than 48 hours ahead; the therapist and the practice team see it; exactly one email
   goes to the client.
"""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import time, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import create_engine, select

from lib.core import clock
from lib.core.models import Booking, Client
from lib.demo.seed import DEMO_PASSWORD
from tests.conftest import ROOT
from tests.e2e.conftest import fill_login, running_app, settle
from tests.servers import MAIL_FROM, SmtpServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def mail():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory, mail):
    smtp = {"SMTP_HOST": mail.host, "SMTP_PORT": str(mail.port), "SMTP_TLS": "none", "MAIL_FROM": MAIL_FROM}
    with running_app(tmp_path_factory.mktemp("client-changes"), extra_env=smtp) as app:
        yield app, smtp


@pytest.fixture(autouse=True)
def _patient_on_a_busy_machine(page):
    """This module's server is fresh: its first page takes several times longer than the rest."""
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


def log_in_at(page, served, username: str, path: str = "/", landing: str = "New and unconfirmed sessions"):
    """As the shared `log_in` fixture, on this module's own server (the one with email set up), in a browser
    context of its own: cookies are per host, not per port, and both servers are on 127.0.0.1."""
    staff = page.context.browser.new_context(base_url=served[0].url, viewport={"width": 1400, "height": 1000})
    tab = staff.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(path)
    fill_login(tab, username, DEMO_PASSWORD)
    expect(tab.get_by_text(landing).first).to_be_visible()
    settle(tab)
    return tab


def dispatch(served) -> None:
    """Deliver what the outbox holds, once (the app's own dispatcher thread is off in tests)."""
    app, smtp = served
    env = {k: v for k, v in os.environ.items() if k != "BOOKING_DESK_SECRET"} | smtp | {
        "DATABASE_URL": app.database_url}
    done = subprocess.run([sys.executable, "-m", "lib", "dispatch", "--once"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _query(served, stmt):
    engine = create_engine(served[0].database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(stmt).all()
    finally:
        engine.dispose()


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _invite(message):
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_content()).walk("VEVENT")[0]


def _text_of_confirmation(served, booking_id: int) -> str:
    from lib.core.models import Notification

    return _query(served, select(Notification.body_text).where(Notification.booking_id == booking_id,
                                                               Notification.template == "confirmed"))[0][0]


def _path_of(link_text: str, page: str) -> str:
    url = next(w for w in link_text.split() if f"{page}?token=" in w)
    return url[url.index(page):]


def test_the_client_asks_for_another_time_and_gets_the_new_time_with_the_same_invitation(
        page, served, mail, browser):
    (bid, email), = _query(served, select(Booking.id, Client.email).join(Client, Client.id == Booking.client_id)
                           .where(Client.name == "Hannah Whitfield", Booking.status == "unconfirmed"))
    page = log_in_at(page, served, "alice", f"/session?id={bid}", landing="Your answer")
    page.get_by_role("button", name="Confirm Session").first.click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm Session").click()
    expect(page.get_by_text("Session confirmed.")).to_be_visible()
    dispatch(served)
    (confirmation,) = [m for m in mail.messages_to(email) if m["Subject"] == "Your therapy session is confirmed"]
    first_invite = _invite(confirmation)

    client = browser.new_context(base_url=served[0].url, viewport={"width": 390, "height": 844})
    try:
        tab = client.new_page()
        tab.goto(_path_of(_text(confirmation), "/my-session"))
        expect(tab.get_by_text("more than 48 hours away: if you cancel now, you get a full refund")).to_be_visible()
        expect(tab.get_by_role("button", name="Log in")).to_have_count(0)  # no login for clients
        tab.get_by_text("Ask for another time", exact=True).click()
        tab.get_by_label("Note for your therapist (optional)").fill("Could we meet later in the day, please?")
        tab.get_by_role("button", name="Send my request").click()
        expect(tab.get_by_text("your therapist has been told")).to_be_visible()
        expect(tab.get_by_text("You asked for another time")).to_be_visible()
    finally:
        client.close()

    page.reload()
    expect(page.get_by_text("The client asked for another time")).to_be_visible()
    expect(page.get_by_text("Could we meet later in the day, please?").first).to_be_visible()
    settle(page)
    page.get_by_text("Edit date/time (agreed with the client)", exact=True).click()
    (old_start,) = _query(served, select(Booking.starts_at).where(Booking.id == bid))[0]
    # The same day and hour a year on: clear of the demo's sessions. The date field has day, month and year.
    local = clock.local(old_start, "Europe/London")
    new_start = clock.from_local(local.date().replace(year=local.year + 1), local.time(), "Europe/London")
    year = page.get_by_role("spinbutton", name="year, New Date")
    year.click()
    year.press_sequentially(str(local.year + 1))
    year.press("Tab")
    page.get_by_role("button", name="Confirm the new time").click()
    expect(page.get_by_text("and confirmed.")).to_be_visible()
    assert _query(served, select(Booking.starts_at).where(Booking.id == bid))[0][0] == new_start

    dispatch(served)
    moved = [m for m in mail.messages_to(email) if m["Subject"] == "Your therapy session has a new time"]
    assert len(moved) == 1
    invite = _invite(moved[0])
    assert str(invite["UID"]) == str(first_invite["UID"]) == f"session-{bid}@booking-desk"
    assert int(invite["SEQUENCE"]) > int(first_invite["SEQUENCE"])
    assert clock.to_utc_naive(invite.decoded("DTSTART")) == new_start
    assert f"{clock.local(new_start, 'Europe/London'):%a %-d %b %Y}" in _text(moved[0])


def test_a_late_cancel_by_the_client_reaches_the_therapist_and_the_team_with_one_email(
        page, served, mail, browser, monkeypatch):
    clock.freeze(None)  # the server runs on the real clock
    app, _ = served
    monkeypatch.setenv("DATABASE_URL", app.database_url)
    monkeypatch.delenv("BOOKING_DESK_SECRET", raising=False)  # the demo practice's key, as the server's
    from lib.bookings import dashboard as bookings
    from lib.people.auth import actor_for
    from tests.factories import book

    # A session tomorrow at 23:00 London (always less than 48 hours ahead, clear of the demo's sessions),
    # for a client of its own, confirmed as the therapist would.
    tomorrow = clock.local(clock.now(), "Europe/London").date() + timedelta(days=1)
    starts_at = clock.from_local(tomorrow, time(23), "Europe/London")
    email = f"late-{clock.now():%H%M%S%f}@client.example"
    bid = book(actor_for("alice"), "Robin Late", email=email, starts_at=starts_at, notify=False)
    bookings.confirm(actor_for("alice"), bid, 1)
    link = _path_of(_text_of_confirmation(served, bid), "/my-session")
    dispatch(served)
    before = len(mail.messages_to(email))

    client = browser.new_context(base_url=app.url, viewport={"width": 390, "height": 844})
    try:
        tab = client.new_page()
        tab.goto(link)
        expect(tab.get_by_text("less than 48 hours away: if you cancel now, the practice decides")).to_be_visible()
        tab.get_by_text("Cancel this session", exact=True).click()
        tab.get_by_label("Reason (optional — it helps your therapist)").fill("A family emergency")
        tab.get_by_role("button", name="Continue…").click()
        expect(tab.get_by_text("This can't be undone here.")).to_be_visible()
        tab.get_by_role("button", name="Yes, cancel my session").click()
        expect(tab.get_by_text("Your session is cancelled and your therapist has been told.")).to_be_visible()
        expect(tab.get_by_text("Cancel this session", exact=True)).to_have_count(0)
        tab.reload()
        expect(tab.get_by_text("has been cancelled, so there is nothing to change")).to_be_visible()
    finally:
        client.close()

    dispatch(served)
    dispatch(served)  # a second pass sends nothing twice
    after = mail.messages_to(email)[before:]
    assert [m["Subject"] for m in after] == ["Your therapy session is cancelled"]
    assert "the practice decides about a refund" in _text(after[0])
    assert [m["Subject"] for m in mail.messages_to("alice@practice.example")
            if m["Subject"] == "A client cancelled a session"] == ["A client cancelled a session"]

    therapist = log_in_at(page, served, "alice", f"/session?id={bid}", landing="Your answer")
    expect(therapist.get_by_text("Cancelled", exact=True).first).to_be_visible()
    expect(therapist.get_by_text("A family emergency")).to_be_visible()
    team = log_in_at(page, served, "morgan")
    expect(team.get_by_text("The client cancelled inside 48 hours: decide about the refund")).to_be_visible()
