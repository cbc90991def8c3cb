"""What the server itself answers (st.App under uvicorn): security headers on every kind of response,
health checks, and Streamlit's agent API kept off."""
from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.headers import SecurityHeaders
from tests.app_server import fresh_database, server_env, serving_fresh, start, stop
from tests.servers import free_port

pytestmark = pytest.mark.slow
EVERYWHERE = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("http")
    with serving_fresh("sqlite", folder) as srv:
        yield srv


def assert_secured(answer: requests.Response) -> None:
    for name, value in EVERYWHERE.items():
        assert answer.headers[name] == value, name
    csp = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "camera=()" in answer.headers["permissions-policy"]
    assert "microphone=()" in answer.headers["permissions-policy"]
    assert "strict-transport-security" not in answer.headers  # plain http here (see the https test below)


def test_pages_deep_links_and_api_answers_carry_the_headers_and_are_never_cached(server):
    for path in ("/", "/metrics", "/session?id=3"):
        page = requests.get(server.url + path, timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert_secured(page)
        assert page.headers["cache-control"] == "no-store"
    for answer in (requests.get(f"{server.url}/api/v1/openapi.json", timeout=10),
                   requests.post(f"{server.url}/api/v1/bookings", data=b"{}", timeout=10),
                   requests.get(f"{server.url}/readyz", timeout=10),
                   requests.get(f"{server.url}/healthz", timeout=10)):
        assert_secured(answer)
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["content-type"].startswith("application/json")


def test_a_static_asset_carries_the_headers_and_keeps_its_long_cache(server):
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', requests.get(server.url, timeout=10).text).group(1)
    asset = requests.get(f"{server.url}/{script}", timeout=10)
    assert asset.status_code == 200
    assert_secured(asset)
    assert "no-store" not in asset.headers.get("cache-control", "")


def test_with_the_dispatcher_turned_off_the_server_is_ready_and_says_a_separate_one_sends(server):
    report = requests.get(f"{server.url}/readyz", timeout=10).json()  # BOOKING_DESK_DISPATCHER=off here
    assert report["ready"] is True
    assert report["dispatcher"].startswith("off")


def test_streamlits_agent_api_is_off(server):
    answer = requests.post(f"{server.url}/_stcore/agent/interact", json={"action": "snapshot"}, timeout=10)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "not_available"
    described = requests.get(f"{server.url}/_stcore/agent/openapi.json", timeout=10)
    assert described.json()["info"]["x-streamlit-agent-api"] == "disabled"


def test_the_server_refuses_to_start_with_the_agent_api_turned_on(tmp_path):
    with fresh_database("sqlite", tmp_path) as url:
        port = free_port()
        env = server_env(url, port, STREAMLIT_SERVER_ENABLE_AGENT_API="true")
        with pytest.raises(RuntimeError, match="did not answer"):
            server = start(env, port, tmp_path / "server.log", timeout=20)
            stop(server)
        assert "agent API" in (tmp_path / "server.log").read_text()


def _headers_from_middleware(path: str, base_url: str, monkeypatch) -> dict:
    monkeypatch.setenv("APP_BASE_URL", base_url)
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"cache-control", b"max-age=9")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        sent.append(message)

    # On a thread of its own: the browser tests' Playwright keeps an event loop running on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, SecurityHeaders(app)({"type": "http", "path": path}, None, send)).result()
    return {k.decode(): v.decode() for k, v in sent[0]["headers"]}


def test_hsts_is_sent_when_the_app_is_served_over_https(monkeypatch):
    assert "strict-transport-security" in _headers_from_middleware("/", "https://desk.example", monkeypatch)
    assert "strict-transport-security" not in _headers_from_middleware("/", "http://localhost:8501", monkeypatch)


def test_only_streamlit_components_may_be_framed_and_only_by_the_app_itself(monkeypatch):
    component = _headers_from_middleware("/component/cookie_manager/index.html", "http://x", monkeypatch)
    assert component["x-frame-options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in component["content-security-policy"]
    page = _headers_from_middleware("/", "http://x", monkeypatch)
    assert page["cache-control"] == "no-store"  # replaces whatever the app said
