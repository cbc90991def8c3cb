"""On a phone (390 × 844): what a therapist needs between sessions is on the first screen, in the right order.

Positions are measured in the real browser: Streamlit stacks columns below 640 px, so what comes first in
the page is what a phone shows first. The demo practice's Alice has five requests (Hannah Whitfield's is
risk-flagged) and confirmed sessions in the coming week. The module has a server of its own: other browser
tests confirm and answer the shared server's requests, and these tests need the demo practice as seeded.
"""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in_on, new_page, running_app, session_of

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
OPEN = re.compile(r"^Open .+'s request$")


@pytest.fixture(scope="module")
def phone_app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("phone")) as app:
        yield app


@pytest.fixture
def phone(browser, phone_app):
    with new_page(browser, phone_app.url, viewport=PHONE) as page:
        yield page


def top(locator) -> float:
    expect(locator).to_be_attached()
    return locator.bounding_box()["y"]


def test_on_a_phone_the_new_requests_come_before_the_confirmed_week(phone):
    page = log_in_on(phone, "alice")
    first_card = page.get_by_role("link", name=OPEN).first
    risk = page.get_by_text("Risk flag").first
    confirmed = page.get_by_role("heading", name="Confirmed · next 7 days")
    assert top(first_card) < PHONE["height"], "the first request's link is on the first screen"
    assert top(risk) < top(confirmed), "the risk-flagged request is above the confirmed cards"
    # Every request's link comes before the first confirmed card's link.
    details = page.get_by_role("link", name=re.compile(r"^Details of "))
    assert max(top(link) for link in page.get_by_role("link", name=OPEN).all()) < top(details.first)


def test_on_a_phone_the_answer_comes_before_the_item_by_item_answers(phone, phone_app):
    risky = session_of(phone_app.database_url, "Hannah Whitfield")  # risk flag: every answer is shown at once
    page = log_in_on(phone, "alice", f"/session?id={risky}", landing="Session details")
    scores = page.get_by_text("PHQ-9 (depression)").first
    confirm = page.get_by_role("button", name="Confirm Session")
    first_item = page.get_by_text(re.compile(r"^Little interest or pleasure in doing things")).first
    details = page.get_by_role("heading", name="Session details")
    assert top(scores) < top(confirm) < top(first_item) < top(details)
    expect(page.get_by_role("switch", name="Show every answer, item by item")).to_be_checked()


def test_on_a_phone_the_confirm_dialogs_buttons_are_on_screen_without_scrolling(phone, phone_app):
    booking = session_of(phone_app.database_url, "Daniel Kowalski")
    page = log_in_on(phone, "alice", f"/session?id={booking}", landing="Session details")
    page.get_by_role("button", name="Confirm Session").click()
    dialog = page.get_by_role("dialog")
    for name in ("Confirm Session", "Not yet"):
        button = dialog.get_by_role("button", name=name)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (name, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
    expect(dialog.get_by_text("Subject:")).to_be_attached()  # the email is still there, below the buttons
    dialog.get_by_role("button", name="Not yet").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_on_a_phone_a_client_taps_answers_that_are_kept_without_pressing_save(phone, phone_app):
    from tests.e2e.screens import assessment_link

    page = phone
    page.goto(assessment_link(phone_app.database_url, "Zoë Lambert"))  # no self-assessment yet
    expect(page.get_by_text("Booking Desk Practice").first).to_be_visible()
    expect(page.get_by_text("Who reads your answers:")).to_be_visible()
    expect(page.get_by_role("combobox")).to_have_count(0)  # no dropdowns: one row of choices per item
    first = page.get_by_role("radiogroup").first
    first.get_by_text("More than half the days").click()
    expect(page.get_by_text(re.compile(r"Saved at \d\d:\d\d"))).to_be_visible()
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the row fits the phone's width

    page.reload()  # the client comes back later: the answer was saved on the server, not in the browser
    expect(page.get_by_role("radiogroup").first.get_by_role("radio", name="More than half the days")).to_be_checked()
