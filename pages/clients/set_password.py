"""/set-password?token=… — a person chooses their first password, or a new one, from an emailed link (no login)."""
import streamlit as st

from lib.core.errors import InvalidInput
from lib.people import password_changes
from lib.people.passwords import MIN_LENGTH
from ui import current, nav
from ui import format as fmt


def render() -> None:
    current.require_app()
    st.title("Choose your password")
    if done := st.session_state.pop("bd_password_done", None):
        st.success(done, icon=":material/check_circle:")
        st.page_link(nav.page(nav.DASHBOARD), label="Sign in", icon=":material/login:")
        st.stop()
    token = st.query_params.get("token")
    try:
        details = password_changes.link_details(token)
    except InvalidInput as exc:
        st.info(exc.message, icon=":material/link_off:")
        st.stop()
    st.write(f"Hello {fmt.md_escape(details.name)}. Your username is **{fmt.md_escape(details.username)}**. "
             + ("Choose a password to start using Booking Desk." if details.first_password else
                "Choose a new password; setting it signs you out everywhere."))
    st.caption(f"At least {MIN_LENGTH} characters and hard to guess: a few unrelated words together work well. "
               "Don't reuse a password from another site.")
    with st.form("bd_choose_password"):
        password = st.text_input("New password", type="password", key="bd_new_password", autocomplete="new-password")
        again = st.text_input("The same password again", type="password", key="bd_new_password_again",
                              autocomplete="new-password")
        submitted = st.form_submit_button("Set my password", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("The two passwords are different; please type them again.")
        return
    try:
        username = password_changes.set_from_link(token, password, current.browser_session())
    except InvalidInput as exc:
        st.error(exc.message)
        return
    st.session_state["bd_password_done"] = f"Your password is set. Sign in as **{fmt.md_escape(username)}**."
    st.query_params.clear()
    st.rerun()
