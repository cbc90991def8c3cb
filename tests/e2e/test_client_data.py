"""A client's data in the browser: a manager downloads Hannah's ZIP (her assessment, and who viewed it), then
erases her; afterwards no page shows her name. On its own demo database, since it erases a demo client."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select

from lib.core.models import Booking, Client
from lib.demo.seed import DEMO_PASSWORD
from tests.conftest import ROOT
from tests.e2e.conftest import STEP_MS, fill_login, running_app, settle

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("BD_SCREENSHOTS")
NAME, SURNAME = "Hannah Whitfield", "Whitfield"


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("client-data")) as app:
        yield app


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _log_in(page, app, username: str, path: str, landing: str) -> None:
    page.context.clear_cookies()
    page.goto(app.url + path)
    fill_login(page, username, DEMO_PASSWORD)
    expect(page.get_by_text(landing).first).to_be_visible()
    settle(page)


@contextmanager
def _own_browser(page):
    """Another user in a browser context of their own (own cookies, own Streamlit session)."""
    context = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        other = context.new_page()
        other.set_default_timeout(STEP_MS)
        yield other
    finally:
        context.close()


def _hannahs_first_session(app) -> int:
    engine = create_engine(app.database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(Booking.id).join(Client, Client.id == Booking.client_id)
                               .where(Client.name == NAME).order_by(Booking.id).limit(1))
    finally:
        engine.dispose()


def _shows(page, app, path: str, landing: str) -> str:
    page.goto(app.url + path)
    expect(page.get_by_text(landing).first).to_be_visible()
    settle(page)
    return page.content()


def test_manager_exports_a_clients_data_then_erases_them_and_no_page_names_them(page, own_app):
    session_id = _hannahs_first_session(own_app)
    with _own_browser(page) as alice:  # Alice reads Hannah's assessment
        _log_in(alice, own_app, "alice", f"/session?id={session_id}", NAME)

    _log_in(page, own_app, "morgan", "/clients", "Find a client")
    page.get_by_role("textbox", name="Find a client").fill(SURNAME)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("stRadio").get_by_text(NAME)).to_be_visible()
    settle(page)
    shot(page, "clients_1_found")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download their data (ZIP)").click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as zf:
        data = json.loads(zf.read("data.json"))
        summary = zf.read("summary.html").decode()
    [assessment] = data["self_assessments"]
    assert "losing my job" in assessment["in_your_own_words"] and assessment["phq9"]["total"] == 12
    viewers = {(v["who"], v["session"]) for v in data["who_viewed_or_changed_the_record"] if v["viewed"]}
    assert ("Alice Moreno", session_id) in viewers
    assert "Who viewed or changed your record" in summary and "Alice Moreno" in summary

    page.get_by_role("button", name="Erase this client…").click()
    expect(page.get_by_text(f"Erase {NAME}?")).to_be_visible()
    expect(page.get_by_text("First, these sessions are cancelled")).to_be_visible()
    page.get_by_role("combobox", name="Reason").click()
    page.keyboard.type("asked")
    page.get_by_role("option", name="The client asked for their data to be erased").click()
    page.get_by_text(f"I understand that {NAME}'s record is erased for good").click()
    settle(page)
    shot(page, "clients_2_confirm")
    page.get_by_role("button", name="Erase permanently").click()
    expect(page.get_by_text("The client's record was erased.")).to_be_visible()
    shot(page, "clients_3_erased")

    # The worker's round: the cancellation email leaves the outbox (no mail server here), then is blanked.
    env = os.environ | {"DATABASE_URL": own_app.database_url}
    subprocess.run([sys.executable, "-m", "lib", "dispatch", "--once"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)

    seen = {
        "/": _shows(page, own_app, "/", "New and unconfirmed sessions"),
        "/session": _shows(page, own_app, f"/session?id={session_id}", "Erased client"),
        "/metrics": _shows(page, own_app, "/metrics", "Response times"),
        "/outbox": _shows(page, own_app, "/outbox", "Every email and SMS"),
        "/audit": _shows(page, own_app, "/audit", "Verified up to entry"),
    }
    page.goto(own_app.url + "/clients")
    page.get_by_role("textbox", name="Find a client").fill(SURNAME)
    page.keyboard.press("Enter")
    expect(page.get_by_text("No client matches")).to_be_visible()
    seen["/clients"] = page.locator("body").inner_text()  # the page's words, not the manager's own search words
    with _own_browser(page) as alice:
        _log_in(alice, own_app, "alice", "/", "New and unconfirmed sessions")
        seen["alice's /"] = alice.content()
    for where, html in seen.items():
        assert SURNAME.lower() not in html.lower(), f"{where} still shows the client's name"
