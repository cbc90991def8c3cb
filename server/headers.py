"""Security headers on every HTTP response (pages, static files, the API, health checks).

Framing is refused twice (CSP frame-ancestors for current browsers, X-Frame-Options for old ones), so a
Confirm Session button can't be clickjacked; no Referer leaves the app, so a client's private link in a
URL is never sent to another site. Static assets keep Streamlit's long caching; everything else is no-store.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import streamlit

from lib.core import config

# HTML the server sends whose one small inline script must run: Streamlit's page, and the cookie manager
# (the login's re-login cookie), a component Streamlit frames from /component/. Allowed by hash, not by
# 'unsafe-inline', so an injected script still can't run.
_PAGES_WITH_INLINE_SCRIPTS = (
    Path(streamlit.__file__).parent / "static" / "index.html",
    # found without importing the package, which draws Streamlit elements as it loads
    Path(importlib.util.find_spec("extra_streamlit_components").origin).parent / "CookieManager" / "frontend" / "build"
    / "index.html",
)
PERMISSIONS = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
               "hid=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), "
               "browsing-topics=()")
HSTS = "max-age=31536000; includeSubDomains"
CACHED_PREFIXES = ("/static/", "/app/static/", "/media/", "/component/")
# Components are framed by our own page, so they (only) may be framed by this origin.
COMPONENT_PREFIX = "/component/"


@lru_cache(maxsize=1)
def inline_script_hashes() -> str:
    found = []
    for page in _PAGES_WITH_INLINE_SCRIPTS:
        if page.is_file():
            for script in re.findall(r"<script>(.*?)</script>", page.read_text(encoding="utf-8"), re.S):
                found.append("'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'")
    return " ".join(found)


def csp(framed_by: str) -> str:
    # Streamlit styles elements inline and draws charts with Vega, which compiles expressions (hence
    # 'unsafe-eval'); everything else comes from this server.
    return (f"default-src 'self'; script-src 'self' 'unsafe-eval' {inline_script_hashes()}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            "connect-src 'self'; worker-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; "
            f"form-action 'self'; frame-ancestors {framed_by}")


def header_list(path: str, https: bool) -> list[tuple[bytes, bytes]]:
    component = path.startswith(COMPONENT_PREFIX)
    found = [("content-security-policy", csp("'self'" if component else "'none'")),
             ("x-frame-options", "SAMEORIGIN" if component else "DENY"), ("x-content-type-options", "nosniff"),
             ("referrer-policy", "no-referrer"), ("permissions-policy", PERMISSIONS),
             ("cross-origin-opener-policy", "same-origin")]
    if not path.startswith(CACHED_PREFIXES):
        found.append(("cache-control", "no-store"))
    if https:
        found.append(("strict-transport-security", HSTS))
    return [(k.encode(), v.encode()) for k, v in found]


class SecurityHeaders:
    """Pure ASGI middleware: sets the headers on the response start, replacing any the app set."""

    def __init__(self, app):
        self.app = app
        self.https = config.app_base_url().startswith("https://")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ours = header_list(scope.get("path", ""), self.https)
        names = {k for k, _ in ours}

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + ours}
            await send(message)

        await self.app(scope, receive, send_with_headers)
