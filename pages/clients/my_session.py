"""/my-session?token=… — the client's own session page (no login): the session, the 48-hour policy as it
applies now, Cancel this session and Ask for another time. Opening it changes nothing; every rule is in
lib.bookings.client_changes."""
import streamlit as st

from lib.bookings import client_changes
from lib.bookings.client_changes import MySession
from lib.bookings.tokens import BadToken
from lib.core import clock
from lib.core.errors import BookingDeskError
from lib.notify.readiness import email_ready
from ui import client_header, current
from ui import format as fmt

DONE_KEY = "bd_my_session_done"
CONFIRM_KEY = "bd_my_session_cancel"  # the reason, between "Continue…" and the final yes


def _details(view: MySession) -> str:
    return (f"**{fmt.md_escape(view.type_label)} session with {fmt.md_escape(view.therapist_name)}**  \n"
            f"{fmt.when(view.starts_at, view.client_tz)} · {view.duration_minutes} minutes  \n"
            f"{fmt.md_escape(view.location, links=True)}  \n"
            f"Attendees: {fmt.md_escape(', '.join(view.attendees))}")


def _when_inputs(key: str, tz: str, label: str):
    a, b = st.columns(2)
    day = a.date_input(f"{label} · date", value=None, key=f"{key}_d", format="DD/MM/YYYY")
    at = b.time_input(f"{label} · time", value=None, key=f"{key}_t", step=900)
    return clock.from_local(day, at, tz) if day and at else None


def _act(action, done: str) -> None:
    try:
        action()
    except BadToken as exc:
        st.info(exc.message, icon=":material/link_off:")
    except BookingDeskError as exc:
        st.error(exc.message, icon=":material/warning:")
    else:
        st.session_state[DONE_KEY] = done
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


def render() -> None:
    current.require_app()
    token = st.query_params.get("token")
    client_header.header()
    st.title("Your session")
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(done, icon=":material/check_circle:")

    try:
        view = client_changes.my_session(token)
    except BadToken as exc:
        st.info(exc.message, icon=":material/link_off:")
        st.stop()

    st.markdown(f"Hello {fmt.md_escape(view.first_name)}. Times are shown in {fmt.md_escape(view.client_tz)}.")
    with st.container(border=True):
        st.markdown(_details(view))

    if view.state == "cancelled":
        st.info("This session has been cancelled, so there is nothing to change here. If you'd like to book "
                "again, just reply to our email.", icon=":material/event_busy:")
        st.stop()
    if view.state == "started":
        st.info("This session has already started or taken place, so it can't be changed here. If you need "
                "anything, just reply to our email.", icon=":material/history:")
        st.stop()
    if view.state == "closed":
        st.info("This session is not going ahead. The practice team will be in touch; you can also reply to our "
                "email.", icon=":material/info:")
        st.stop()
    if view.state == "requested":
        st.info("Your therapist hasn't confirmed this session yet. We'll email you as soon as there is an answer.",
                icon=":material/hourglass_top:")

    st.markdown(f"**Cancellation policy.** {client_changes.POLICY}  \n**Right now:** {view.policy_now}")

    if view.request is not None:
        wanted = "; ".join(fmt.when(t, view.client_tz) for t in view.request.preferred)
        st.info(f"You asked for another time {fmt.ago(view.request.asked_at)}"
                + (f" (you suggested {wanted})" if wanted else "")
                + ". Your therapist will answer soon; until then your session stays booked at the time above.",
                icon=":material/schedule:")
    if view.offers_link:
        st.info("Your therapist has offered other times. Please use the “Choose a time” link in our email to pick "
                "one; until you do, your session stays booked at the time above.", icon=":material/schedule:")

    actions = ["Cancel this session"] + (["Ask for another time"] if view.can_ask else [])
    choice = st.segmented_control("What would you like to do?", actions, key="my_session_action")
    emailed = " We've emailed you to confirm." if email_ready() else ""

    if choice == "Ask for another time":
        with st.form("ask_time_form"):
            st.caption("Give up to three times that would suit you, or write a note (or both). Your session stays "
                       "booked at its current time until your therapist answers.")
            times = [_when_inputs(f"pref{i}", view.client_tz, f"Preferred time {i + 1}") for i in range(3)]
            note = st.text_area("Note for your therapist (optional)", key="ask_note", max_chars=2000)
            if st.form_submit_button("Send my request", type="primary"):
                _act(lambda: client_changes.ask_for_another_time(token, view.version, times, note),
                     "Thank you — your therapist has been told and will answer soon. Your session stays booked "
                     "at its current time until then.")

    if choice == "Cancel this session":
        with st.form("cancel_session_form"):
            reason = st.text_area("Reason (optional — it helps your therapist)", key="client_cancel_reason",
                                  max_chars=1000)
            if st.form_submit_button("Continue…"):
                st.session_state[CONFIRM_KEY] = reason
                st.rerun()
        if CONFIRM_KEY in st.session_state:
            with st.container(border=True):
                st.markdown(f"**Cancel your session on {fmt.when(view.starts_at, view.client_tz)}?**  \n"
                            f"{view.policy_now} This can't be undone here.")
                go, back = st.columns(2)
                reason = st.session_state[CONFIRM_KEY]
                if go.button("Yes, cancel my session", type="primary", key="client_cancel_final", width="stretch"):
                    _act(lambda: client_changes.cancel(token, view.version, reason),
                         "Your session is cancelled and your therapist has been told." + emailed
                         + (" The practice will contact you about a refund." if view.late else
                            " You will get a full refund."))
                if back.button("No, keep my session", key="client_cancel_back", width="stretch"):
                    st.session_state.pop(CONFIRM_KEY, None)
                    st.rerun()

    st.caption(f"This private link is for you alone and works until your session starts. Now: "
               f"{fmt.when(clock.now(), view.client_tz)}.")
