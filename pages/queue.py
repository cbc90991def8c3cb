"""The dashboard: confirmed sessions this week on the left, new and unconfirmed on the right."""
import streamlit as st

from lib import bookings, clock
from ui import current, format as fmt

me = current.actor()
now = clock.now()
hour = clock.local(now, me.timezone).hour
greeting = "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"
st.title(f"{greeting}, {me.name.split()[0]}")

therapist_id = None
if me.is_manager:
    options = bookings.therapists(me)
    names = {tid: name for tid, name in options}
    therapist_id = st.selectbox("Therapist", [None] + list(names), format_func=lambda t: "All therapists" if t is None else names[t],
                                key="dash_therapist")

with st.spinner("Loading sessions…"):
    queue = bookings.queue(me, therapist_id=therapist_id)
    week = bookings.upcoming(me, therapist_id=therapist_id)
    waiting_on_client = bookings.awaiting_client(me, therapist_id=therapist_id)

left, right = st.columns([2, 3], gap="large")

with right:
    st.subheader(f"New and unconfirmed sessions · {queue.total}")
    if queue.overdue:
        st.error(f"**{queue.overdue} overdue** — these clients have waited longer than the response target.", icon=":material/alarm:")
    if not queue.items:
        st.success("You're all caught up — no sessions are waiting for an answer. New requests will appear here.", icon=":material/spa:")
    for item in queue.items:
        with st.container(border=True):
            overdue = item.overdue(now)
            who = ", ".join(item.attendees)
            st.markdown(f"**{fmt.session_type(item.session_type)}** · {fmt.when(item.starts_at, me.timezone)}"
                        f" · {item.duration_minutes}\u00a0min")  # no-break space: "50 min" never splits
            st.text(who)  # client-supplied: shown as plain text, never markdown
            waiting = f"Waiting {fmt.ago(item.requested_at, now).removesuffix(' ago')}"
            risk = ":red-badge[:material/warning: Risk flag] " if item.risk else ""
            if overdue:
                st.markdown(f"{risk}:red-badge[Overdue] {waiting} · answer was due "
                            f"{fmt.when(item.response_due_at, me.timezone)}")
            else:
                st.markdown(f"{risk}:violet-badge[{fmt.due(item.response_due_at, now).capitalize()}] {waiting}")
            if me.is_manager:
                st.caption(f"Therapist: {fmt.md_escape(item.therapist)}")
            st.page_link("pages/session_detail.py", label="Open session", icon=":material/arrow_forward:",
                         query_params={"id": str(item.id)})
    if queue.total > len(queue.items):
        st.caption(f"Showing the {len(queue.items)} most urgent of {queue.total}.")
    if waiting_on_client:
        st.subheader(f"Waiting for the client to choose a time · {len(waiting_on_client)}")
        for item in waiting_on_client:
            with st.container(border=True):
                st.markdown(f"**{fmt.session_type(item.session_type)}** · first asked for "
                            f"{fmt.when(item.starts_at, me.timezone)}")
                st.text(", ".join(item.attendees))
                st.page_link("pages/session_detail.py", label="Details", icon=":material/arrow_forward:",
                             query_params={"id": str(item.id)})

with left:
    st.subheader("Confirmed · next 7 days")
    if not week:
        st.info("No confirmed sessions in the next 7 days.", icon=":material/calendar_month:")
    for item in week:
        with st.container(border=True):
            st.markdown(f"**{fmt.when(item.starts_at, me.timezone)}** · {fmt.session_type(item.session_type)}"
                        f" · {item.duration_minutes}\u00a0min")  # no-break space: "50 min" never splits
            st.text(", ".join(item.attendees))
            if me.is_manager:
                st.caption(f"Therapist: {fmt.md_escape(item.therapist)}")
            st.page_link("pages/session_detail.py", label="Details", icon=":material/arrow_forward:",
                         query_params={"id": str(item.id)})
