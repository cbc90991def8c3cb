"""/confirm?token=… — the therapist's one-tap page from the new-request alert email (no sign-in).

It shows only what the email shows (date, time, type, attendees' first names, whether online or in person),
the availability check, Confirm Session, and "Open in Booking Desk" for everything else. Drawing it reads
and changes nothing (a mail scanner may open it any number of times); only the button confirms, through
lib.bookings.alert_answers. A therapist (or manager) signed in on this browser gets the normal session page.
"""
import streamlit as st

from lib.bookings import alert_answers
from lib.bookings.alert_answers import AlertView
from lib.bookings.tokens import BadToken
from lib.core.errors import BookingDeskError
from lib.core.vocabulary import BookingStatus
from ui import current, nav, promises, visit
from ui import format as fmt

DONE_KEY = "bd_quick_confirm_done"


def _open_in_app(booking_id: int | None) -> None:
    if booking_id is None:
        st.page_link(nav.page(nav.DASHBOARD), label="Open Booking Desk", icon=":material/login:")
    else:
        st.page_link(nav.page(nav.SESSION), label="Open in Booking Desk (sign in)", icon=":material/login:",
                     query_params={"id": str(booking_id)})


def _details(view: AlertView) -> str:
    tz = view.therapist_tz
    return (f"**{fmt.md_escape(view.type_label)} session · {fmt.when(view.starts_at, tz)}**  \n"
            f"{view.duration_minutes} minutes · {view.location_kind}  \n"
            f"Attendees: {fmt.md_escape(', '.join(view.first_names))}  \n"
            f":gray[Times in {fmt.md_escape(tz)}.]")


def _availability(view: AlertView) -> None:
    tz = view.therapist_tz
    for c in view.clashes:
        st.error(f"**Clash:** another {fmt.md_escape(c.what)} at {fmt.when(c.starts_at, tz)} "
                 f"({c.duration_minutes} min). Confirming is blocked; open the session in Booking Desk to resolve it.",
                 icon=":material/block:")
    if view.outside_hours:
        st.warning(f"This time is outside your usual working hours ({fmt.md_escape(view.working_hours_text)}). "
                   "Only confirm if you are available then.", icon=":material/schedule:")
    if not view.clashes and not view.outside_hours:
        st.success("You have no other session or offered time then, and it is within your working hours.",
                   icon=":material/event_available:")


def render() -> None:
    current.require_app()
    token = st.query_params.get("token")
    me = visit.get().actor
    if (booking_id := alert_answers.visible_to(me, token)) is not None:
        st.switch_page(nav.page(nav.SESSION), query_params={"id": str(booking_id)})

    st.title("New session request")
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(done, icon=":material/check_circle:")
    try:
        view = alert_answers.view(token)
    except BadToken as exc:
        st.info("This link can't be used. Open Booking Desk to see your requests." if exc.message == BadToken.message
                else exc.message, icon=":material/link_off:")
        _open_in_app(None)
        st.stop()

    with st.container(border=True):
        st.markdown(_details(view))
    if view.status != BookingStatus.UNCONFIRMED:
        if not done:
            st.info(f"This request was already answered: it is **{view.status_label.lower()}**. Nothing more to do "
                    "here.", icon=":material/info:")
    elif view.expired:
        st.info(alert_answers.EXPIRED, icon=":material/timer_off:")
    else:
        _availability(view)
        st.caption("Only confirm if you are available at this time and able to help with what the client is "
                   "seeking help with (their self-assessment is in Booking Desk). "
                   + ("The client is emailed the details at once." if promises.ready("email") else
                      "Email is not set up on this server, so the client will **not** be emailed."))
        if st.button("Confirm Session", type="primary", disabled=bool(view.clashes), key="quick_confirm"):
            try:
                alert_answers.confirm_from_link(token, view.version, visit.get().id)
            except BadToken as exc:
                st.info(exc.message, icon=":material/link_off:")
            except BookingDeskError as exc:
                st.error(exc.message, icon=":material/warning:")
            else:
                st.session_state[DONE_KEY] = "Session confirmed. " + promises.email_line(
                    ", ".join(view.first_names), "the confirmation email")
                st.rerun()
    _open_in_app(view.booking_id)
