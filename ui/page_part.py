"""A part of a page that reruns on its own when one of its widgets changes (a Streamlit fragment).

Why: a filter on the dashboard or /metrics changes only what is under it. Rerunning the whole page also
reruns the frame (menu, banners, the login gate) and makes the browser redraw all of it; measured in
Chromium, that is most of what a manager waits for after picking a therapist or a period (docs/benchmarks.md).

A part's own rerun skips the login gate (ui.shell), so the part asks about the sign-in itself: when it has
ended, gone idle or changed (a new role, say), the whole page reruns and the gate says why. Streamlit shows
what a fragment raises as a traceback before the page's friendly errors (ui.errors) could see it, so a part
has its own, on the page's run as on its own.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from lib.core.errors import BookingDeskError
from ui import login, visit
from ui.errors import friendly_errors


def page_part(draw: Callable[..., None]) -> Callable[..., None]:
    @st.fragment
    @functools.wraps(draw)
    def part(*args, **kwargs) -> None:
        v = visit.get()
        own_rerun = not v.in_app  # in_app: the page's own run, just past the gate
        if own_rerun:
            if not _signed_in_still():
                st.rerun(scope="app")
            v.in_app = True  # ui.current lets a page's code run inside the gate only
        try:
            with friendly_errors():
                draw(*args, **kwargs)
        finally:
            if own_rerun:
                v.in_app = False
    return part


def _signed_in_still() -> bool:
    try:
        return login.still_signed_in()
    except BookingDeskError:  # the database is unreachable: the whole page says so
        return False
