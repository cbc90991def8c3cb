"""One session: details, the client's assessment, the availability check and the answers."""
import streamlit as st

from lib.bookings import dashboard
from lib.bookings import detail as session_view
from lib.bookings.assessments import AssessmentView
from lib.bookings.detail import BookingDetail
from lib.core.access import Actor
from lib.core.errors import BookingDeskError, NotFound
from lib.notify.readiness import email_ready
from ui import after_confirm, answer_forms, current, nav, promises, team_panel, time_request_panel, visit
from ui import format as fmt
from ui.page_part import page_part
from ui.session_parts import (
    answer_heading,
    assessment_md,
    availability_md,
    details_md,
    every_answer_md,
    header_md,
    messages_and_history_md,
    offers_md,
)
from ui.visit import Visit


def render() -> None:
    me = current.actor()
    v = visit.get()
    booking_id = st.query_params.get("id")

    try:
        if not booking_id:
            raise NotFound("No session was chosen. Open one from the dashboard.")
        detail = session_view.get_for(me, booking_id, v.id, record_view=booking_id not in v.viewed)
        v.viewed.add(booking_id)
    except NotFound as exc:
        st.title("Session not found")
        st.info(exc.message, icon=":material/search:")
        st.page_link(nav.page(nav.DASHBOARD), label="Back to the dashboard", icon=":material/arrow_back:")
        st.stop()

    once, v.once = v.once, {}  # what the last run left for this one
    if flash := once.get("flash"):
        st.success(flash, icon=":material/check_circle:")
        if once.get("confirmed"):
            after_confirm.next_links(me, detail.id)

    if detail.assessment.risk:
        st.error("**Risk flag.** In the self-assessment the client said they have had thoughts that they would be "
                 "better off dead, or of hurting themselves (PHQ-9 item 9). Follow the practice's risk procedure "
                 "and contact the client promptly.", icon=":material/warning:")

    # One column, read from the top: the session at a glance, the scores and what the client is seeking help with,
    # then the answer (Confirm Session and the others), then the item-by-item answers, details, messages and
    # history to refer to. On a phone the order is the same, so the answer is never below sixteen items. Text is
    # drawn in as few blocks as it reads: every element costs the page a little, two columns most of all.
    answer = availability_md(detail, me.is_manager) if detail.is_open else answer_heading(me.is_manager)
    st.markdown(f"{header_md(detail, me.timezone)}\n\n{assessment_md(detail, me.timezone)}\n\n{answer}")
    if err := once.get("confirm_error"):  # e.g. confirmed in another tab meanwhile
        st.error(err, icon=":material/warning:")
        st.button("Reload", key="reload_after_conflict")
    if detail.is_open:
        for c in detail.availability.clashes:
            if c.outside:  # an event in the therapist's own calendar: its title is never known here
                whose = "the therapist’s" if me.is_manager else "your"
                st.error(f"**Clash:** busy in {whose} calendar from {fmt.when(c.starts_at, me.timezone)} "
                         f"({c.duration_minutes} min). Confirming is blocked until that time is free.", icon=":material/block:")
                continue
            st.error(f"**Clash:** another {c.what} at {fmt.when(c.starts_at, me.timezone)} "
                     f"({c.duration_minutes} min). Confirming is blocked until this is resolved.", icon=":material/block:")
        if st.button("Confirm Session", type="primary", disabled=bool(detail.availability.clashes), key="confirm_open"):
            v.confirm_for = detail.id
    else:
        if v.confirm_for == detail.id:  # changed in another tab or by someone else since the dialog opened
            v.confirm_for = None
            st.warning(f"This session was changed meanwhile and is now **{detail.status_label.lower()}**. "
                       "Nothing more was sent. The page shows its latest state.", icon=":material/sync:")
        if detail.status in ("confirmed", "awaiting_client"):
            st.info(f"This session is **{detail.status_label.lower()}**. {offers_md(detail, me.timezone)}",
                    icon=":material/info:")
        else:
            st.info(f"This session is **{detail.status_label.lower()}**; there is nothing to answer.",
                    icon=":material/info:")
    asked = time_request_panel.shown(me, detail)  # the client asked for another time from their link
    answer_forms.other_answers(me, detail, v, client_asked=asked is not None)
    if me.is_manager:
        team_panel.for_session(me, detail, v.id)
    if new_id := once.get("new_session"):
        st.page_link(nav.page(nav.SESSION), label=f"Open the new session #{new_id}",
                     icon=":material/arrow_forward:", query_params={"id": str(new_id)})
    if v.confirm_for == detail.id:
        confirm_dialog(me, detail, v)
    # Every answer on request; open at once when there is a risk flag.
    if detail.assessment.status != "not started":
        every_answer(detail.assessment)
    st.markdown(f"{details_md(detail, me.timezone)}\n\n{messages_and_history_md(detail, me.timezone)}")


@page_part
def every_answer(answers: AssessmentView) -> None:
    """The answers item by item, on request (open at once when there is a risk flag). The toggle reruns only
    this part, not the page: the answers it shows were read with the page, for this user, a moment ago.
    Streamlit keeps a part's arguments for its reruns while the session lasts, so it is given the answers
    only, not the whole session (its messages, history and free times)."""
    if st.toggle("Show every answer, item by item", value=answers.risk, key="assessment_items"):
        st.markdown(every_answer_md(answers))


# Defined once, outside render(): st.dialog builds the dialog only when it is called.
@st.dialog("Confirm this session?", width="large", on_dismiss=lambda: setattr(visit.get(), "confirm_for", None))
def confirm_dialog(me: Actor, detail: BookingDetail, v: Visit) -> None:
    preview = dashboard.confirmation_preview(me, detail.id)
    st.markdown(f"{fmt.md_escape(detail.client_name)} will be emailed the confirmation below, with a calendar "
                "invitation." if email_ready() else f"Email is not set up on this server, so "
                f"{fmt.md_escape(detail.client_name)} will **not** be emailed. The email that would be sent is below.")
    # The buttons come before the email, so on a phone they are on screen without scrolling inside the dialog.
    go, back = st.columns(2)
    if go.button("Confirm Session", type="primary", key="confirm_final", width="stretch"):
        v.confirm_for = None
        try:
            dashboard.confirm(me, detail.id, detail.version, v.id)
        except BookingDeskError as exc:
            v.once["confirm_error"] = exc.message
        else:
            v.once["flash"] = "Session confirmed. " + promises.email_line(detail.client_name,
                                                                          "the confirmation email")
            v.once["confirmed"] = True
        st.rerun()
    if back.button("Not yet", key="confirm_cancel", width="stretch"):
        v.confirm_for = None
        st.rerun()
    with st.container(border=True):
        st.markdown(f"**Subject:** {fmt.md_escape(preview.subject)}")
        st.text(preview.text)
