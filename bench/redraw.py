"""What a click costs in a real browser: our server against Streamlit's default settings.

Streamlit's server runs a full garbage collection (`gc.collect(2)`) after every script run
(`runner.postScriptGC`, on by default). With this app's modules loaded that walks some 180,000 objects,
about 90 ms of CPU holding the interpreter lock, so the end of each redraw waits for it. Our
.streamlit/config.toml turns it off. Here two servers run the same demo practice, ours and one with
that option back on; Chromium clicks the session page's "Show every answer" toggle on each in turn and
times the click until the answers appear or go. Figure: redraw_vs_streamlit_default = our median /
the default's median (lower is better).
"""
from __future__ import annotations

import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from lib.demo.seed import DEMO_PASSWORD

ROUNDS = 10
CLICKS = 5  # per server per round, alternating, so the machine's moments fall on both alike
TOGGLE = "Show every answer, item by item"
ITEM = "Little interest or pleasure in doing things"  # PHQ-9's first item, drawn only when toggled on


def signed_in_page(browser, app, username: str, path: str = "/", landing: str = "New and unconfirmed sessions"):
    """A new page of its own, signed in as `username` through the form on `path`, with the re-login cookie."""
    from tests.e2e import conftest as e2e

    page = browser.new_page(viewport=e2e.VIEWPORT)
    page.set_default_timeout(e2e.STEP_MS)
    page.goto(app.url + path)
    e2e.fill_login(page, username, DEMO_PASSWORD)
    page.get_by_text(landing).first.wait_for()
    e2e.wait_for_login_cookie(page.context)
    return page


def _open_session(browser, app):
    """A page on alice's first unconfirmed session with an assessment, logged in."""
    from tests.e2e import conftest as e2e

    page = signed_in_page(browser, app, "alice")
    for booking_id in e2e.session_ids_in(app.database_url, "alice"):
        page.goto(f"{app.url}/session?id={booking_id}")
        page.get_by_text("Your answer").first.wait_for()
        e2e.settle(page)
        if page.get_by_text(TOGGLE).count():
            return page
    raise RuntimeError("no session of alice's has an assessment to show")


def _click_times(page, clicks: int) -> list[float]:
    toggle, item = page.get_by_text(TOGGLE), page.get_by_text(ITEM)
    times = []
    for _ in range(clicks):
        shown = item.count() > 0
        started = time.perf_counter()
        toggle.click()
        item.first.wait_for(state="detached" if shown else "visible")
        times.append(time.perf_counter() - started)
        # The default server collects after the run's last message: let that finish too, so that each click
        # is timed alone (a collection with this app loaded takes 90 ms or more).
        page.wait_for_timeout(300)
    return times


def run(report) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e import conftest as e2e

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bd-redraw-")))
        (workdir / "ours").mkdir()
        (workdir / "default").mkdir()
        ours = stack.enter_context(e2e.running_app(workdir / "ours"))
        default = stack.enter_context(e2e.running_app(workdir / "default",
                                                      extra_env={"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"}))
        browser = stack.enter_context(sync_playwright()).chromium.launch(
            executable_path=e2e.CHROMIUM, args=e2e.CHROMIUM_FLAGS)
        pages = {"ours": _open_session(browser, ours), "default": _open_session(browser, default)}
        for page in pages.values():
            _click_times(page, 2)  # warm-up
        times = {"ours": [], "default": []}
        for _ in range(ROUNDS):
            for name, page in pages.items():
                times[name] += _click_times(page, CLICKS)
        browser.close()
    ours_ms, default_ms = (statistics.median(times[n]) * 1000 for n in ("ours", "default"))
    print(f"  click to redraw on the session page: ours {ours_ms:.0f} ms, Streamlit's default "
          f"(full collection after each run) {default_ms:.0f} ms", flush=True)
    report("redraw_vs_streamlit_default", ours_ms / default_ms)
