"""The frame around every page: page config, the login gate, and the pages each role may open.

It lives in an imported module, compiled once per process; streamlit_app.py, which Streamlit
re-reads on every run, only calls main().
"""
from __future__ import annotations

import streamlit as st

from lib.bookings import worklist
from lib.core import crypto
from lib.core.errors import DatabaseUnavailable
from ui import a11y_style, channel_banner, login, managers_only, nav, secret, shell_state, visit
from ui.errors import database_down, friendly_errors

# Pages without the channel banner: the clients' own pages, logging out, and the outbox (which describes
# each channel itself).
_NO_BANNER = frozenset(e.url for e in nav.PUBLIC + [nav.LOG_OUT, nav.OUTBOX])


def main() -> None:
    visit.get().cookie_tool = None  # made afresh each run (ui.login)
    try:
        _gate()
    except DatabaseUnavailable:
        _configure()
        database_down()


def _configure(layout: str = "wide") -> None:
    """The page's title, icon and layout: set once a run, where the page is known (calls may come late)."""
    st.set_page_config(page_title="Booking Desk", page_icon="🟣", layout=layout)
    a11y_style.apply()  # focus rings and target sizes on every page (docs/accessibility.md)


def _gate() -> None:
    try:
        demo = shell_state.demo_in_use()
    except DatabaseUnavailable:
        _configure()
        database_down()
        st.button("Try again")
        st.stop()
    key, problem = secret.cookie_key(demo)
    problem = problem or crypto.problem(demo)  # no key for the assessments: nothing may be read or written
    if problem:
        _configure()
        st.error(f"**Booking Desk can't start safely.** {problem}", icon="🔒")
        st.stop()
    if login.looks_logged_in() or login.signed_in_by_cookie(key) is not None:
        # The usual case, kept to one st.navigation call: the user's pages (clients' pages hidden),
        # then who is signed in, with Log out under it.
        actor = login.current_actor(key, demo)
        if actor is not None:
            pg = st.navigation({
                "": nav.pages(nav.MANAGER + nav.PUBLIC, _titles(actor)) if actor.is_manager else
                    nav.pages(nav.THERAPIST + nav.PUBLIC) + managers_only.pages(),  # "This page is for managers"
                login.account_section(actor): nav.pages([nav.LOG_OUT]),
            }, position="sidebar")
            _configure(nav.layout(pg))
            if pg.url_path not in _NO_BANNER:
                channel_banner.show(actor)  # email or SMS not set up: said above every staff page
            run_page(pg)
            return
        _configure()  # the login form was drawn
        st.navigation(nav.pages(nav.EVERY), position="hidden")
        st.stop()
    _configure()
    # Logged out: register every page (hidden) so deep links survive the login form.
    pg = st.navigation(nav.pages(nav.EVERY), position="hidden")
    if pg.url_path in {e.url for e in nav.PUBLIC}:
        run_page(pg)
        return
    if pg.url_path == nav.LOG_OUT.url:  # logged out already; logging in here must not log out again
        st.switch_page(nav.page(nav.DASHBOARD))
    if login.current_actor(key, demo) is None:
        st.stop()
    st.rerun()  # logged in on the form just now: draw the page with the user's own menu


def _titles(actor) -> dict:
    """A manager's menu counts what waits for the practice team, so it is seen from every page."""
    if not actor.is_manager:
        return {}
    waiting = worklist.waiting(actor).count
    return {nav.DASHBOARD: f"{nav.DASHBOARD.title} · {waiting} for the team"} if waiting else {}


def run_page(pg: st.Page) -> None:
    """Run a page inside the gate; pages refuse to run without this flag (see ui.current)."""
    v = visit.get()
    v.in_app = True
    try:
        with friendly_errors():
            pg.run()
    finally:
        v.in_app = False
