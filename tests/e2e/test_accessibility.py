"""Accessibility in the browser (issue 20, docs/accessibility.md): axe-core on every page and state, the
keyboard-only path to Confirm Session, and reflow at 320 px and at 200% zoom.

One app server for this module, on a demo practice of its own (the tests confirm and offer sessions), and
one signed-in browser context per user, reused from page to page.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select

from lib.core.models import Notification
from lib.demo.seed import DEMO_PASSWORD
from tests.contrast import AA_NON_TEXT, ratio
from tests.e2e.a11y import axe_violations, describe, focus_ring, overflow, with_axe
from tests.e2e.conftest import (
    FIRST_PAINT_MS,
    STEP_MS,
    VIEWPORT,
    log_in_on,
    running_app,
    session_of,
    settle,
    wait_for_login_cookie,
)

pytestmark = pytest.mark.e2e

ANSWERS = "Or answer another way"
MANAGER_PAGES = [("/outbox", "Outbox"), ("/audit", "Audit trail"), ("/new-booking", "New booking"),
                 ("/people", "People"), ("/clients", "Clients")]


@pytest.fixture(autouse=True)
def _patient_page():
    """This module makes its own pages (below), on its own server: not the shared server's `page`."""
    expect.set_options(timeout=STEP_MS)
    yield


@pytest.fixture(scope="module")
def a11y_app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("a11y")) as app:
        yield app


@pytest.fixture(scope="module")
def contexts(browser, a11y_app):
    made = []

    def new(viewport: dict = VIEWPORT, **kwargs):
        context = browser.new_context(base_url=a11y_app.url, viewport=viewport, **kwargs)
        with_axe(context)
        made.append(context)
        page = context.new_page()
        page.set_default_timeout(STEP_MS)
        return page

    yield new
    for context in made:
        context.close()


def signed_in_page(page, username: str):
    """Log in through the form and wait for the re-login cookie: the tests then type addresses."""
    log_in_on(page, username)
    wait_for_login_cookie(page.context)
    return page


@pytest.fixture(scope="module")
def signed_in(contexts):
    """A page signed in as this user, made once per module and reused."""
    pages = {}

    def get(username: str):
        if username not in pages:
            pages[username] = signed_in_page(contexts(), username)
        return pages[username]

    return get


def outbox_link(database_url: str, path: str, client_name: str | None = None) -> str:
    """The first link to `path` in any message in the outbox (the client's private links), as a path."""
    from lib.core.models import Booking, Client

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(Notification.body_text).order_by(Notification.id)
            if client_name:
                query = query.join(Booking, Booking.id == Notification.booking_id).join(
                    Client, Client.id == Booking.client_id).where(Client.name == client_name)
            bodies = list(conn.scalars(query))
    finally:
        engine.dispose()
    for body in bodies:
        for word in (body or "").split():
            if f"{path}?token=" in word:
                return word[word.index(path):].rstrip(".,)")
    raise AssertionError(f"no {path} link in the outbox")


class Audit:
    """Runs axe on each state; every failure is kept and reported together at the end."""

    def __init__(self):
        self.failures: list[str] = []
        self.states: list[str] = []

    def check(self, page, state: str) -> None:
        settle(page)
        self.states.append(state)
        if found := axe_violations(page):
            self.failures.append(describe(state, found))

    def visit(self, page, path: str, landing: str, state: str) -> None:
        visit(page, path, landing)
        self.check(page, state)

    def done(self) -> None:
        assert not self.failures, "serious or critical axe violations:\n" + "\n".join(self.failures)


def visit(page, path: str, landing: str) -> None:
    """Open the address and wait for the page's heading `landing` (not the menu's link of the same name)."""
    page.goto(path)
    expect(page.get_by_role("heading", name=landing).first).to_be_visible()
    settle(page)


def each_answer(page, audit: Audit, where: str) -> list[str]:
    """Open each of the session page's other answers in turn (and the Cancel dialog); nothing is sent."""
    group = page.get_by_role("radiogroup", name=ANSWERS)
    answers = [r.get_attribute("aria-label") or r.inner_text() for r in group.get_by_role("radio").all()]
    assert len(answers) >= 3, answers
    for answer in answers:
        pill = group.get_by_role("radio", name=answer)
        pill.click()
        expect(pill).to_be_checked()
        audit.check(page, f"{where}, answer {answer!r} open")
        if answer.startswith("Cancel"):
            refund = page.get_by_role("radiogroup", name="Full refund for the client?")
            if refund.count():  # the demo session is less than 48 hours away late in the day (UTC)
                refund.get_by_text("Yes, full refund").click()
            page.get_by_role("textbox", name="Reason (required)").fill("The client asked us to")
            check_dialog(page, audit, "Review the cancellation…", "Cancel dialog")
    return answers


def check_dialog(page, audit: Audit, button: str, state: str) -> None:
    """Open a dialog by its button, check it, close it with Escape (nothing is done)."""
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    audit.check(page, state)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)


def each_tab(page, audit: Audit, where: str) -> None:
    tabs = page.get_by_role("tab")
    names = [t.inner_text().strip() for t in tabs.all()]
    assert names, f"no tabs on {where}"
    for name in names:
        page.get_by_role("tab", name=name).click()
        expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
        audit.check(page, f"{where}, tab {name!r}")


def test_sign_in_page_has_no_serious_violation(contexts):
    page, audit = contexts(), Audit()
    page.goto("/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=FIRST_PAINT_MS)
    audit.check(page, "sign-in")
    page.get_by_role("textbox", name="Username").fill("alice")
    page.get_by_role("textbox", name="Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("don't match")).to_be_visible()
    audit.check(page, "sign-in, wrong password")
    audit.done()


def test_therapist_pages_have_no_serious_violation(signed_in, a11y_app):
    page, audit = signed_in("alice"), Audit()
    audit.visit(page, "/", "New and unconfirmed sessions", "alice's dashboard")
    # Colour is never the only signal: the red mark says what it means in words (and so does "Overdue", when
    # a request is: the demo's due times follow the real clock).
    expect(page.get_by_text("Risk flag").first).to_be_visible()  # after its warning icon

    risky = session_of(a11y_app.database_url, "Hannah Whitfield")  # risk flag: every answer open at once
    visit(page, f"/session?id={risky}", "Session details")
    expect(page.get_by_text("Risk flag.", exact=False).first).to_be_visible()
    for words in ("Unconfirmed", "Complete", "— risk flag"):  # the status, the assessment's, the item's
        expect(page.get_by_text(words).first).to_be_visible()
    audit.check(page, "session page with a risk flag, every answer shown")
    each_answer(page, audit, "session page")
    check_dialog(page, audit, "Confirm Session", "Confirm dialog")

    visit(page, "/metrics", "Response times")
    each_tab(page, audit, "alice's /metrics")
    audit.visit(page, "/settings", "Your alerts and contact details", "alice's /settings")
    audit.done()


def add_a_person(page, audit: Audit) -> None:
    """On /people's "Add a person" tab: a new therapist, who is emailed a link to choose a password."""
    page.get_by_role("tab", name="Add a person").click()
    page.get_by_role("textbox", name="Full name").fill("Carol Diaz")
    page.get_by_role("textbox", name="Username (what they sign in with)").fill("carol")
    page.get_by_role("textbox", name="Email address").fill("carol@practice.example")
    page.get_by_role("button", name="Add and email a link to set a password").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Carol Diaz").first).to_be_visible()
    audit.check(page, "/people after adding a person")


def test_manager_pages_have_no_serious_violation(contexts, signed_in, a11y_app):
    page, audit = signed_in("morgan"), Audit()
    audit.visit(page, "/", "New and unconfirmed sessions", "morgan's dashboard")
    zoe = session_of(a11y_app.database_url, "Zoë Lambert")
    audit.visit(page, f"/session?id={zoe}", "Session details", "session page as a manager (no assessment yet)")
    assert "Reassign" in each_answer(page, audit, "manager's session page")
    visit(page, "/metrics", "Response times")
    each_tab(page, audit, "morgan's /metrics")
    for path, landing in MANAGER_PAGES:
        audit.visit(page, path, landing, f"morgan's {path}")
        if path in ("/new-booking", "/people"):
            each_tab(page, audit, path)
        if path == "/people":
            add_a_person(page, audit)
    audit.visit(contexts(), outbox_link(a11y_app.database_url, "/set-password"), "Choose your password",
                "/set-password from the emailed link")
    audit.visit(page, "/settings", "Practice rules", "morgan's /settings")
    audit.done()


def test_client_pages_have_no_serious_violation(contexts, signed_in, a11y_app):
    # A session confirmed (its email carries the client's /my-session link) and one with times offered.
    alice = signed_in("alice")
    confirmed, offered = "Priya Raman", "Tomás Ferreira"  # not the first in the queue (the keyboard test's)
    visit(alice, f"/session?id={session_of(a11y_app.database_url, confirmed)}", "Session details")
    alice.get_by_role("button", name="Confirm Session").click()
    alice.get_by_role("dialog").get_by_role("button", name="Confirm Session").click()
    expect(alice.get_by_text("Session confirmed.").first).to_be_visible()
    visit(alice, f"/session?id={session_of(a11y_app.database_url, offered)}", "Session details")
    alice.get_by_role("radiogroup", name=ANSWERS).get_by_role("radio", name=re.compile("^Offer other times")).click()
    alice.get_by_role("toolbar", name=re.compile(r"^Suggested free times")).get_by_role("button").first.click()
    alice.get_by_role("button", name="Send these times to the client").click()
    expect(alice.get_by_text("Waiting for the client to pick one of:")).to_be_visible()

    page, audit, db = contexts(), Audit(), a11y_app.database_url
    for path, landing, who in (("/assessment", "Your self-assessment", "Zoë Lambert"),
                               ("/respond", "Choose a time for your session", offered),
                               ("/my-session", "Your session", confirmed)):
        audit.visit(page, outbox_link(db, path, who), landing, f"client's {path}")
    for path in ("/assessment", "/respond", "/my-session", "/set-password"):
        page.goto(f"{path}?token=not-a-real-token")
        expect(page.locator('[data-testid="stAlert"]').first).to_be_visible()
        audit.check(page, f"client's {path} with a link that can't be used")
    audit.done()


def assert_focus_ring(page, step: str) -> dict:
    """The focused element shows a ring a keyboard user can see: solid, 2 px or more, 3:1 against white."""
    ring = focus_ring(page)
    assert ring["element"], f"{step}: nothing has the focus"
    assert ring["focusVisible"] and ring["shown"] and ring["onScreen"], f"{step}: focus not visible: {ring}"
    assert ring["style"] == "solid" and ring["width"] >= 2, f"{step}: no focus ring on {ring}"
    assert ratio(ring["colour"], "#FFFFFF") >= AA_NON_TEXT, f"{step}: the focus ring is too faint: {ring}"
    return ring


def tab_to(page, matches, step: str, most: int = 60) -> dict:
    """Press Tab until the focused element is the one wanted, checking the ring at every stop."""
    trail = []
    for _ in range(most):
        page.keyboard.press("Tab")
        trail.append(focus_ring(page).get("element"))
        if trail[-1] is None and trail[-2:-1] != [None]:
            # Past the last control the focus leaves the page (to the browser's own controls) and the next Tab
            # comes back at the top. After a link to another page Streamlit leaves the keyboard where the link
            # was, so reaching the top of the new page can take this turn (docs/accessibility.md).
            continue
        ring = assert_focus_ring(page, f"{step} (after {trail})")
        if matches(ring["element"]):
            return ring
    raise AssertionError(f"{step}: never reached by Tab (stops: {trail})")


def test_keyboard_only_sign_in_open_read_and_confirm(contexts, a11y_app):
    page = contexts()
    page.goto("/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=FIRST_PAINT_MS)
    settle(page)

    tab_to(page, lambda e: e == "INPUT Username", "sign in: the username")
    page.keyboard.type("alice")
    tab_to(page, lambda e: e == "INPUT Password", "sign in: the password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("New and unconfirmed sessions").first).to_be_visible()
    settle(page)

    # The first request on the dashboard, reached by Tab (past the menu and the confirmed sessions).
    first = page.get_by_role("link", name=re.compile(r"^Open ")).first
    href = first.get_attribute("href")
    tab_to(page, lambda _: page.evaluate("document.activeElement.getAttribute('href')") == href,
           "dashboard: the first request's link", most=120)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Session details")).to_be_attached()
    settle(page)

    # Read the assessment: the toggle shows every answer; the page scrolls with the keyboard.
    tab_to(page, lambda e: e.startswith("INPUT Show every answer"), "session: show every answer")
    if not page.evaluate("document.activeElement.checked"):  # already on for a risk flag
        page.keyboard.press("Space")
    expect(page.get_by_text("over the last two weeks, how often…").first).to_be_visible()
    settle(page)
    assert_focus_ring(page, "session: the toggle, after switching it on")

    ring = tab_to(page, lambda e: e == "BUTTON Confirm Session", "session: Confirm Session")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    settle(page)
    # Focus moves into the dialog; Escape closes it and gives the focus back to Confirm Session.
    assert page.evaluate("!!document.activeElement.closest('[role=dialog]')"), "focus did not move into the dialog"
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    settle(page)
    back = assert_focus_ring(page, "session: focus back after closing the dialog")
    assert back["element"] == ring["element"], f"the dialog gave the focus to {back['element']}, not Confirm Session"

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    settle(page)
    tab_to(page, lambda e: e == "BUTTON Confirm Session" and
           page.evaluate("!!document.activeElement.closest('[role=dialog]')"), "dialog: Confirm Session", most=20)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Session confirmed.").first).to_be_visible()
    expect(dialog).to_have_count(0)


REFLOW_PAGES = [("/", "New and unconfirmed sessions"), ("/session?id={session}", "Session details"),
                ("/metrics", "Response times"), ("/settings", "Your alerts and contact details"), ("/outbox", "Outbox"),
                ("/audit", "Audit trail"), ("/new-booking", "New booking"), ("/people", "People"),
                ("/clients", "Clients")]


@pytest.mark.parametrize("width,scale", [(320, 1), (640, 2)], ids=["320px", "200pct-zoom"])
def test_pages_reflow_without_horizontal_scrolling(contexts, a11y_app, width, scale):
    """320 CSS px (WCAG 1.4.10), and a 1280 px window at 200% zoom: 640 CSS px at twice the pixel density."""
    page = signed_in_page(contexts({"width": width, "height": 800}, device_scale_factor=scale), "morgan")
    session = session_of(a11y_app.database_url, "Zoë Lambert")
    wide = []
    for path, landing in REFLOW_PAGES + [(outbox_link(a11y_app.database_url, "/assessment", "Zoë Lambert"),
                                          "Your self-assessment")]:
        visit(page, path.format(session=session), landing)
        measured = overflow(page)
        if measured["document"] > measured["window"] or measured["main"] > 0 or measured["wide"] or measured["cut"]:
            wide.append(f"{path}: {measured}")
    assert not wide, f"horizontal scrolling at {width} px:\n" + "\n".join(wide)
