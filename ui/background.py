"""Background work inside the app server (the outbox dispatcher), started once per process."""
from __future__ import annotations

import streamlit as st


@st.cache_resource(show_spinner=False)
def start_dispatcher():
    """One dispatcher thread per server process; `python -m lib dispatch` does the same job elsewhere."""
    try:
        from lib.notify import dispatcher
    except ImportError:  # dispatcher not built in this checkout
        return None
    return dispatcher.start_background()
