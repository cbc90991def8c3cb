"""Boot and shutdown of the app server: the dispatcher (with the deadline timers) runs from boot to SIGTERM.

uvicorn turns SIGTERM into a graceful shutdown that ends this lifespan; the dispatcher then finishes and
records the message on the wire, gives the rest of its batch back to the queue, and stops.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from starlette.concurrency import run_in_threadpool
from streamlit import config as streamlit_config

from lib import worker
from lib.calendars import busy as calendar_busy

log = logging.getLogger("booking_desk.server")
STOP_WAIT_SECONDS = 60  # longer than one SMTP or Twilio call's own time-outs

_running: list = []  # the dispatcher thread of this process, or None when it is turned off


def current_dispatcher():
    """The in-process dispatcher (None when BOOKING_DESK_DISPATCHER=off or not started)."""
    return _running[0] if _running else None


class AgentApiOn(RuntimeError):
    """Streamlit's experimental agent API lets a program drive the app without a browser: more to attack
    (and to audit) for clinical data, and nothing the practice needs."""


@asynccontextmanager
async def lifespan(_app):
    if streamlit_config.get_option("server.enableAgentApi"):
        raise AgentApiOn("server.enableAgentApi is on; Booking Desk refuses to start with Streamlit's agent API.")
    _running[:] = [worker.start_background()]
    log.info("dispatcher %s", "started" if _running[0] else "off (BOOKING_DESK_DISPATCHER=off)")
    calendars = calendar_busy.start_background()  # therapists' own calendars, read every 15 minutes
    try:
        yield None
    finally:
        if calendars is not None:
            calendars.stop()
        thread = _running[0]
        if thread is not None:
            stopped = await run_in_threadpool(thread.stop, STOP_WAIT_SECONDS)
            log.info("dispatcher %s", "stopped" if stopped else "still sending; its lease will hand the rest on")
