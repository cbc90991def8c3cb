"""A preview of every message Booking Desk sends, with sample data (on /outbox)."""
from __future__ import annotations

import streamlit as st

from lib.notify import previews
from lib.notify.templates import TEMPLATE_TITLES


def gallery() -> None:
    with st.expander("Preview every message template"):
        name = st.selectbox("Template", previews.names(), format_func=lambda n: TEMPLATE_TITLES[n],
                            key="template_preview")
        shown = previews.preview(name)
        if shown.subject:
            st.markdown(f"**Subject:** {shown.subject}")
        st.text(shown.text)
        if shown.ics:
            st.caption("With a calendar invitation (.ics) attached.")
