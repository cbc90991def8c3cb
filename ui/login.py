"""The login gate: our own form and checks (throttled, audited), streamlit-authenticator's cookie."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

import jwt
import streamlit as st
import streamlit_authenticator as stauth

from lib import auth, config
from lib.auth import Actor
from lib.errors import InvalidInput

COOKIE_NAME = "booking_desk_auth"
COOKIE_DAYS = 1.0


def idle_minutes() -> float:
    return float(config.get("BOOKING_DESK_IDLE_MINUTES", "30"))


def browser_session() -> str:
    if "bd_browser_session" not in st.session_state:
        st.session_state["bd_browser_session"] = uuid.uuid4().hex
    return st.session_state["bd_browser_session"]


def _authenticator(key: str) -> stauth.Authenticate:
    # Credentials are only used for cookie re-login; passwords are checked by lib.auth.
    return stauth.Authenticate(auth.credentials(), COOKIE_NAME, key, COOKIE_DAYS, auto_hash=False,
                               login_sleep_time=0)


def _cookie_issued_at(key: str) -> datetime | None:
    token = st.context.cookies.get(COOKIE_NAME) if hasattr(st.context, "cookies") else None
    if not token:
        return None
    try:
        payload = jwt.decode(token, key, algorithms=["HS256"])
        issued = float(payload["exp_date"]) - COOKIE_DAYS * 86400
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
    return datetime.fromtimestamp(issued, timezone.utc).replace(tzinfo=None)


def _clear(authenticator: stauth.Authenticate | None) -> None:
    if authenticator is not None and st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    for k in ("authentication_status", "username", "name", "roles", "bd_actor", "bd_checked", "bd_last_seen"):
        if k in ("authentication_status", "username", "name", "roles"):
            st.session_state[k] = None
        else:
            st.session_state.pop(k, None)


def current_actor(key: str, demo: bool) -> Actor | None:
    """The logged-in user, or None after drawing the login form."""
    authenticator = _authenticator(key)
    if not st.session_state.get("authentication_status"):
        authenticator.login(location="unrendered")  # re-login from the cookie, if there is one
    if st.session_state.get("authentication_status") and not st.session_state.get("bd_checked"):
        # A cookie re-login: refuse cookies issued before the user's last logout.
        username = st.session_state.get("username")
        issued = _cookie_issued_at(key)
        if issued is None or not auth.cookie_still_valid(username, issued):
            _clear(authenticator)
        else:
            st.session_state["bd_checked"] = True
    if st.session_state.get("authentication_status"):
        last = st.session_state.get("bd_last_seen")
        if last is not None and time.time() - last > idle_minutes() * 60:
            auth.record_logout(st.session_state.get("username"), browser_session())
            _clear(authenticator)
            st.session_state["bd_notice"] = "You were logged out after a period of inactivity."
        else:
            actor = auth.actor_for(st.session_state.get("username"))
            if actor is None:
                _clear(authenticator)
            else:
                st.session_state["bd_last_seen"] = time.time()
                _logout_button(authenticator, actor)
                return actor
    actor = _login_form(authenticator, demo)
    if actor is not None:
        _logout_button(authenticator, actor)
    return actor


def _logout_button(authenticator: stauth.Authenticate, actor: Actor) -> None:
    with st.sidebar:
        st.caption(f"Signed in as **{actor.name}** · {actor.role}")
        if st.button("Log out", key="bd_logout"):
            auth.record_logout(actor.username, browser_session())
            _clear(authenticator)
            st.session_state["logout"] = True
            st.session_state["bd_notice"] = "You have logged out."
            st.rerun()


def _login_form(authenticator: stauth.Authenticate, demo: bool) -> Actor | None:
    box = st.empty()
    with box.container():
        left, mid, right = st.columns([1, 2, 1])
        with mid:
            st.title("Booking Desk")
            st.caption("New session requests, answered quickly and safely.")
            if notice := st.session_state.pop("bd_notice", None):
                st.info(notice)
            with st.form("bd_login", clear_on_submit=True):
                username = st.text_input("Username", key="bd_login_user", autocomplete="username")
                password = st.text_input("Password", type="password", key="bd_login_password",
                                         autocomplete="current-password")
                submitted = st.form_submit_button("Log in", type="primary", width="stretch")
            error = st.empty()
            if demo:
                st.info("**Demo data is loaded.** Log in as `alice` or `bob` (therapists) or `morgan` "
                        "(practice manager), password `booking-desk-demo`.", icon="🧪")
    if not submitted:
        return None
    try:
        actor = auth.verify_login(username, password, browser_session())
    except InvalidInput as exc:
        error.error(exc.message)
        return None
    st.session_state.update({
        "authentication_status": True, "username": actor.username, "name": actor.name,
        "roles": [actor.role], "bd_checked": True, "bd_last_seen": time.time(), "logout": None,
    })
    # No st.rerun() here: the cookie component must render in this run to write the cookie.
    box.empty()
    authenticator.cookie_controller.set_cookie()
    return actor
