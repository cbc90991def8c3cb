"""The logged-in user for this browser session (set by the login gate)."""
from __future__ import annotations

import streamlit as st

from lib.auth import Actor
from ui.login import browser_session


def actor() -> Actor:
    value = st.session_state.get("bd_actor")
    if value is None:  # the gate never lets a page run without one; this is belt and braces
        st.warning("Please log in.")
        st.stop()
    return value


__all__ = ["actor", "browser_session"]
