"""/respond?token=… — the client picks one of the offered times (no login)."""
import streamlit as st

from lib.bookings import client_links
from lib.bookings.tokens import BadToken
from lib.core import clock
from lib.core.errors import BookingDeskError
from lib.notify.readiness import email_ready
from ui import client_header, current
from ui import format as fmt

# Said only when it is true: with no email channel the client is not emailed.
EMAILED = " We've emailed you the details, with a calendar invitation."


def render() -> None:
    current.require_app()
    token = st.query_params.get("token")
    client_header.header()
    st.title("Choose a time for your session")

    if done := st.session_state.pop("bd_client_done", None):
        st.success(done, icon=":material/check_circle:")
        st.stop()

    try:
        view = client_links.offer_for(token)
    except BadToken as exc:
        st.info(exc.message, icon=":material/link_off:")
        st.stop()

    if view.chosen is not None:  # the link was used: say what was chosen, not "may have expired"
        st.success(f"Hello {fmt.md_escape(view.first_name)}. Your {view.session_type.lower()} session with "
                   f"{fmt.md_escape(view.therapist_name)} is confirmed for **{fmt.when(view.chosen, view.client_tz)}**"
                   f" ({view.duration_minutes} minutes).", icon=":material/event_available:")
        st.markdown(f"**Where:** {fmt.md_escape(view.location, links=True)}")
        st.stop()

    st.markdown(f"Hello {fmt.md_escape(view.first_name)}. {fmt.md_escape(view.therapist_name)} has offered these "
                f"times for your {view.session_type.lower()} session ({view.duration_minutes} minutes). Times are "
                f"shown in {fmt.md_escape(view.client_tz)}.  \n**Where:** {fmt.md_escape(view.location, links=True)}")
    labels = {oid: fmt.when(t, view.client_tz) for oid, t in view.offers}
    NONE = "none"
    # A booked session the client asked to move stays where it is unless they pick (lib.bookings.client_links).
    none_label = (f"None of these — keep my current time ({fmt.when(view.keeps, view.client_tz)})" if view.keeps
                  else "None of these work for me")
    if view.keeps:
        st.info(f"Your session stays booked at **{fmt.when(view.keeps, view.client_tz)}** unless you pick one of "
                "these times.", icon=":material/event_available:")
    choice = st.radio("Which time suits you?", list(labels) + [NONE], key="respond_choice", index=None,
                      format_func=lambda o: none_label if o == NONE else labels[o])
    if st.button("Send my answer", type="primary", disabled=choice is None):
        try:
            outcome = client_links.respond(token, None if choice == NONE else choice)
        except BadToken as exc:
            st.info(exc.message, icon=":material/link_off:")
        except BookingDeskError as exc:
            st.error(exc.message)
        else:
            st.session_state["bd_client_done"] = (
                f"Thank you — your session is confirmed for {labels[choice]}." + (EMAILED if email_ready() else "")
                if outcome == "confirmed" else
                f"Thank you — your session has moved to {labels[choice]}." + (EMAILED if email_ready() else "")
                if outcome == "moved" else
                f"Thank you — your session stays booked at {fmt.when(view.keeps, view.client_tz)}, and your "
                "therapist has been told." if outcome == "kept" else
                "Thank you for letting us know. The practice team will contact you to find another time or therapist.")
            st.rerun()
    st.caption(f"This private link works once and expires 24 hours after it was sent. Now: "
               f"{fmt.when(clock.now(), view.client_tz)}.")
