"""After Confirm Session: where to go next — the next request waiting for an answer, or back to the queue."""
from __future__ import annotations

import streamlit as st

from lib.bookings import dashboard
from lib.core.access import Actor
from ui import nav, queue_words


def next_links(me: Actor, done_id: int) -> None:
    nxt = next((i for i in dashboard.queue(me, limit=2).items if i.id != done_id), None)
    row = st.container(horizontal=True)
    if nxt is not None:
        row.page_link(nav.page(nav.SESSION), label=f"Next request: {queue_words.names_md(nxt.attendees)}",
                      icon=":material/skip_next:", query_params={"id": str(nxt.id)})
    else:
        row.caption("No other request is waiting for an answer.")
    row.page_link(nav.page(nav.DASHBOARD), label="Back to the queue", icon=":material/inbox:")
