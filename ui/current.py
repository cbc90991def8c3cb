"""The logged-in user for this browser session (set by the login gate)."""
from __future__ import annotations

import streamlit as st

from lib.core.access import Actor
from ui import visit
from ui.login import browser_session


def require_app(v: visit.Visit | None = None) -> None:
    """Stop a page drawn outside the login gate (ui.shell sets the flag around the page it runs)."""
    if not (v or visit.get()).in_app:
        st.info("This page isn't available at this address.", icon=":material/search:")
        st.stop()


def actor() -> Actor:
    v = visit.get()
    require_app(v)
    if v.actor is None:  # the gate never lets a page run without one; this is belt and braces
        st.warning("Please log in.")
        st.stop()
    return v.actor


__all__ = ["actor", "browser_session"]
