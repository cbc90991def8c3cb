"""The filters of the dashboard and /metrics redraw only the part of the page under them (ui.page_part).
Such a rerun skips the login gate, so the part asks about the sign-in itself: a sign-in ended elsewhere, or a
person whose role changed, gets the whole page on that click, as the gate draws it."""
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e


def _sql(database_url: str, statement: str, **params) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


def _pick_therapist(page, name: str) -> None:
    page.get_by_role("button", name=re.compile("^Therapist: ")).click()
    names = page.get_by_role("combobox", name="Therapist")
    names.click()
    page.keyboard.type(name.split()[0])
    page.get_by_role("option", name=name).click()


def test_a_manager_narrows_the_dashboard_and_an_ended_sign_in_is_out_on_the_next_click(page, log_in, app_server):
    log_in("morgan")
    expect(page.get_by_text("Therapist: Bob Okafor").first).to_be_visible()  # every therapist's cards

    _pick_therapist(page, "Alice Moreno")
    expect(page.get_by_role("button", name=re.compile("Therapist: Alice Moreno"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"therapist=\d+"))
    expect(page.get_by_text("Therapist: Bob Okafor")).to_have_count(0)
    expect(page.get_by_text("Signed in as Morgan")).to_be_visible()  # the menu is still there beside the part
    settle(page)

    # what "sign out everywhere else" or a deactivation does to this sign-in
    _sql(app_server.database_url, "UPDATE sign_in_sessions SET ended_at = :now, end_reason = 'signed_out' "
         "WHERE ended_at IS NULL AND user_id = (SELECT id FROM users WHERE username = 'morgan')",
         now=datetime.now(UTC).replace(tzinfo=None))
    page.get_by_role("button", name=re.compile("Therapist: Alice Moreno")).click()  # opening the list reruns the part
    expect(page.get_by_text("this sign-in has ended")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_text("Therapist: Bob Okafor")).to_have_count(0)


def test_a_role_changed_elsewhere_redraws_the_whole_page_on_the_next_period_pick(page, log_in, app_server):
    log_in("morgan", "/metrics", landing="Response times")
    expect(page.get_by_role("tab", name="By therapist")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Therapist: "))).to_be_visible()
    settle(page)

    _sql(app_server.database_url, "UPDATE users SET role = 'therapist' WHERE username = 'morgan'")
    try:
        page.get_by_role("combobox", name="Period").click()
        page.get_by_role("option", name="Last 90 days").click()
        expect(page.get_by_text("Requests made in the last 90 days").first).to_be_visible()
        # drawn for a therapist now: their own figures, no other therapist's, no team menu
        expect(page.get_by_role("tab", name="By therapist")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("^Therapist: "))).to_have_count(0)
        expect(page.get_by_role("link", name="People")).to_have_count(0)
    finally:
        _sql(app_server.database_url, "UPDATE users SET role = 'manager' WHERE username = 'morgan'")
