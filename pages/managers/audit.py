"""/audit — who viewed or changed which client's record (managers)."""
from datetime import time, timedelta

import pandas as pd
import streamlit as st

from lib.audit import view
from lib.core import clock
from ui import current
from ui import format as fmt


def render() -> None:
    me = current.actor()
    st.title("Audit trail")
    st.caption("Every view of a session and its assessment, every change, and every login — who, what, when and "
               "from which browser session. No clinical content is kept here.")

    today = clock.local(clock.now(), me.timezone).date()
    a, b, c = st.columns([1, 1, 2])
    user = a.text_input("User (username)", key="audit_user")
    client = b.text_input("Client (email or id)", key="audit_client")
    period = c.date_input("Period", value=(today - timedelta(days=30), today), key="audit_period", format="DD/MM/YYYY")
    start, end = (period if isinstance(period, tuple) and len(period) == 2 else (period[0], period[0]))
    filters = dict(username=user or None, client=client or None, since=clock.from_local(start, time(0), me.timezone),
                   until=clock.from_local(end + timedelta(days=1), time(0), me.timezone))

    with st.spinner("Reading the audit trail…"):
        page = view.entries(me, **filters)
        chain = view.chain_status(me)
    if chain.ok:
        st.success(f"**Verified up to entry {chain.verified_up_to:,}**: every entry is chained to the one before it, "
                   "and none has been changed, removed or reordered.", icon=":material/verified_user:")
    else:
        st.error(f"**Verified up to entry {chain.verified_up_to:,} only.** After that the trail was tampered with: "
                 f"{chain.problem}. Keep a copy of the database and tell whoever looks after data protection.",
                 icon=":material/gpp_bad:")

    if not page.rows:
        st.info("Nothing matches these filters.", icon=":material/search:")
    else:
        st.caption(f"{page.total:,} entries" + (f"; showing the newest {len(page.rows):,}" if page.total > len(page.rows)
                                                  else ""))
        # An empty cell where there is nothing (a sign-in has no session), never the word "None".
        st.dataframe(pd.DataFrame([{
            "When": fmt.when(r[0], me.timezone), "User": r[1] or "", "Action": r[2],
            "Session": "" if r[3] is None else str(r[3]), "Client": r[4] or "",
            "Browser session": (r[5] or "")[:8], "Detail": r[6] or "",
        } for r in page.rows], dtype=str), hide_index=True, width="stretch")
        st.download_button("Download as CSV", data=lambda: view.entries_csv(me, **filters), file_name="audit-trail.csv",
                           mime="text/csv", key="audit_csv")
