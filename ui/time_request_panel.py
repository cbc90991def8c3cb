"""The client's request for another time on the session page: what they asked, and the "say no" answer
(an agreed time and offered times are the usual answers in ui.answer_forms)."""
from __future__ import annotations

import streamlit as st

from lib.bookings import client_changes
from lib.bookings.client_changes import TimeRequest
from lib.bookings.detail import BookingDetail
from lib.core.access import Actor
from lib.core.errors import BookingDeskError
from lib.core.vocabulary import BookingStatus
from ui import format as fmt
from ui import nav, promises, visit


def shown(me: Actor, d: BookingDetail) -> TimeRequest | None:
    """Draw the client's open request, if any, and return it."""
    req = client_changes.open_request_for(me, d.id) if d.status == BookingStatus.CONFIRMED else None
    if req is None:
        return None
    lines = [f"**The client asked for another time** {fmt.ago(req.asked_at)}. The session stays booked at its "
             "current time until you answer below: agree a new time, offer times, or say no with a message."]
    if req.preferred:
        lines.append("Times that would suit them: " + "; ".join(fmt.when(t, me.timezone) for t in req.preferred))
    if req.note:
        lines.append(f"Their note: {fmt.md_escape(req.note)}")
    st.warning("  \n".join(lines), icon=":material/schedule:")
    return req


def say_no_form(me: Actor, d: BookingDetail, session_id: str) -> None:
    with st.form("say_no_form"):
        st.caption("The client is emailed your message and told their session stays at its current time.")
        message = st.text_area("Message to the client (required)", key="say_no_message", max_chars=2000)
        if st.form_submit_button("Send and keep the current time", type="primary"):
            try:
                client_changes.say_no(me, d.id, d.version, message, session_id)
            except BookingDeskError as exc:
                st.error(exc.message, icon=":material/warning:")
            else:
                visit.get().once["flash"] = ("Answered: the session stays at its current time. "
                                             + promises.email_line(d.client_name, "your message"))
                st.rerun()


def dashboard_section(me: Actor, now) -> None:
    """Clients who asked to move a booked session and wait for an answer (on the dashboard)."""
    asked = client_changes.open_requests(me)
    if not asked:
        return
    st.subheader(f"Clients asking for another time · {len(asked)}")
    session_page = nav.page(nav.SESSION)  # one st.Page for every line's link
    for item in asked:
        with st.container(border=True):
            lines = [f":orange-badge[Asked {fmt.ago(item.asked_at, now)}] **{fmt.session_type(item.session_type)}** · "
                     f"booked for {fmt.when(item.starts_at, me.timezone)}", fmt.md_escape(", ".join(item.attendees))]
            if me.is_manager:
                lines.append(f"Therapist: {fmt.md_escape(item.therapist)}")
            st.markdown("  \n".join(lines))
            st.page_link(session_page, label="Answer the request", icon=":material/arrow_forward:",
                         query_params={"id": str(item.booking_id)})
