"""Log out: a page in the menu, as Streamlit's own login examples do (no button drawn on every page)."""
import streamlit as st

from ui import current, login, nav


def render() -> None:
    current.actor()
    login.log_out()
    st.switch_page(nav.page(nav.DASHBOARD))  # the login form, at the dashboard's address
