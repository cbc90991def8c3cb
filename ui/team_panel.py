"""The practice team's worklist, as managers see it: on the dashboard, and on each session it names."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from lib.bookings import worklist
from lib.bookings.detail import BookingDetail
from lib.core.access import Actor
from ui import format as fmt
from ui import nav
from ui.answer_forms import _run


def bands(phq9: str | None, gad7: str | None, risk: bool) -> str:
    """Severity bands and the risk flag: enough to judge urgency, never the answers themselves."""
    parts = [f"PHQ-9 {phq9}" if phq9 else "PHQ-9 not complete", f"GAD-7 {gad7}" if gad7 else "GAD-7 not complete"]
    flag = ":red-badge[:material/warning: Risk flag] " if risk else ""
    return flag + " · ".join(parts)


def _why(item: worklist.WorkItem, tz: str) -> str:
    """The reason's words; a therapist's time away says until when ("therapist away until …")."""
    if item.away_until is None:
        return item.reason.label
    return (f"Therapist away until {fmt.when(item.away_until, tz)}: contact the client or "
            "reassign")


def worklist_section(me: Actor, now: datetime) -> None:
    """"Needs the practice team": every line, oldest first, each saying why and since when."""
    items = worklist.worklist(me)
    total = max(worklist.waiting(me).count, len(items))  # max: a line closed between the two reads
    st.subheader(f"Needs the practice team · {total:,}")
    if not items:
        st.success("Nothing needs the team: no declined, expired or lapsed requests, late cancellations or failed "
                   "messages are waiting.", icon=":material/task_alt:")
        return
    if total > len(items):
        st.caption(f"Showing the {len(items):,} oldest of {total:,}. Each one you close makes room for the next.")
    session_page = nav.page(nav.SESSION)  # one st.Page for every line's link
    for item in items:
        with st.container(border=True):
            st.markdown("  \n".join([
                f"**{_why(item, me.timezone)}** · since {fmt.when(item.since, me.timezone)} ({fmt.ago(item.since, now)})",
                f"{fmt.session_type(item.session_type)} · {fmt.when(item.starts_at, me.timezone)} · "
                f"{fmt.md_escape(', '.join(item.attendees))} · therapist {fmt.md_escape(item.therapist)}",
                bands(item.phq9_band, item.gad7_band, item.risk)]))
            st.page_link(session_page, label="Open the session to act", icon=":material/arrow_forward:",
                         query_params={"id": str(item.booking_id)})


def for_session(me: Actor, d: BookingDetail, session_id: str) -> None:
    """On a session the worklist names: why, and the two ways to close a line besides reassigning."""
    lines = worklist.open_for_booking(me, d.id)
    if not lines:
        return
    with st.container(border=True):
        st.markdown("### For the practice team\n\n" + "\n".join(
            f"- **{reason.label}** (since {fmt.when(at, me.timezone)})" for _, reason, at in lines)
            + "\n\nIt stays on the team's list until someone reassigns it, records contact with the client, or "
              "closes it with a reason.")
        choice = st.segmented_control("Deal with it", ["Contacted the client", "Close with a reason"],
                                      key="team_action")
        if choice is None:
            return
        with st.form("team_form"):
            contacted = choice == "Contacted the client"
            note = st.text_area("What did you agree with the client? (required)" if contacted else
                                "Why is this closed? (required)", key="team_note", max_chars=2000)
            if st.form_submit_button("Record and take it off the list", type="primary"):
                act = worklist.record_contact if contacted else worklist.close
                _run(lambda: act(me, d.id, note, session_id),
                     "Recorded in the session's history and taken off the team's list.")
