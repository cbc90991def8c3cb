"""In Chromium, as a person feels it, on the large data sets (bench.data: BENCH_BOOKINGS over BENCH_THERAPISTS,
SQLite and PostgreSQL): opening a page, and a click, against an empty Streamlit app served the same way
(bench.sessions: `streamlit run` with our server settings, 127.0.0.1), taking turns.

Opening: from navigation until the page's main element is visible and Streamlit has nothing running or
stale on screen. Pages: the dashboard and the session page (the therapist with the most open requests),
/metrics (a manager, figures from the cache). Clicks: the session page's answers toggle until the answers
appear or go (bench.redraw); a manager narrowing the dashboard to one therapist until only their cards
show; a manager's choice of period on /metrics until the figures are redrawn, with figures kept from a
moment ago, and on a second server that keeps none (BOOKING_DESK_METRICS_MAX_AGE=0: every choice works them
out afresh), there also on the By therapist tab (the table of every therapist, worked out with the figures).
The empty app has the same toggle, and a choice from a list that redraws a line: a toggle is compared with
its toggle, a choice from a list with its choice (a list's opening and closing alone take the browser about
as long as the empty app's whole toggle).

Figures per database (medians of BENCH_BROWSER_RUNS, default 30): browser_load_<page>_vs_empty_<db>,
browser_click_session_vs_empty_<db>, browser_click_dashboard_filter_vs_empty_<db>,
browser_click_metrics_period_vs_empty_<db>, metrics_filter_fresh_vs_empty_<db>,
metrics_filter_fresh_table_vs_empty_<db>, and each median in ms.
"""
from __future__ import annotations

import os
import re
import secrets
import statistics
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select

from bench import data, redraw, served, sessions
from lib.core.db import unit_of_work
from lib.core.models import Assessment, Booking, User
from lib.people import auth

RUNS = int(os.environ.get("BENCH_BROWSER_RUNS", "30"))
_IDLE = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
         " && !document.querySelector('[data-stale=\"true\"]')")
PASSWORD = "bench-browser-password"
# Two therapists renamed for the run, so a name in the dashboard's list is one person (bulk names repeat).
DASH_CHOICES = ("Bench Therapist One", "Bench Therapist Two")
PERIODS = ("Last 90 days", "Last 30 days")


def _open_ms(page, url: str, main_text: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.get_by_text(main_text).first.wait_for()
    page.wait_for_function(_IDLE)
    return (time.perf_counter() - started) * 1000


def _period_ms(page, choice: str) -> float:
    """A manager picks another period on /metrics (or the empty app's list): from the choice to the redraw."""
    page.get_by_role("combobox", name="Period").click()
    option = page.get_by_role("option", name=choice)
    started = time.perf_counter()
    option.click()
    page.get_by_text(f"Requests made in the {choice.lower()}").first.wait_for()
    page.wait_for_function(_IDLE)
    return (time.perf_counter() - started) * 1000


def _therapist_ms(page, choice: str, other: str) -> float:
    """A manager narrows the dashboard to one therapist: from the choice until only their cards show.
    The list is opened and the name typed first (a practice's list is long), as a manager would."""
    page.get_by_role("button", name=re.compile("^Therapist: ")).click()
    box = page.get_by_role("combobox", name="Therapist")
    box.click()
    box.press_sequentially(choice)
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


def _prepare(url: str) -> tuple[str, str, int]:
    """Sign-ins for the run and one session worth opening: (therapist's username, manager's, the session id).

    The therapist with the most open requests, and the one with the next most, get names of their own; the
    first gets a password and a self-assessment on their newest open request (the bulk data has none).
    """
    boss = served.manager(url)
    therapist, open_ids = served.busiest_therapist(url)
    with unit_of_work(write=True, url=url) as s:
        s.get(User, boss.id).password_hash = auth.hash_password(PASSWORD)
        user = s.get(User, therapist.id)
        user.name, user.password_hash = DASH_CHOICES[0], auth.hash_password(PASSWORD)
        other = s.scalar(select(Booking.therapist_id).where(Booking.status == "unconfirmed",
                                                            Booking.therapist_id != therapist.id).limit(1))
        s.get(User, other).name = DASH_CHOICES[1]
        booking = s.get(Booking, open_ids[-1])
        s.add(Assessment(relationship_id=booking.relationship_id, phq9=[1, 2, 1, 1, 0, 1, 0, 0, 0],
                         gad7=[2, 2, 2, 1, 1, 1, 1], help_with=["Anxiety"], free_text="Work has been hard.",
                         updated_at=booking.requested_at))
    return therapist.username, boss.username, booking.id


@contextmanager
def _serving(url: str, workdir: Path, name: str, extra_env: dict | None = None):
    from tests.e2e import conftest as e2e

    port = e2e._free_port()
    base = f"http://127.0.0.1:{port}"
    with e2e.serving(e2e.app_env(base, url, extra_env), workdir / f"{name}.log", port, timeout=120):
        yield base


def _signed_in(browser, base: str, username: str, path: str, landing: str):
    from tests.e2e import conftest as e2e

    page = browser.new_page(viewport=e2e.VIEWPORT)
    page.set_default_timeout(60_000)  # a first /metrics on a million bookings works its figures out
    page.goto(base + path)
    e2e.fill_login(page, username, PASSWORD)
    page.get_by_text(landing).first.wait_for()
    e2e.wait_for_login_cookie(page.context)
    e2e.settle(page)
    return page


def run(report) -> None:
    # The app's keys for this run: assessments are written here and read by the servers.
    os.environ["BOOKING_DESK_SECRET"] = secrets.token_urlsafe(48)
    os.environ["BOOKING_DESK_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    for kind, url in (("sqlite", data.large_sqlite), ("postgres", data.large_postgres)):
        _run_on(kind, url(), report)


def _run_on(kind: str, url: str, report) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e import conftest as e2e

    therapist_name, manager_name, session_id = _prepare(url)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bd-browser-")))
        app = stack.enter_context(_serving(url, workdir, "app"))
        fresh_app = stack.enter_context(_serving(url, workdir, "fresh", {"BOOKING_DESK_METRICS_MAX_AGE": "0"}))
        port, _ = stack.enter_context(sessions.empty_app(workdir, dict(os.environ)))
        empty_url = f"http://127.0.0.1:{port}/"
        browser = stack.enter_context(sync_playwright()).chromium.launch(
            executable_path=e2e.CHROMIUM, args=e2e.CHROMIUM_FLAGS)
        session_url = f"{app}/session?id={session_id}"
        therapist = _signed_in(browser, app, therapist_name, f"/session?id={session_id}", redraw.TOGGLE)
        manager = _signed_in(browser, app, manager_name, "/metrics", "Requests made in the last 30 days")
        fresh = _signed_in(browser, fresh_app, manager_name, "/metrics", "Requests made in the last 30 days")
        fresh_table = _signed_in(browser, fresh_app, manager_name, "/metrics?view=By+therapist",
                                 "Requests made in the last 30 days")
        desk = _signed_in(browser, app, manager_name, "/", "New and unconfirmed sessions")
        empty = browser.new_page(viewport=e2e.VIEWPORT)
        targets = {"dashboard": (therapist, app + "/", "New and unconfirmed sessions"),
                   "session": (therapist, session_url, "Your answer"),
                   "metrics": (manager, app + "/metrics", "Requests made in the last 30 days")}
        opened = {name: [] for name in targets} | {"empty": []}
        for i in range(RUNS + 2):  # the first two of each are warm-up
            for name, (page, url_, text) in targets.items():
                pair = [(name, page, url_, text), ("empty", empty, empty_url, "Empty")]
                for who, p, u, t in (pair if i % 2 else pair[::-1]):
                    ms = _open_ms(p, u, t)
                    if i >= 2:
                        opened[who].append(ms)
        therapist.goto(session_url)
        therapist.get_by_text(redraw.TOGGLE).first.wait_for()
        _open_ms(empty, empty_url, "Empty")
        redraw._click_times(therapist, 2)
        redraw._click_times(empty, 2)
        manager.goto(app + "/metrics")
        manager.get_by_text("Requests made in the last 30 days").first.wait_for()
        _periods(manager, 2)
        _periods(fresh, 2)
        _periods(fresh_table, 2)
        _periods(empty, 2)
        _therapists(desk, 2)
        clicks = {"session": [], "empty": [], "period": [], "fresh": [], "fresh_table": [], "dashboard": [],
                  "empty_choice": []}
        for _ in range(max(1, RUNS // 5)):
            clicks["session"] += [t * 1000 for t in redraw._click_times(therapist, 5)]
            clicks["empty"] += [t * 1000 for t in redraw._click_times(empty, 5)]
            clicks["period"] += _periods(manager, 4)
            clicks["empty_choice"] += _periods(empty, 4)
            clicks["fresh"] += _periods(fresh, 4)
            clicks["fresh_table"] += _periods(fresh_table, 4)
            clicks["dashboard"] += _therapists(desk, 4)
        browser.close()
    empty_open = statistics.median(opened["empty"])
    print(f"  {kind}: opening the empty app: {empty_open:.0f} ms (median of {len(opened['empty'])})", flush=True)
    for name in targets:
        ms = statistics.median(opened[name])
        print(f"  {kind}: opening {name}: {ms:.0f} ms", flush=True)
        report(f"browser_load_{name}_ms_{kind}", ms)
        report(f"browser_load_{name}_vs_empty_{kind}", ms / empty_open)
    ms = {k: statistics.median(v) for k, v in clicks.items()}
    print(f"  {kind}: click to redraw: session page {ms['session']:.0f} ms (empty app's toggle {ms['empty']:.0f} ms); "
          f"/metrics period, figures kept {ms['period']:.0f} ms, worked out afresh {ms['fresh']:.0f} ms "
          f"({ms['fresh_table']:.0f} ms on the By therapist tab); "
          f"dashboard therapist {ms['dashboard']:.0f} ms (empty app's choice {ms['empty_choice']:.0f} ms)", flush=True)
    for name, figure, empty_click in (("session", "browser_click_session", "empty"),
                                      ("period", "browser_click_metrics_period", "empty_choice"),
                                      ("fresh", "metrics_filter_fresh", "empty_choice"),
                                      ("fresh_table", "metrics_filter_fresh_table", "empty_choice"),
                                      ("dashboard", "browser_click_dashboard_filter", "empty_choice")):
        report(f"{figure}_ms_{kind}", ms[name])
        report(f"{figure}_vs_empty_{kind}", ms[name] / ms[empty_click])
    report(f"browser_click_empty_toggle_ms_{kind}", ms["empty"])
    report(f"browser_click_empty_choice_ms_{kind}", ms["empty_choice"])
