"""Hostile text from clients and imports is shown as text on every page: no script runs, nothing is
injected, the layout survives."""
import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.conftest import DEMO_PASSWORD, fill_login, running_app, wait_for_login_cookie
from tests.hostile import HOSTILE

pytestmark = pytest.mark.e2e

INJECTED = ("img[src='x'], svg[onload], a[href^='javascript'], [onerror], [onload], "
            "a[href*='evil.example']")  # a client's web address must not become a link


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("hostile")) as app:
        env = os.environ | {"DATABASE_URL": app.database_url, "APP_BASE_URL": app.url}
        env.pop("BOOKING_DESK_SECRET", None)
        done = subprocess.run([sys.executable, "-m", "tests.e2e.hostile_seed"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        yield app, [int(x) for x in done.stdout.strip().split(",")]


def _assert_safe(page, where: str) -> None:
    assert page.evaluate("() => window.__pwned === undefined"), f"a script ran on {where}"
    assert page.locator(INJECTED).count() == 0, f"an element was injected on {where}"
    assert page.locator("script:text('__pwned')").count() == 0, f"a script element was injected on {where}"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 20, f"the layout overflows sideways on {where} ({width}px)"


def test_hostile_text_is_inert_on_every_page(hostile_app, browser):
    app, ids = hostile_app
    dialogs = []
    for user, paths in (
        ("alice", ["/", *[f"/session?id={i}" for i in ids], "/metrics", "/settings"]),
        ("morgan", ["/", f"/session?id={ids[0]}", f"/session?id={ids[-1]}", "/outbox", "/audit", "/metrics"]),
    ):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=app.url)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto("/")
        fill_login(page, user, DEMO_PASSWORD)
        expect(page.get_by_text("New and unconfirmed sessions").first).to_be_visible()
        wait_for_login_cookie(context)
        for path in paths:
            page.goto(path)
            expect(page.get_by_role("link", name="Log out")).to_be_visible()  # logged in, page drawn
            if path.startswith("/session"):
                expect(page.get_by_role("heading", name="Session details")).to_be_visible()
                text = HOSTILE[ids.index(int(path.split("=")[1]))]
                if text.isascii():  # the hostile text is there, literally, as text
                    expect(page.get_by_text(text[:40]).first).to_be_attached()
            page.wait_for_timeout(300)
            _assert_safe(page, f"{user} {path}")
        context.close()
    assert dialogs == []
