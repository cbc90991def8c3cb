"""Background work inside the app server (the outbox dispatcher), started once per process."""
from __future__ import annotations

import streamlit as st

from lib.notify import dispatcher


@st.cache_resource(show_spinner=False)
def start_dispatcher():
    """One dispatcher thread per server process (none when BOOKING_DESK_DISPATCHER=off);
    `python -m lib dispatch` does the same job elsewhere."""
    return dispatcher.start_background()
