"""What streamlit_app.py hands to st.App: the extra routes, the middleware and the lifespan.

Streamlit's older multipage mode (each file directly in pages/ is an address) is decided once per
process, on the first request, from whether a pages/ folder exists. Left on, a deep link such as
/session?id=3 opened first thing after a restart shows "Page not found". It is switched off here, at
import, before the server answers anything: both `make run` and `streamlit run streamlit_app.py` import
this module first. (Our page files sit one folder down and only define functions, so that mode would
find nothing to serve anyway.) Streamlit has no setting for this; st.navigation switches it off only
once the first script run reaches it, which is too late for that first request.
"""
from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from server import api, calendar, health, sms
from server.headers import SecurityHeaders
from server.lifecycle import lifespan

PagesManager.uses_pages_directory = False

__all__ = ["lifespan", "middleware", "routes"]


def routes() -> list[Route]:
    return [
        Route("/healthz", health.healthz, methods=["GET"]),
        Route("/readyz", health.readyz, methods=["GET"]),
        Route("/api/v1/bookings", api.post_booking, methods=["POST"]),
        Route("/api/v1/bookings/{booking_id:int}", api.get_booking, methods=["GET"]),
        Route("/api/v1/openapi.json", api.openapi, methods=["GET"]),
        Route("/api/{rest:path}", api.not_found),
        Route("/calendar/{token}.ics", calendar.feed, methods=["GET"]),  # a therapist's private feed (HEAD too)
        Route(sms.PATH, sms.inbound, methods=["POST"]),
    ]


def middleware() -> list[Middleware]:
    return [Middleware(SecurityHeaders)]
