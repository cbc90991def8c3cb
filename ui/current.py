"""The logged-in user for this browser session (set by the login gate)."""
from __future__ import annotations

import streamlit as st

from lib.auth import Actor
from ui.login import browser_session


def require_app() -> None:
    """Stop a page drawn outside the login gate (ui.shell sets the flag around the page it runs)."""
    if not st.session_state.get("bd_in_app"):
        st.info("This page isn't available at this address.", icon=":material/search:")
        st.stop()


def actor() -> Actor:
    require_app()
    value = st.session_state.get("bd_actor")
    if value is None:  # the gate never lets a page run without one; this is belt and braces
        st.warning("Please log in.")
        st.stop()
    return value


__all__ = ["actor", "browser_session"]
