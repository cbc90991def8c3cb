"""Two app servers against one PostgreSQL database, as docs/deploy.md runs the practice on several machines.

Two app server processes share the database and the cookie key. What a user notices: logging in on
one server also logs the same browser in on the other (so a server can go away), and a session confirmed
through one server shows up at once in the response times served by the other.
"""
from __future__ import annotations

import os
import re
from contextlib import ExitStack, contextmanager

import pytest

from lib.demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import (
    STEP_MS,
    VIEWPORT,
    _free_port,
    _healthy,
    _lib,
    fill_login,
    serving,
    settle,
    wait_for_login_cookie,
)

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.slow]
SHARED_SECRET = "two-servers-one-practice-shared-cookie-key-0123456789"


@contextmanager
def app_server(database_url: str, log_path):
    """One app server on a free port, with the practice's shared cookie key; stopped on exit."""
    port = _free_port()
    env = os.environ | {"DATABASE_URL": database_url, "BOOKING_DESK_SECRET": SHARED_SECRET,
                        "APP_BASE_URL": f"http://127.0.0.1:{port}", "BOOKING_DESK_DISPATCHER": "off",
                        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with serving(env, log_path, port) as url:
        yield url


def open_now(page) -> int:
    tile = page.get_by_test_id("stMetric").filter(has_text="Open now").get_by_test_id("stMetricValue")  # ui/tiles.py
    return int(tile.inner_text().replace(",", ""))


def test_two_servers_share_the_database_and_the_login(pg_url, browser, tmp_path):
    from playwright.sync_api import expect

    env = os.environ | {"DATABASE_URL": pg_url}
    _lib(["seed-demo"], env)  # the migrated, emptied test database gets the demo practice
    with ExitStack() as stack:
        server_a = stack.enter_context(app_server(pg_url, tmp_path / "a.log"))
        server_b = stack.enter_context(app_server(pg_url, tmp_path / "b.log"))
        assert server_a != server_b and _healthy(server_a) and _healthy(server_b)

        # Morgan logs in on server A, following a link to the response times.
        manager = browser.new_context(viewport=VIEWPORT)
        on_a = manager.new_page()
        on_a.set_default_timeout(STEP_MS)
        on_a.goto(f"{server_a}/metrics")
        fill_login(on_a, "morgan", DEMO_PASSWORD)
        expect(on_a.get_by_role("heading", name="Response times")).to_be_visible(timeout=STEP_MS)
        wait_for_login_cookie(manager)
        settle(on_a)
        waiting_before = open_now(on_a)
        assert waiting_before > 0

        # The same browser on server B is already logged in: the cookie key is shared.
        on_b = manager.new_page()
        on_b.set_default_timeout(STEP_MS)
        on_b.goto(f"{server_b}/metrics")
        # server B's first page since it started: its first run imports the pages (seconds on a busy machine)
        expect(on_b.get_by_role("heading", name="Response times")).to_be_visible(timeout=STEP_MS)
        expect(on_b.get_by_text("Signed in as Morgan Reid")).to_be_visible()
        expect(on_b.get_by_role("textbox", name="Password")).to_have_count(0)

        # Alice, served by B, confirms her most urgent session.
        therapist = browser.new_context(viewport=VIEWPORT)
        alice = therapist.new_page()
        alice.set_default_timeout(STEP_MS)
        alice.goto(f"{server_b}/")
        fill_login(alice, "alice", DEMO_PASSWORD)
        expect(alice.get_by_text("New and unconfirmed sessions").first).to_be_visible()
        wait_for_login_cookie(therapist)
        settle(alice)
        alice.get_by_role("link", name=re.compile(r"^Open .+'s request$")).first.click()
        expect(alice).to_have_url(re.compile(r"/session\?id=\d+$"))
        alice.get_by_role("button", name="Confirm Session").click()
        alice.get_by_role("dialog").get_by_role("button", name="Confirm Session").click()
        expect(alice.get_by_text(re.compile(r"^Session confirmed\."))).to_be_visible()

        # Server A shows it straight away: one fewer request waiting for an answer.
        on_a.reload()
        expect(on_a.get_by_role("heading", name="Response times")).to_be_visible()
        settle(on_a)
        assert open_now(on_a) == waiting_before - 1
        manager.close()
        therapist.close()
