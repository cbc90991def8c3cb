"""Full-page screenshots of the main screens, for a UX review: python -m tests.e2e.screens [folder].

Not a test (nothing is asserted): it starts the same server as the browser tests on a fresh demo
database and saves one PNG per screen, default folder /tmp/screens.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import create_engine, select

from lib.core.models import Booking, Client
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    DEMO_PASSWORD,
    VIEWPORT,
    fill_login,
    running_app,
    session_of,
    settle,
)


def shoot(page: Page, folder: Path, name: str, width: int = VIEWPORT["width"]) -> None:
    """Streamlit scrolls inside its main block, not the page: grow the viewport to fit it first."""
    page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
    settle(page)
    height = page.evaluate("""() => Math.max(document.body.scrollHeight,
        ...[...document.querySelectorAll('[data-testid="stMain"], section, [role="dialog"]')]
            .map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": width, "height": max(VIEWPORT["height"], height + 40)})
    page.wait_for_timeout(200)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.set_viewport_size(VIEWPORT)
    print(folder / f"{name}.png")


def visit(page: Page, username: str, path: str, landing: str) -> None:
    page.context.clear_cookies()
    page.goto(path)
    fill_login(page, username, DEMO_PASSWORD)
    expect(page.get_by_text(landing).first).to_be_visible()


def assessment_link(database_url: str, client_name: str) -> str:
    """The private link from the "request received" email the client was sent."""
    from lib.core.models import Notification

    engine = create_engine(database_url)
    with engine.connect() as conn:
        body = conn.scalar(select(Notification.body_text).join(Booking, Booking.id == Notification.booking_id)
                           .join(Client, Client.id == Booking.client_id)
                           .where(Client.name == client_name, Notification.template == "booking_received"))
    engine.dispose()
    url = next(word for word in body.split() if "/assessment?token=" in word)
    return url[url.index("/assessment"):]


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with running_app(Path(tempfile.mkdtemp(prefix="bd-screens-"))) as app, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(base_url=app.url, viewport=VIEWPORT)
        page.set_default_timeout(15_000)

        page.goto("/")
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        shoot(page, folder, "01_login")
        fill_login(page, "alice", "wrong-password")
        expect(page.get_by_text("don't match")).to_be_visible()
        shoot(page, folder, "02_login_wrong_password")

        visit(page, "alice", "/", "New and unconfirmed sessions")
        shoot(page, folder, "03_alice_dashboard")

        risky = session_of(app.database_url, "Hannah Whitfield")  # PHQ-9 item 9 answered above 0
        visit(page, "alice", f"/session?id={risky}", "Session details")
        shoot(page, folder, "04_session_risk_flag")
        page.get_by_role("button", name="Confirm Session").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        shoot(page, folder, "05_confirm_dialog")
        page.get_by_role("dialog").get_by_role("button", name="Confirm Session").click()
        expect(page.get_by_text("Session confirmed.")).to_be_visible()
        shoot(page, folder, "06_session_confirmed")

        partial = session_of(app.database_url, "Zoë Lambert")  # no self-assessment yet
        visit(page, "alice", f"/session?id={partial}", "Session details")
        shoot(page, folder, "07_session_no_assessment")
        shoot(page, folder, "07b_session_on_a_phone", width=390)

        visit(page, "morgan", "/", "New and unconfirmed sessions")
        shoot(page, folder, "08_morgan_dashboard")

        visit(page, "alice", "/session?id=999999", "Session not found")
        shoot(page, folder, "09_bad_session_id")
        page.goto("/session?id=abc")
        expect(page.get_by_text("Session not found")).to_be_visible()
        shoot(page, folder, "10_non_numeric_session_id")

        visit(page, "alice", "/settings", "Your alerts and contact details")
        shoot(page, folder, "11_alice_settings")
        visit(page, "alice", "/metrics", "Response times")
        shoot(page, folder, "12_alice_metrics")
        for i, (path, landing) in enumerate((("/metrics", "Response times"), ("/outbox", "Outbox"),
                                             ("/audit", "Audit trail"), ("/new-booking", "New booking"),
                                             ("/settings", "Practice rules")), start=13):
            visit(page, "morgan", path, landing)
            shoot(page, folder, f"{i}_morgan_{path.strip('/').replace('-', '_')}")

        link = assessment_link(app.database_url, "Zoë Lambert")
        page.context.clear_cookies()
        page.goto(link)
        expect(page.get_by_text("Your self-assessment").first).to_be_visible()
        shoot(page, folder, "18_client_assessment")
        page.goto("/respond?token=not-a-real-token")
        expect(page.get_by_text("can't be used")).to_be_visible()
        shoot(page, folder, "19_client_bad_link")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/screens"))
