"""Booking Desk: page config, the login gate, and the pages each role may open."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from lib.errors import DatabaseUnavailable
from ui import login, secret, shell_state
from ui.background import start_dispatcher
from ui.errors import friendly_errors

# Also when started as plain `streamlit run` (ui/serve.py explains; it covers the very first request too).
PagesManager.uses_pages_directory = False

st.set_page_config(page_title="Booking Desk", page_icon="🟣", layout="wide")

ROOT = __file__.rsplit("/", 1)[0]
# Page files are named unlike their addresses on purpose: Streamlit also serves every file in
# pages/ at /<file name> (its older multipage mode), and an address that matched a file name would
# run that file without this gate. Each page also refuses to run without a logged-in user.


def page(file: str, title: str, url: str, icon: str, default: bool = False, hidden: bool = False) -> st.Page:
    """A page; `hidden` ones are reached by links (a session), not from the menu."""
    return st.Page(f"{ROOT}/pages/{file}", title=title, url_path=url, icon=icon, default=default,
                   visibility="hidden" if hidden else "visible")


def available(pages: list[st.Page]) -> list[st.Page]:
    return list(dict.fromkeys(pages))


DASHBOARD = page("queue.py", "New sessions", "dashboard", ":material/inbox:", default=True)
SESSION = page("session_detail.py", "Session", "session", ":material/event:", hidden=True)
METRICS = page("response_times.py", "Response times", "metrics", ":material/monitoring:")
SETTINGS = page("my_settings.py", "Settings", "settings", ":material/settings:")
OUTBOX = page("messages.py", "Outbox", "outbox", ":material/outgoing_mail:")
AUDIT = page("audit_trail.py", "Audit trail", "audit", ":material/policy:")
NEW_BOOKING = page("new_booking.py", "New booking", "new-booking", ":material/add_circle:")
ASSESSMENT = page("self_assessment.py", "Your self-assessment", "assessment", ":material/assignment:", hidden=True)
RESPOND = page("choose_time.py", "Choose a time", "respond", ":material/schedule:", hidden=True)

PUBLIC = available([ASSESSMENT, RESPOND])
THERAPIST = [DASHBOARD, SESSION, METRICS, SETTINGS]
MANAGER = [DASHBOARD, SESSION, NEW_BOOKING, METRICS, OUTBOX, AUDIT, SETTINGS]




def main() -> None:
    try:
        demo = shell_state.demo_in_use()
    except DatabaseUnavailable as exc:
        st.error(f"**We can't reach the database just now.** {exc.message}", icon=":material/cloud_off:")
        st.button("Try again")
        st.stop()
    start_dispatcher()
    key, problem = secret.cookie_key(demo)
    if problem:
        st.error(f"**Booking Desk can't start safely.** {problem}", icon="🔒")
        st.stop()
    if login.looks_logged_in():
        # The usual case, kept to one st.navigation call: the user's pages (clients' pages hidden).
        actor = login.current_actor(key, demo)
        if actor is not None:
            run_page(st.navigation(available((MANAGER if actor.is_manager else THERAPIST) + PUBLIC),
                                   position="sidebar"))
            return
        st.navigation(available(MANAGER + THERAPIST + PUBLIC), position="hidden")
        st.stop()
    # Logged out: register every page (hidden) so deep links survive the login form.
    pg = st.navigation(available(MANAGER + THERAPIST + PUBLIC), position="hidden")
    if pg.url_path in {p.url_path for p in PUBLIC}:
        run_page(pg)
        return
    if login.current_actor(key, demo) is None:
        st.stop()
    st.rerun()  # logged in by the cookie just now: draw the page with the user's own menu


def run_page(pg: st.Page) -> None:
    """Run a page inside the gate; pages refuse to run without this flag (see ui.current)."""
    st.session_state["bd_in_app"] = True
    try:
        with friendly_errors():
            pg.run()
    finally:
        st.session_state["bd_in_app"] = False


try:
    main()
except DatabaseUnavailable as exc:
    st.error(f"**We can't reach the database just now.** {exc.message}", icon=":material/cloud_off:")
