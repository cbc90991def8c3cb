"""/metrics in the browser: the tabs draw their content when opened, and the therapist filter's list of
names opens on demand, narrows the figures and puts the choice in the address."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("BD_SCREENSHOTS")  # a folder: save what the test saw, for a look by eye


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def tile(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")  # ui/tiles.py


def test_manager_opens_each_tab_and_narrows_the_figures_to_one_therapist(page, log_in):
    log_in("morgan", "/metrics", landing="Response times")
    settle(page)
    expect(page.get_by_role("tab", name="Week by week")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2)
    practice_requests = tile(page, "Requests").inner_text()
    shot(page, "metrics_1_week_by_week")

    page.get_by_role("tab", name="By therapist").click()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page).to_have_url(re.compile(r"view=By\+therapist"))
    expect(page.get_by_role("button", name="Download the table (CSV)")).to_be_visible()
    settle(page)
    shot(page, "metrics_2_by_therapist")

    page.get_by_role("tab", name="Waiting times").click()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    settle(page)
    shot(page, "metrics_3_waiting_times")

    page.get_by_role("button", name=re.compile("Therapist: All therapists")).click()
    names = page.get_by_role("combobox", name="Therapist")
    expect(names).to_be_visible()
    settle(page)
    shot(page, "metrics_4_therapist_list")
    names.click()
    page.keyboard.type("Alice")
    page.get_by_role("option", name="Alice Moreno").click()
    expect(page.get_by_role("button", name=re.compile("Therapist: Alice Moreno"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"therapist=\d+"))
    expect(page.get_by_role("combobox", name="Therapist")).to_have_count(0)  # the list closed
    expect(page.get_by_text("Practice: median")).to_be_visible()
    settle(page)
    shot(page, "metrics_5_alice")
    assert tile(page, "Requests").inner_text() != practice_requests

    page.reload()  # the address keeps the choice
    expect(page.get_by_role("button", name=re.compile("Therapist: Alice Moreno"))).to_be_visible()
