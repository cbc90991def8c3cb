"""One session: details, the client's assessment, the availability check and the answers."""
import streamlit as st

from lib import bookings, session_view
from lib.errors import BookingDeskError, NotFound
from ui import answer_forms, current, format as fmt, nav
from ui.session_parts import (assessment_md, availability_md, details_md, every_answer_md, messages_and_history_md,
                              offers_md)


def render() -> None:
    me = current.actor()
    booking_id = st.query_params.get("id")

    try:
        if not booking_id:
            raise NotFound("No session was chosen. Open one from the dashboard.")
        viewed = st.session_state.setdefault("bd_viewed", set())
        detail = session_view.get_for(me, booking_id, current.browser_session(), record_view=booking_id not in viewed)
        viewed.add(booking_id)
    except NotFound as exc:
        st.title("Session not found")
        st.info(exc.message, icon=":material/search:")
        st.page_link(nav.page(nav.DASHBOARD), label="Back to the dashboard", icon=":material/arrow_back:")
        st.stop()

    if flash := st.session_state.pop("bd_flash", None):
        st.success(flash, icon=":material/check_circle:")

    badge = {"unconfirmed": "orange", "confirmed": "green", "awaiting_client": "blue"}.get(detail.status, "gray")
    # The title and the line under it as one block (every element costs the page a little).
    st.markdown(f"# {fmt.session_type(detail.session_type)} session · {fmt.md_escape(detail.client_name)}\n\n"
                f"**{fmt.when(detail.starts_at, me.timezone)}** · {detail.duration_minutes} minutes · "
                f"{'online' if detail.delivery == 'online' else 'in person'}  \n"
                f":{badge}-badge[{detail.status_label}] Requested {fmt.ago(detail.requested_at)}"
                + (f" · answer {fmt.due(detail.response_due_at)}" if detail.is_open else ""))

    if detail.assessment.risk:
        st.error("**Risk flag.** In the self-assessment the client said they have had thoughts that they would be "
                 "better off dead, or of hurting themselves (PHQ-9 item 9). Follow the practice's risk procedure "
                 "and contact the client promptly.", icon=":material/warning:")

    # Left: what the client is seeking help with, then the session's details. Right: the answer.
    # (The menu's "New sessions" leads back to the dashboard.)
    left, right = st.columns([3, 2], gap="large")
    with left:
        if detail.assessment.status == "not started":  # no answers to show: one block, not two
            st.markdown(f"{assessment_md(detail, me.timezone)}\n\n{details_md(detail, me.timezone)}")
        else:
            st.markdown(assessment_md(detail, me.timezone))
            # Every answer on request; open at once when there is a risk flag.
            if st.toggle("Show every answer, item by item", value=detail.assessment.risk, key="assessment_items"):
                st.markdown(every_answer_md(detail))
            st.markdown(details_md(detail, me.timezone))
    with right:
        if detail.is_open:
            st.markdown(availability_md(detail, me.is_manager))
            for c in detail.availability.clashes:
                st.error(f"**Clash:** another {c.what} at {fmt.when(c.starts_at, me.timezone)} "
                         f"({c.duration_minutes} min). Confirming is blocked until this is resolved.", icon=":material/block:")
            if st.button("Confirm Session", type="primary", disabled=bool(detail.availability.clashes),
                         key="confirm_open", width="stretch"):
                st.session_state["bd_confirm_for"] = detail.id
        else:
            st.markdown("### Answer" if me.is_manager else "### Your answer")
            if detail.status in ("confirmed", "awaiting_client"):
                st.info(f"This session is **{detail.status_label.lower()}**. {offers_md(detail, me.timezone)}",
                        icon=":material/info:")
            else:
                st.info(f"This session is **{detail.status_label.lower()}**; there is nothing to answer.",
                        icon=":material/info:")
        answer_forms.other_answers(me, detail, current.browser_session())
        if new_id := st.session_state.pop("bd_new_session", None):
            st.page_link(nav.page(nav.SESSION), label=f"Open the new session #{new_id}",
                         icon=":material/arrow_forward:", query_params={"id": str(new_id)})

    @st.dialog("Confirm this session?", width="large", on_dismiss=lambda: st.session_state.pop("bd_confirm_for", None))
    def confirm_dialog() -> None:
        preview = bookings.confirmation_preview(me, detail.id)
        st.markdown(f"{fmt.md_escape(detail.client_name)} will be emailed this, with a calendar invitation:")
        with st.container(border=True):
            st.markdown(f"**Subject:** {fmt.md_escape(preview.subject)}")
            st.text(preview.text)
        go, back = st.columns(2)
        if go.button("Confirm Session", type="primary", key="confirm_final", width="stretch"):
            st.session_state.pop("bd_confirm_for", None)
            try:
                bookings.confirm(me, detail.id, detail.version, current.browser_session())
            except BookingDeskError as exc:
                st.session_state["bd_confirm_error"] = exc.message
            else:
                st.session_state["bd_flash"] = (f"Session confirmed. {detail.client_name} will receive the "
                                                "confirmation email shortly.")
            st.rerun()
        if back.button("Not yet", key="confirm_cancel", width="stretch"):
            st.session_state.pop("bd_confirm_for", None)
            st.rerun()

    if err := st.session_state.pop("bd_confirm_error", None):
        with right:
            st.error(err, icon=":material/warning:")
            st.button("Reload", key="reload_after_conflict")
    if st.session_state.get("bd_confirm_for") == detail.id:
        if detail.is_open:
            confirm_dialog()
        else:  # changed in another tab or by someone else since the dialog opened
            st.session_state.pop("bd_confirm_for", None)
            with right:
                st.warning(f"This session was changed meanwhile and is now **{detail.status_label.lower()}**. "
                           "Nothing more was sent. The page shows its latest state.", icon=":material/sync:")

    st.markdown(messages_and_history_md(detail, me.timezone))
