"""/clients (managers): find a client, download everything held about them, erase them; how long records are kept."""
import streamlit as st

from lib.core import clock
from lib.core.errors import BookingDeskError
from lib.lifecycle import erasure, retention, subject_access
from ui import current, visit
from ui import format as fmt

ERASING = "clients_erasing"  # the client whose erasure is being confirmed
FLASH = "clients_flash"


def render() -> None:
    me, v = current.actor(), visit.get()
    st.title("Clients")
    st.caption("Find a client to give them a copy of everything held about them (a subject access request), or to "
               "erase their record. Both are written to the audit trail.")
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash, icon=":material/check_circle:")

    query = st.text_input("Find a client (name or email)", key="clients_query", placeholder="e.g. Whitfield")
    matches = subject_access.find_clients(me, query)
    if not query.strip():
        st.info("Type at least two letters of the client's name or email address.", icon=":material/search:")
    elif not matches:
        st.info("No client matches. An erased client can't be found: nothing that names them is left.",
                icon=":material/search:")
    else:
        chosen = st.radio("Client", matches, key="clients_choice", format_func=lambda m: _match_label(m, me.timezone))
        if chosen is not None:
            _client_actions(me, v, chosen)

    st.divider()
    _retention_form(me, v)


def _match_label(m: subject_access.ClientMatch, tz: str) -> str:
    last = f"last session {fmt.when(m.last_session, tz)}" if m.last_session else "no sessions"
    return f"{fmt.md_escape(m.name)} · {fmt.md_escape(m.email)} · {m.sessions} session{'s' * (m.sessions != 1)}, {last}"


def _client_actions(me, v, chosen: subject_access.ClientMatch) -> None:
    st.subheader(fmt.md_escape(chosen.name))
    left, right = st.columns(2)
    left.download_button(
        "Download their data (ZIP)", icon=":material/download:", key="clients_export", width="stretch",
        data=lambda: subject_access.export(me, chosen.id, v.id).data, mime="application/zip",
        file_name=f"client-{chosen.id}-data-{clock.now().date().isoformat()}.zip",
        help="A readable summary (summary.html) and the same data as JSON (data.json): details, sessions and "
             "their history, the self-assessment with scores, messages sent to them, and who viewed their record.")
    if right.button("Erase this client…", icon=":material/delete_forever:", key="clients_erase_start",
                    width="stretch"):
        st.session_state[ERASING] = chosen.id
    if st.session_state.get(ERASING) == chosen.id:
        _confirm_erasure(me, v, chosen.id)


def _confirm_erasure(me, v, client_id: int) -> None:
    plan = erasure.preview(me, client_id)
    with st.container(border=True):
        st.markdown(f"#### Erase {fmt.md_escape(plan.name)}?")
        st.markdown(f"This can't be undone. {plan.sessions} session{'s' * (plan.sessions != 1)} on record, "
                    f"{plan.assessments} self-assessment{'s' * (plan.assessments != 1)}, {plan.messages} "
                    f"message{'s' * (plan.messages != 1)}.")
        if plan.open_sessions:
            st.warning("**First, these sessions are cancelled** and the client is sent the usual cancellation "
                       "email (full refund):\n\n" + "\n".join(
                           f"- {fmt.when(o.starts_at, me.timezone)} with {fmt.md_escape(o.therapist_name)} ({o.status})"
                           for o in plan.open_sessions), icon=":material/event_busy:")
        st.markdown("**What goes**\n\n" + "\n".join(f"- {line}" for line in plan.what_goes))
        st.markdown("**What stays**\n\n" + "\n".join(f"- {line}" for line in plan.what_stays))
        reason = st.selectbox("Reason", list(erasure.MANAGER_REASONS), index=None, key="clients_erase_reason",
                              format_func=erasure.MANAGER_REASONS.get, placeholder="Choose the reason")
        sure = st.checkbox(f"I understand that {fmt.md_escape(plan.name)}'s record is erased for good", key="clients_erase_sure")
        go, back = st.columns(2)
        if back.button("Keep the record", key="clients_erase_cancel", width="stretch"):
            st.session_state.pop(ERASING, None)
            st.rerun()
        if go.button("Erase permanently", type="primary", key="clients_erase_go", width="stretch",
                     disabled=not (reason and sure)):
            try:
                done = erasure.erase(me, client_id, reason, plan.fingerprint, v.id)
            except BookingDeskError as exc:
                st.error(exc.message)
                return
            for key in (ERASING, "clients_query", "clients_choice", "clients_erase_reason", "clients_erase_sure"):
                st.session_state.pop(key, None)
            cancelled = (f" {done.cancelled} open session{'s were' if done.cancelled != 1 else ' was'} cancelled; "
                         "the cancellation email is queued and its text is erased once it has gone."
                         if done.cancelled else "")
            st.session_state[FLASH] = (f"The client's record was erased.{cancelled} {done.sessions_kept} session"
                                       f"{'s' * (done.sessions_kept != 1)} stay as anonymous records for the "
                                       "response-time figures.")
            st.rerun()


def _retention_form(me, v) -> None:
    st.subheader("How long client records are kept")
    current_years = retention.years_for(me)
    with st.form("clients_retention"):
        years = st.number_input("Years after the client's last session", min_value=retention.MIN_YEARS,
                                max_value=retention.MAX_YEARS, value=current_years, step=1, key="clients_years")
        st.caption("Each day the worker erases the records of clients whose last session was longer ago than "
                   "this (names, contact details, assessments, message text); the response-time figures keep "
                   "their anonymous sessions. UK professional bodies advise 7 years.")
        if st.form_submit_button("Save"):
            try:
                saved = retention.set_years(me, years, v.id)
            except BookingDeskError as exc:
                st.error(exc.message)
            else:
                st.success(f"Client records are now kept {saved} years after their last session.",
                           icon=":material/check_circle:")
