"""Logging in through the real login form, and staying logged in across a reload."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, fill_login, wait_for_login_cookie

pytestmark = pytest.mark.e2e


def test_wrong_password_is_refused_with_a_clear_message(page):
    page.goto("/")
    fill_login(page, "alice", "not-her-password")

    expect(page.get_by_text("That username and password don't match. Please try again.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()
    expect(page.get_by_text("New and unconfirmed sessions")).to_have_count(0)


def test_the_login_page_names_the_demo_accounts_because_demo_data_is_loaded(page):
    page.goto("/")

    expect(page.get_by_text("Demo data is loaded.")).to_be_visible()
    expect(page.get_by_text(DEMO_PASSWORD)).to_be_visible()


def test_alice_logs_in_and_stays_logged_in_after_a_reload(page, log_in):
    log_in("alice")
    expect(page.get_by_text("Signed in as Alice Moreno")).to_be_visible()
    wait_for_login_cookie(page.context)

    page.reload()

    expect(page.get_by_text("New and unconfirmed sessions")).to_be_visible()
    expect(page.get_by_text("Signed in as Alice Moreno")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password")).to_have_count(0)


def test_a_cookie_copied_before_logout_is_refused_afterwards(page, log_in, browser, app_server):
    log_in("bob")
    wait_for_login_cookie(page.context)
    copied = page.context.cookies()

    page.get_by_role("link", name="Log out").click()  # a page in the menu, under "Signed in as …"
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    expect(page).to_have_url(app_server.url + "/")

    thief = browser.new_context(base_url=app_server.url)
    try:
        thief.add_cookies(copied)
        stolen = thief.new_page()
        stolen.goto("/")
        expect(stolen.get_by_role("button", name="Log in")).to_be_visible()
        expect(stolen.get_by_text("Signed in as Bob Okafor")).to_have_count(0)
    finally:
        thief.close()


def test_the_answers_toggle_reruns_only_its_part_and_still_asks_if_the_sign_in_is_live(page, log_in, app_server):
    """The item-by-item answers are a fragment of the session page: its rerun skips the login gate, so it
    asks itself. A sign-in ended elsewhere shows the login form on that click, not the answers."""
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, text

    from tests.e2e.conftest import session_ids_in, settle, wait_for_login_cookie

    toggle, item = "Show every answer, item by item", "Little interest or pleasure in doing things"  # PHQ-9's first

    log_in("alice")
    wait_for_login_cookie(page.context)  # the addresses below are typed: the browser signs in again by its cookie
    for booking_id in session_ids_in(app_server.database_url, "alice"):
        page.goto(f"/session?id={booking_id}")
        expect(page.get_by_text("Your answer")).to_be_visible()
        settle(page)
        if page.get_by_text(toggle).count() and not page.get_by_text(item).count():
            break
    else:
        pytest.fail("no session of alice's has an assessment shown closed")
    page.get_by_text(toggle).click()
    expect(page.get_by_text(item)).to_be_visible()
    page.get_by_text(toggle).click()
    expect(page.get_by_text(item)).to_have_count(0)

    engine = create_engine(app_server.database_url)
    with engine.begin() as conn:  # what "sign out everywhere else" or a deactivation does to this sign-in
        conn.execute(text("UPDATE sign_in_sessions SET ended_at = :now, end_reason = 'signed_out' WHERE ended_at "
                          "IS NULL AND user_id = (SELECT id FROM users WHERE username = 'alice')"),
                     {"now": datetime.now(UTC).replace(tzinfo=None)})
    engine.dispose()
    page.get_by_text(toggle).click()
    expect(page.get_by_text("this sign-in has ended")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_text(item)).to_have_count(0)
