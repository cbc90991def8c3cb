"""This browser session's own state, kept in one st.session_state entry.

Every st.session_state access costs a run about 8 µs (a lock and widget bookkeeping), and the login gate
and the session page made some thirty a run. One plain object costs one access, read once where it is used.
streamlit-authenticator's keys ("authentication_status", "username", …) stay in st.session_state for it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import streamlit as st

from lib.core.access import Actor

KEY = "bd_visit"


@dataclass
class Visit:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # the browser session, in the audit trail
    checked: bool = False  # logged in by our own checks (password or cookie), not just by the authenticator's flag
    username: str | None = None
    actor: Actor | None = None
    actor_checked_at: float = 0.0  # when the user's record was last re-read (ui.login)
    last_seen: float | None = None  # for the idle timeout
    logged_out: bool = False  # logged out in this browser session: its cookie no longer logs in again
    notice: str | None = None  # shown on the login form until the next login
    forget_cookie: str | None = None  # the browser's copy of the cookie to delete, after logging out
    cookie_pending: bool = False  # the cookie writer is drawn until the browser has written it
    cookie_tool: object | None = None  # this run's streamlit-authenticator (ui.login): one per run, see there
    in_app: bool = False  # a page is running inside the login gate (ui.shell)
    viewed: set = field(default_factory=set)  # sessions opened already: the first view is recorded
    confirm_for: int | None = None  # the session whose Confirm dialog is open
    cancel_for: tuple | None = None  # (session id, reason, full refund) whose Cancel dialog is open
    once: dict = field(default_factory=dict)  # messages for the next run only ("flash", "new_session", …)
    sign_in_session: int | None = None  # the server's record of this sign-in (lib.people.sign_in_sessions)
    pending: object | None = None  # a sign-in past its password, before its two-step code (ui.sign_in_steps)
    forgot: bool = False  # the login form shows "Forgot your password?" instead
    enrol_secret: str | None = None  # two-step set-up in /settings, until confirmed (ui.settings_security)
    shown_codes: list | None = None  # recovery codes to show once (ui.settings_security)


def get() -> Visit:
    visit = st.session_state.get(KEY)
    if visit is None:
        visit = st.session_state[KEY] = Visit()
    return visit
