"""What a therapist sees at a manager's address (/audit, /new-booking, /outbox, …): a page that says so,
instead of being sent to the dashboard silently with the address left in the bar."""
from __future__ import annotations

import streamlit as st

from ui import nav

ONLY_FOR_MANAGERS = [e for e in nav.MANAGER if e not in nav.THERAPIST]
MESSAGE = ("**This page is for practice managers.** You are signed in as a therapist, so {what} isn't open to you. "
           "If you need something from it, please ask a practice manager.")


def _explainer(entry: nav.Entry):
    def render() -> None:
        st.title(entry.title)
        st.info(MESSAGE.format(what=f"“{entry.title}”"), icon=":material/lock:")
        st.page_link(nav.page(nav.DASHBOARD), label="Back to your sessions", icon=":material/arrow_back:")
    render.__name__ = f"managers_only_{entry.url.replace('-', '_')}"
    return render


def pages() -> list[st.Page]:
    """Hidden pages at the managers' addresses, made on every run (like ui.nav's)."""
    return [st.Page(_explainer(e), title=e.title, url_path=e.url, icon=e.icon, visibility="hidden")
            for e in ONLY_FOR_MANAGERS]
