"""In Chromium, as a person feels it: opening a page, and a click, against an empty Streamlit app served the
same way (bench.sessions: `streamlit run` with our server settings, 127.0.0.1), taking turns.

Opening: from navigation until the page's main element is visible and Streamlit has nothing running or
stale on screen. Pages: the dashboard and the session page (a therapist), /metrics (a manager, figures
from the cache). Clicks: the session page's answers toggle until the answers appear or go (bench.redraw); a manager
narrowing the dashboard to one therapist until only their cards show;
a manager's choice of period on /metrics until the figures are redrawn, with figures kept from a moment
ago, and on a second server that keeps none (BOOKING_DESK_METRICS_MAX_AGE=0: every choice works them out
afresh); the empty app has the same toggle and line. Data: the demo practice (tests.e2e running_app, SQLite).
Figures (medians of BENCH_BROWSER_RUNS, default 30): browser_load_<page>_vs_empty,
browser_click_session_vs_empty, browser_click_dashboard_filter_vs_empty, browser_click_metrics_period_vs_empty,
metrics_filter_fresh_vs_empty, and
each median in ms.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench import redraw, sessions

RUNS = int(os.environ.get("BENCH_BROWSER_RUNS", "30"))
_IDLE = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
         " && !document.querySelector('[data-stale=\"true\"]')")


def _open_ms(page, url: str, main_text: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.get_by_text(main_text).first.wait_for()
    page.wait_for_function(_IDLE)
    return (time.perf_counter() - started) * 1000


PERIODS = ("Last 90 days", "Last 30 days")


def _period_ms(page, choice: str) -> float:
    """A manager picks another period on /metrics: from the choice to the figures redrawn."""
    page.get_by_role("combobox", name="Period").click()
    option = page.get_by_role("option", name=choice)
    started = time.perf_counter()
    option.click()
    page.get_by_text(f"Requests made in the {choice.lower()}").first.wait_for()
    page.wait_for_function(_IDLE)
    return (time.perf_counter() - started) * 1000


DASH_CHOICES = ("Bob Okafor", "Alice Moreno")


def _therapist_ms(page, choice: str, other: str) -> float:
    """A manager narrows the dashboard to one therapist: from the choice until only their cards show."""
    page.get_by_role("combobox", name="Therapist").click()
    option = page.get_by_role("option", name=choice)
    started = time.perf_counter()
    option.click()
    page.get_by_text(f"Therapist: {choice}").first.wait_for()
    page.get_by_text(f"Therapist: {other}").first.wait_for(state="detached")
    page.wait_for_function(_IDLE)
    return (time.perf_counter() - started) * 1000


def _therapists(page, rounds: int) -> list[float]:
    return [_therapist_ms(page, DASH_CHOICES[i % 2], DASH_CHOICES[1 - i % 2]) for i in range(rounds)]


def _periods(page, rounds: int) -> list[float]:
    return [_period_ms(page, PERIODS[i % 2]) for i in range(rounds)]


def run(report) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e import conftest as e2e

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bd-browser-")))
        (workdir / "app").mkdir()
        app = stack.enter_context(e2e.running_app(workdir / "app"))
        (workdir / "fresh").mkdir()  # the same app, keeping no figures: every filter works them out afresh
        fresh_app = stack.enter_context(e2e.running_app(workdir / "fresh",
                                                        extra_env={"BOOKING_DESK_METRICS_MAX_AGE": "0"}))
        port, _ = stack.enter_context(sessions.empty_app(workdir, dict(os.environ)))
        empty_url = f"http://127.0.0.1:{port}/"
        browser = stack.enter_context(sync_playwright()).chromium.launch(
            executable_path=e2e.CHROMIUM, args=e2e.CHROMIUM_FLAGS)
        therapist = redraw._open_session(browser, app)  # signed in, on a session with an assessment
        e2e.wait_for_login_cookie(therapist.context)
        session_url = therapist.url
        manager = redraw.signed_in_page(browser, app, "morgan", "/metrics", "Response times")
        fresh = redraw.signed_in_page(browser, fresh_app, "morgan", "/metrics", "Response times")
        desk = redraw.signed_in_page(browser, app, "morgan")
        empty = browser.new_page(viewport=e2e.VIEWPORT)
        targets = {"dashboard": (therapist, app.url + "/", "New and unconfirmed sessions"),
                   "session": (therapist, session_url, "Your answer"),
                   "metrics": (manager, app.url + "/metrics", "Response times")}
        opened = {name: [] for name in targets} | {"empty": []}
        for i in range(RUNS + 2):  # the first two of each are warm-up
            for name, (page, url, text) in targets.items():
                pair = [(name, page, url, text), ("empty", empty, empty_url, "Empty")]
                for who, p, u, t in (pair if i % 2 else pair[::-1]):
                    ms = _open_ms(p, u, t)
                    if i >= 2:
                        opened[who].append(ms)
        therapist.goto(session_url)
        therapist.get_by_text(redraw.TOGGLE).first.wait_for()
        _open_ms(empty, empty_url, "Empty")
        clicks = {"session": [], "empty": []}
        redraw._click_times(therapist, 2)
        redraw._click_times(empty, 2)
        manager.goto(app.url + "/metrics")
        manager.get_by_text("Requests made in the last 30 days").first.wait_for()
        clicks |= {"period": [], "fresh": [], "dashboard": []}
        _periods(manager, 2)
        _periods(fresh, 2)
        _therapists(desk, 2)
        for _ in range(max(1, RUNS // 5)):
            clicks["session"] += [t * 1000 for t in redraw._click_times(therapist, 5)]
            clicks["empty"] += [t * 1000 for t in redraw._click_times(empty, 5)]
            clicks["period"] += _periods(manager, 4)
            clicks["fresh"] += _periods(fresh, 4)
            clicks["dashboard"] += _therapists(desk, 4)
        browser.close()
    empty_open = statistics.median(opened["empty"])
    print(f"  opening the empty app: {empty_open:.0f} ms (median of {len(opened['empty'])})", flush=True)
    for name in targets:
        ms = statistics.median(opened[name])
        print(f"  opening {name}: {ms:.0f} ms", flush=True)
        report(f"browser_load_{name}_ms", ms)
        report(f"browser_load_{name}_vs_empty", ms / empty_open)
    ms = {k: statistics.median(v) for k, v in clicks.items()}
    print(f"  click to redraw: session page {ms['session']:.0f} ms, /metrics period (figures kept) "
          f"{ms['period']:.0f} ms, (worked out afresh) {ms['fresh']:.0f} ms; empty app {ms['empty']:.0f} ms",
          flush=True)
    print(f"  a manager's therapist filter on the dashboard: {ms['dashboard']:.0f} ms", flush=True)
    for name, figure in (("session", "browser_click_session"), ("period", "browser_click_metrics_period"),
                         ("fresh", "metrics_filter_fresh"), ("dashboard", "browser_click_dashboard_filter")):
        report(f"{figure}_ms", ms[name])
        report(f"{figure}_vs_empty", ms[name] / ms["empty"])
