"""Not the best fit → the practice team's worklist → reassigned → the new therapist's queue.

A therapist declines a request; a manager finds it on the dashboard under "Needs the practice team", opens it,
gives it to another therapist; the line leaves the list (by that recorded action), and the new therapist sees
the request among their new sessions. On a fresh demo practice of its own, so a second try starts clean.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select

from lib.core.models import Booking, User
from tests.e2e.conftest import booking_row, log_in_on, new_page, running_app, session_of, settle

pytestmark = pytest.mark.e2e

WORKLIST = re.compile(r"^Needs the practice team · (\d+)$")


@pytest.fixture
def practice(tmp_path):
    with running_app(tmp_path) as app:
        yield app


def _reassigned_to(database_url: str, old_id: int) -> tuple[int, str, str, object]:
    """The session created from `old_id`: (id, its therapist's username, status, starts_at)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(Booking.id, User.username, Booking.status, Booking.starts_at)
                                .join(User, User.id == Booking.therapist_id)
                                .where(Booking.reassigned_from_id == old_id)).one()
    finally:
        engine.dispose()


def _worklist_count(page) -> int:
    heading = page.get_by_role("heading", name=WORKLIST)
    expect(heading).to_be_visible()
    return int(WORKLIST.match(heading.inner_text().strip()).group(1))


def test_a_declined_request_goes_to_the_team_who_reassign_it(practice, browser):
    app = practice
    declined = session_of(app.database_url, "Hannah Whitfield")  # risk flag; wants help with depression, anxiety
    requested = booking_row(app.database_url, declined)
    session_link = f"a[href$='session?id={declined}']"
    with new_page(browser, app.url) as page:
        # alice: not the best fit. The issues start filled in with what the client listed.
        log_in_on(page, "alice", f"/session?id={declined}", landing="Session details")
        answers = page.get_by_role("radiogroup", name="Or answer another way")
        pill = answers.get_by_role("radio", name="Not the best fit")
        pill.click()
        expect(pill).to_be_checked()
        expect(page.get_by_role("textbox", name="The issues the client presents")).to_have_value("Depression, Anxiety")
        page.get_by_role("textbox", name="Why are you not the best fit? (required)").fill(
            "The risk flag and the job loss call for a colleague who specialises in crisis work.")
        page.get_by_role("button", name="Decline and tell the practice team").click()
        expect(page.get_by_text(re.compile(r"^Declined\. It is on the practice team's list to find the client "
                                           r"another therapist\."))).to_be_visible()
        assert booking_row(app.database_url, declined).status == "declined"

        # morgan: the request is on the team's worklist, saying why, with the risk flag.
        log_in_on(page, "morgan", "/", landing="Needs the practice team")
        waiting = _worklist_count(page)
        assert waiting >= 1
        act = page.locator(session_link).filter(has_text="Open the session to act")
        expect(act).to_have_count(1)
        line = act.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
        for words in ("Declined as not the best fit: find another therapist", "Hannah Whitfield",
                      "therapist Alice Moreno", "Risk flag"):
            expect(line).to_contain_text(words)
        expect(page.get_by_role("link", name=re.compile(r"^New sessions · \d+ for the team$"))).to_be_visible()

        # ... opens it: "Reassign" is already chosen. Bob, same date and time.
        act.click()
        expect(page.get_by_role("heading", name="For the practice team")).to_be_visible()
        settle(page)
        expect(page.get_by_role("radio", name="Reassign")).to_be_checked()
        form = page.get_by_test_id("stForm")
        expect(form.get_by_role("checkbox", name="Keep the same date and time")).to_be_checked()
        # Typed, as a keyboard user would: a click on the field does not always open its list in headless Chromium.
        choose = form.get_by_role("combobox", name="Therapist")
        choose.focus()
        choose.press_sequentially("Bob")
        page.get_by_role("option", name="Bob Okafor").click()
        expect(choose).to_have_value("Bob Okafor")
        form.get_by_role("button", name="Create the new session").click()
        expect(page.get_by_text(re.compile(r"^Reassigned: a new unconfirmed session was created for the new "
                                           r"therapist"))).to_be_visible()
        new_id, therapist, status, starts_at = _reassigned_to(app.database_url, declined)
        assert (therapist, status, starts_at) == ("bob", "unconfirmed", requested.starts_at)
        expect(page.get_by_role("link", name=f"Open the new session #{new_id}")).to_be_visible()

        # Back on the dashboard the line has left the worklist.
        page.get_by_role("link", name=re.compile(r"^New sessions")).click()
        expect(page.get_by_role("heading", name=f"Needs the practice team · {waiting - 1}")).to_be_visible()
        expect(page.locator(session_link)).to_have_count(0)

        # bob: the request is among his new sessions.
        log_in_on(page, "bob", "/")
        new = page.locator(f"a[href$='session?id={new_id}']").filter(has_text=re.compile(r"Open .+'s request"))
        expect(new).to_have_count(1)
        expect(new.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")).to_contain_text(
            "Hannah Whitfield")
