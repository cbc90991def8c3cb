"""A new therapist from /people to two-step sign-in, "sign out everywhere else", and a forgotten password:
the real app, a real local SMTP server (aiosmtpd), Chromium, and codes computed with pyotp."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import DEMO_PASSWORD, STEP_MS, fill_login, running_app, settle, wait_for_login_cookie
from tests.servers import MAIL_FROM, SmtpServer

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "lantern-orchid-quarry-ninety"
expect.set_options(timeout=STEP_MS)


@pytest.fixture(scope="module")
def mail_app(tmp_path_factory):
    """The app with email set up and its own dispatcher sending every second to a local SMTP server."""
    smtp = SmtpServer()
    smtp.start()
    env = {"SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none", "MAIL_FROM": MAIL_FROM,
           "BOOKING_DESK_DISPATCHER": "on", "BOOKING_DESK_DISPATCH_SECONDS": "1"}
    try:
        with running_app(tmp_path_factory.mktemp("people"), extra_env=env) as app:
            yield app, smtp
    finally:
        smtp.stop()


def _context(browser, app, width: int = 1400):
    context = browser.new_context(base_url=app.url, viewport={"width": width, "height": 1000})
    context.set_default_timeout(STEP_MS)
    return context


def _link_in_email(smtp: SmtpServer, address: str, subject_has: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(smtp.messages_to(address)):  # the newest: each new link replaces the last
            if subject_has in message["Subject"]:
                body = message.get_body(("plain",)).get_content()
                return re.search(r"(http://\S+/set-password\?token=\S+)", body).group(1)
        time.sleep(0.2)
    raise AssertionError(f"no email '{subject_has}' reached {address} within {timeout:g} s")


def _choose_password(page, link: str) -> None:
    page.goto(link)
    page.get_by_role("textbox", name="New password").fill(NEW_PASSWORD)
    page.get_by_role("textbox", name="The same password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()


def _secret_on(page) -> str:
    key = page.locator("[data-testid='stCode']").first.inner_text()
    return "".join(key.split())


def test_a_manager_adds_a_therapist_who_sets_a_password_enrols_two_step_and_signs_in(mail_app, browser):
    app, smtp = mail_app
    manager = _context(browser, app)
    page = manager.new_page()
    page.goto("/")
    fill_login(page, "morgan", DEMO_PASSWORD)
    expect(page.get_by_text("Signed in as Morgan Reid")).to_be_visible()
    settle(page)
    page.get_by_role("link", name="People").click()
    # The first visit to a page with a table imports pandas: on a busy machine that takes a while.
    expect(page.get_by_role("tab", name="Add a person")).to_be_visible(timeout=3 * STEP_MS)
    page.get_by_role("tab", name="Add a person").click()
    page.get_by_role("textbox", name="Full name").fill("Carol Diaz")
    page.get_by_role("textbox", name="Username (what they sign in with)").fill("carol")
    page.get_by_role("textbox", name="Email address").fill("carol@practice.example")
    page.get_by_role("button", name="Add and email a link to set a password").click()
    expect(page.get_by_text("Carol Diaz is added as a therapist")).to_be_visible()
    expect(page.get_by_text("is queued")).to_be_visible()
    manager.close()
    _require_two_step(app, "everyone")  # a manager's choice in /settings (tested on the page)
    try:
        _new_therapist_signs_in_and_signs_out_elsewhere(app, smtp, browser)
    finally:
        _require_two_step(app, "nobody")


def _require_two_step(app, who: str) -> None:
    engine = create_engine(app.database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM practice_settings WHERE key = 'two_step_required'"))
        conn.execute(text("INSERT INTO practice_settings (key, value) VALUES ('two_step_required', :v)"),
                     {"v": f'{{"v": "{who}"}}'})
    engine.dispose()


def _new_therapist_signs_in_and_signs_out_elsewhere(app, smtp, browser) -> None:
    link = _link_in_email(smtp, "carol@practice.example", "Your Booking Desk account")
    first = _context(browser, app)
    carol = first.new_page()
    _choose_password(carol, link)
    carol.get_by_role("link", name="Sign in").click()
    fill_login(carol, "carol", NEW_PASSWORD)
    # The practice requires two-step sign-in: Carol is walked through it right after her password.
    expect(carol.get_by_text("Set up two-step sign-in").first).to_be_visible()
    secret = _secret_on(carol)
    totp = pyotp.TOTP(secret)
    carol.get_by_role("textbox", name="6-digit code").fill(totp.now())
    carol.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(carol.get_by_text("Save these 10 recovery codes")).to_be_visible()
    recovery = carol.locator("[data-testid='stCode']").first.inner_text().split()
    assert len(recovery) == 10
    carol.get_by_role("button", name="I've saved my recovery codes: continue").click()
    expect(carol.get_by_text("Signed in as Carol Diaz")).to_be_visible()
    wait_for_login_cookie(first)
    settle(carol)

    # A second browser: password, then a code (the next one: each code works once), then sign out elsewhere.
    second = _context(browser, app)
    other = second.new_page()
    other.goto("/")
    fill_login(other, "carol", NEW_PASSWORD)
    other.get_by_role("textbox", name="Code").fill(totp.at(time.time() + 30))
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_text("Signed in as Carol Diaz")).to_be_visible()
    settle(other)
    other.get_by_role("link", name="Settings").click()
    expect(other.get_by_text("this browser")).to_be_visible()
    other.get_by_role("button", name="Sign out everywhere else").click()
    expect(other.get_by_text("You're signed out everywhere except this browser.")).to_be_visible()

    # The first browser is signed out on its next click; its cookie no longer signs anyone in.
    carol.get_by_role("link", name="Response times").click()
    expect(carol.get_by_text("this sign-in has ended")).to_be_visible()
    expect(carol.get_by_role("textbox", name="Password")).to_be_visible()
    carol.reload()
    expect(carol.get_by_role("button", name="Log in")).to_be_visible()
    other.get_by_role("link", name="Response times").click()
    expect(other.get_by_text("Signed in as Carol Diaz")).to_be_visible()  # the second browser stays
    first.close()
    second.close()


def test_a_forgotten_password_is_reset_by_email_and_unknown_addresses_hear_the_same(mail_app, browser):
    app, smtp = mail_app
    context = _context(browser, app, 390)
    page = context.new_page()
    said = []
    for address in ("bob@practice.example", "nobody@practice.example"):
        page.goto("/")
        page.get_by_role("button", name="Forgot your password?").click()
        page.get_by_role("textbox", name="Email address").fill(address)
        page.get_by_role("button", name="Email me a link").click()
        notice = page.get_by_text("If an active account uses that address")
        expect(notice).to_be_visible()
        said.append(notice.inner_text())
        page.get_by_role("button", name="Back to sign in").click()
    assert said[0] == said[1]

    link = _link_in_email(smtp, "bob@practice.example", "Reset your Booking Desk password")
    assert smtp.messages_to("nobody@practice.example") == []
    _choose_password(page, link)
    page.goto("/")
    fill_login(page, "bob", DEMO_PASSWORD)  # the old password no longer works
    expect(page.get_by_text("That username and password don't match")).to_be_visible()
    fill_login(page, "bob", NEW_PASSWORD)
    expect(page.get_by_text("New and unconfirmed sessions").first).to_be_visible(timeout=2 * STEP_MS)
    page.goto(link)  # the link worked once
    expect(page.get_by_text("This link can't be used")).to_be_visible()
    context.close()
