"""Browser tests: the real app under `streamlit run` on a fresh demo database, driven by Debian's Chromium.

One server per test run (starting it takes about a second); each test gets its own browser context,
so its own cookies and its own Streamlit session. The server is a separate process: its clock is the
real one (the demo seed uses the real current time), not tests.conftest.NOW.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from lib.demo.seed import DEMO_PASSWORD
from tests.conftest import ROOT, skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
COOKIE = "booking_desk_auth"
VIEWPORT = {"width": 1400, "height": 1000}
# Streamlit redraws after every click; a generous per-step timeout keeps a slow CI machine green.
STEP_MS = 15_000
# A fresh server's first page imports the whole app: on a 2-core machine busy with other work that alone can
# take longer than a step. Only the login form waits this long; a server that never draws it still fails.
FIRST_PAINT_MS = 60_000


@dataclass(frozen=True)
class RunningApp:
    url: str
    database_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lib(command: list[str], env: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "lib", *command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"python -m lib {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def serving(env: dict, log_path: Path, port: int, timeout: float = 30.0):
    """`streamlit run streamlit_app.py` (as `make run` starts it: st.App under uvicorn) on 127.0.0.1:port until
    healthy; stopped on exit."""
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(f"streamlit did not become healthy at {url} (exit code {proc.poll()}):\n"
                                       f"{log_path.read_text()[-3000:]}")
                time.sleep(0.1)
            yield url
        finally:
            stop(proc)


def stop(proc: subprocess.Popen, wait: float = 10) -> None:
    """Ask a server to stop; kill it if it has not within `wait` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def app_env(url: str, database_url: str, extra_env: dict | None = None) -> dict:
    """The environment of a test (or benchmark) server at `url` on `database_url`, its dispatcher off."""
    return os.environ | {"DATABASE_URL": database_url, "BOOKING_DESK_DISPATCHER": "off", "APP_BASE_URL": url,
                         "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"} | (extra_env or {})


@contextmanager
def running_app(workdir: Path, timeout: float = 30.0, extra_env: dict | None = None):
    """A migrated demo database in `workdir` and the app serving it; stopped on exit."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{workdir / 'booking_desk.db'}"
    env = app_env(url, database_url, extra_env)
    env.pop("BOOKING_DESK_SECRET", None)  # the demo key; a developer's own secret must not leak in
    _lib(["migrate"], env)
    _lib(["seed-demo"], env)
    with serving(env, workdir / "streamlit.log", port, timeout):
        yield RunningApp(url, database_url)


def mailing_env(smtp) -> dict:
    """running_app's extra_env for a server with email set up (a tests.servers.SmtpServer) and the in-app
    dispatcher on, delivering every half second."""
    from tests.servers import MAIL_FROM

    return {"SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none", "MAIL_FROM": MAIL_FROM,
            "SMTP_USER": "", "SMTP_PASSWORD": "", "BOOKING_DESK_DISPATCHER": "on",
            "BOOKING_DESK_DISPATCH_SECONDS": "0.5"}


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("e2e")) as app:
        yield app


@pytest.fixture(scope="session")
def base_url(app_server) -> str:
    """pytest-playwright's base URL: `page.goto("/session?id=3")` reaches the test server."""
    return app_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (make chromium)")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, base_url):
    return {**browser_context_args, "base_url": base_url, "viewport": VIEWPORT}


@pytest.fixture(autouse=True)
def _patient_page(page):
    from playwright.sync_api import expect

    page.set_default_timeout(STEP_MS)
    expect.set_options(timeout=STEP_MS)  # expect() waits 5 s by default: too short on a busy 2-core machine
    yield


def wait_for_login_cookie(context, timeout: float = 10.0) -> None:
    """The cookie component writes the re-login cookie a moment after the first page is drawn."""
    deadline = time.monotonic() + timeout
    while not any(c["name"] == COOKIE for c in context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError(f"the login cookie {COOKIE!r} was never written")
        time.sleep(0.05)


def settle(page, quiet_ms: int = 400, timeout: float = 10.0) -> None:
    """Wait until Streamlit has no faded (stale) elements left for a moment.

    Just after login the cookie components trigger one or two reruns; until they finish, the page
    briefly shows the old layout's elements beside the new ones (two copies of a link).
    """
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if page.locator("[data-stale='true']").count():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_ms / 1000:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page kept redrawing for 10 s")


def fill_login(page, username: str, password: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("textbox", name="Username")).to_be_visible(timeout=FIRST_PAINT_MS)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_on(page, username: str, path: str = "/", landing: str = "New and unconfirmed sessions"):
    """Open `path` logged out in `page`, log in through the form, wait for the page behind it.

    It does not wait for the re-login cookie: only tests that reload or type an address need it.
    """
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(path)
    fill_login(page, username, DEMO_PASSWORD)
    expect(page.get_by_text(landing).first).to_be_visible()
    settle(page)
    return page


@pytest.fixture
def log_in(page):
    """log_in_on the test's own page (the shared server)."""
    return partial(log_in_on, page)


@contextmanager
def new_page(browser, base_url: str, viewport: dict = VIEWPORT):
    """A page in a browser context of its own (its own cookies) on another server; closed on exit."""
    context = browser.new_context(base_url=base_url, viewport=viewport)
    try:
        page = context.new_page()
        page.set_default_timeout(STEP_MS)
        yield page
    finally:
        context.close()


def session_ids_in(database_url: str, therapist: str, status: str = "unconfirmed") -> list[int]:
    """Ids of a therapist's sessions in the server's database, oldest first (to build addresses)."""
    from sqlalchemy import create_engine, select

    from lib.core.models import Booking, User

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(Booking.id).join(User, User.id == Booking.therapist_id)
                                     .where(User.username == therapist, Booking.status == status)
                                     .order_by(Booking.id)))
    finally:
        engine.dispose()


def session_of(database_url: str, client_name: str) -> int:
    """The id of the first session of the client with this name (the demo seed's names are unique)."""
    from sqlalchemy import create_engine, select

    from lib.core.models import Booking, Client

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(Booking.id).join(Client, Client.id == Booking.client_id)
                               .where(Client.name == client_name).order_by(Booking.id))
    finally:
        engine.dispose()


def booking_row(database_url: str, booking_id: int):
    """The session's row as the server's database has it now (status, starts_at, therapist_id …)."""
    from sqlalchemy import create_engine, select

    from lib.core.models import Booking

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(Booking.__table__).where(Booking.id == booking_id)).one()
    finally:
        engine.dispose()


@pytest.fixture
def session_ids(app_server):
    return lambda therapist, status="unconfirmed": session_ids_in(app_server.database_url, therapist, status)


def pytest_collection_modifyitems(items):
    """A browser test gets one more try after a failure: Chromium on a busy 2-core machine sometimes
    misses a redraw. A real bug fails both tries (and the first failure is still printed)."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))
