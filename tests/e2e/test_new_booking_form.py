"""New booking in the browser: it opens on manual entry, and the form is empty again after saving."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e


def _next_weekday(days: int = 3) -> date:
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_a_manager_enters_a_booking_and_gets_an_empty_form_for_the_next(page, log_in):
    log_in("morgan", "/new-booking", landing="Enter one booking")
    expect(page.get_by_role("tab", name="Enter one booking")).to_have_attribute("aria-selected", "true")
    page.locator(".st-key-nb_therapist input").click()
    page.get_by_role("option", name="Alice Moreno (alice)").click()
    settle(page)
    name = page.locator(".st-key-nb_client_name input")
    name.fill("Ruth Okoro")
    name.press("Tab")
    email = page.locator(".st-key-nb_client_email input")
    email.fill("ruth.okoro@example.org")
    email.press("Tab")
    page.get_by_role("spinbutton", name=re.compile(r"^day, Date")).click()
    page.keyboard.type(_next_weekday().strftime("%d%m%Y"))
    page.keyboard.press("Tab")
    page.get_by_role("spinbutton", name="hour, Start time").click()
    page.keyboard.type("1100")
    page.keyboard.press("Tab")
    service = page.locator(".st-key-nb_video_service input")
    service.fill("Zoom")
    service.press("Tab")
    settle(page)
    page.get_by_role("button", name="Check availability").click()
    settle(page)
    page.get_by_role("button", name="Save booking").click()
    expect(page.get_by_text("Session saved.")).to_be_visible()
    settle(page)
    expect(page.locator(".st-key-nb_client_name input")).to_have_value("")
    expect(page.locator(".st-key-nb_client_email input")).to_have_value("")
    expect(page.get_by_role("spinbutton", name=re.compile(r"^day, Date"))).to_have_text("dd")
    expect(page.locator(".st-key-nb_therapist")).not_to_contain_text("Alice Moreno")
    expect(page.get_by_role("spinbutton", name="hour, Start time")).to_have_text("HH")
