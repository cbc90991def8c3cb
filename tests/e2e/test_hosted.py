"""The app as a hosted service in a real browser: another site can't frame it, a deep link works first
thing after a restart, and the security headers (CSP) break nothing that a manager uses."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, STEP_MS, fill_login, running_app, settle

pytestmark = pytest.mark.e2e


@contextmanager
def framing_site(target: str):
    """Another origin (another port) whose page puts the app in an iframe, as a clickjacking page would."""
    page = f'<html><body><h1>Win a prize</h1><iframe id="app" src="{target}" width="900" height="600"></iframe>'
    body = page.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_origin_cannot_frame_the_app(page, app_server):
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "frame" in msg.text.lower() else None)
    with framing_site(f"{app_server.url}/session?id=1") as evil:
        page.goto(evil)
        expect(page.get_by_text("Win a prize")).to_be_visible()
        page.wait_for_timeout(1500)  # time enough for the app to draw, had it been allowed
        frame = page.frame_locator("#app")
        expect(frame.locator("[data-testid='stApp']")).to_have_count(0)
        expect(frame.get_by_role("textbox", name="Username")).to_have_count(0)
        child = next(f for f in page.frames if f != page.main_frame)
        assert not child.url.startswith(app_server.url)  # the browser replaced it with its error page
    assert any("frame-ancestors" in text or "X-Frame-Options" in text for text in refused), refused


def test_a_deep_link_first_thing_after_a_restart_shows_the_login_then_that_page(page, tmp_path):
    csp_problems = []
    page.on("console", lambda msg: csp_problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    with running_app(tmp_path) as fresh:  # `streamlit run streamlit_app.py`, as make run and most hosts start it
        page.goto(f"{fresh.url}/metrics")  # the server's very first page
        expect(page.get_by_role("textbox", name="Username")).to_be_visible(timeout=STEP_MS)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        fill_login(page, "morgan", DEMO_PASSWORD)
        expect(page.get_by_role("heading", name="Response times")).to_be_visible(timeout=STEP_MS)
        expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=STEP_MS)  # charts run under the CSP
        settle(page)
        assert page.url.endswith("/metrics")
    assert csp_problems == []
