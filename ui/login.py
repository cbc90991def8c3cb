"""The login gate: our own form and checks (throttled, audited), streamlit-authenticator's cookie."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import jwt
import streamlit as st
import streamlit_authenticator as stauth

from lib import auth, config
from lib.auth import Actor
from lib.errors import InvalidInput
from ui import visit
from ui.visit import Visit

COOKIE_NAME = "booking_desk_auth"
COOKIE_DAYS = 1.0


def idle_minutes() -> float:
    return float(config.get("BOOKING_DESK_IDLE_MINUTES", "30"))


def browser_session() -> str:
    return visit.get().id


def _authenticator(key: str, username: str | None = None) -> stauth.Authenticate:
    """streamlit-authenticator, used for its re-login cookie only; passwords are checked by lib.auth.

    Built only when a cookie must be read, written or deleted: it renders a cookie component and
    loads credentials, which a logged-in rerun does not need.
    """
    return stauth.Authenticate(auth.credentials(username), COOKIE_NAME, key, COOKIE_DAYS, auto_hash=False,
                               login_sleep_time=0)


def _cookie(key: str) -> tuple[str | None, datetime | None]:
    """(username, issued at) from this browser's signed re-login cookie, if it has a valid one."""
    token = st.context.cookies.get(COOKIE_NAME) if hasattr(st.context, "cookies") else None
    if not token:
        return None, None
    try:
        payload = jwt.decode(token, key, algorithms=["HS256"])
        expires = float(payload["exp_date"])
        username = str(payload["username"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None, None
    if expires < time.time():
        return None, None
    issued = datetime.fromtimestamp(expires - COOKIE_DAYS * 86400, timezone.utc).replace(tzinfo=None)
    return username, issued


def _clear(v: Visit) -> None:
    for k in ("authentication_status", "username", "name", "roles"):
        st.session_state[k] = None
    v.checked, v.username, v.actor, v.actor_checked_at, v.last_seen = False, None, None, 0.0, None


ACTOR_RECHECK_SECONDS = 60


def _start_session(v: Visit, actor: Actor) -> None:
    st.session_state.update({  # for streamlit-authenticator
        "authentication_status": True, "username": actor.username, "name": actor.name, "roles": [actor.role],
        "logout": None,
    })
    v.checked, v.username, v.actor, v.actor_checked_at, v.last_seen = True, actor.username, actor, time.time(), time.time()
    v.logged_out, v.notice = False, None


def _cached_actor(v: Visit) -> Actor | None:
    """The user's record, re-read at most once a minute (a deactivated user is out within a minute)."""
    if v.actor is None or time.time() - v.actor_checked_at > ACTOR_RECHECK_SECONDS:
        v.actor, v.actor_checked_at = auth.actor_for(v.username), time.time()
    return v.actor


def looks_logged_in() -> bool:
    """This browser session logged in earlier (current_actor still checks idle time and the user)."""
    return visit.get().checked


def current_actor(key: str, demo: bool) -> Actor | None:
    """The logged-in user, or None after drawing the login form."""
    v = visit.get()
    if not v.checked and not v.logged_out:
        # Re-login from the cookie (streamlit-authenticator's format), refusing cookies issued
        # before the user's last logout: its own check would accept a copied, logged-out cookie.
        username, issued = _cookie(key)
        if username and auth.cookie_still_valid(username, issued):
            actor = auth.actor_for(username)
            if actor is not None:
                _start_session(v, actor)
    if v.checked:
        if v.last_seen is not None and time.time() - v.last_seen > idle_minutes() * 60:
            log_out("You were logged out after a period of inactivity.")
        else:
            actor = _cached_actor(v)
            if actor is not None:
                v.last_seen = time.time()
                if v.cookie_pending:
                    _write_cookie(key, actor.username)
                return actor
            _clear(v)
    if forget := v.forget_cookie:  # after logging out: this browser's copy goes too
        v.forget_cookie = None
        _authenticator(key, forget).cookie_controller.delete_cookie()
    return _login_form(key, demo)


def log_out(notice: str = "You have logged out.") -> None:
    """Revoke every cookie issued to the user so far and end this browser session's login (the Log out
    page, and the idle timeout).

    The browser's copy of the cookie is deleted on the login form's run that follows (deleting needs a
    component drawn in a run that is not cut short); it is refused from now on either way.
    """
    v = visit.get()
    username = v.username
    auth.record_logout(username, v.id)
    _clear(v)
    st.session_state["logout"] = True  # for streamlit-authenticator
    v.logged_out, v.notice, v.forget_cookie = True, notice, username


def account_section(actor: Actor) -> str:
    """The menu heading above Log out, saying who is signed in."""
    return f"Signed in as {actor.name}"


def _login_form(key: str, demo: bool) -> Actor | None:
    box = st.empty()
    with box.container():
        left, mid, right = st.columns([1, 2, 1])
        with mid:
            st.title("Booking Desk")
            st.caption("New session requests, answered quickly and safely.")
            if notice := visit.get().notice:  # kept until the next login (cookie reruns)
                st.info(notice)
            with st.form("bd_login", clear_on_submit=True):
                username = st.text_input("Username", key="bd_login_user", autocomplete="username")
                password = st.text_input("Password", type="password", key="bd_login_password",
                                         autocomplete="current-password")
                submitted = st.form_submit_button("Log in", type="primary", width="stretch")
            error = st.empty()
            if demo:
                st.info("**Demo data is loaded.** Log in as `alice` or `bob` (therapists) or `morgan` "
                        "(practice manager), password `booking-desk-demo`.", icon=":material/science:")
    if not submitted:
        return None
    try:
        actor = auth.verify_login(username, password, browser_session())
    except InvalidInput as exc:
        error.error(exc.message)
        return None
    v = visit.get()
    _start_session(v, actor)
    # No st.rerun() here: the cookie component must render in this run to write the cookie.
    box.empty()
    v.cookie_pending = True
    _write_cookie(key, actor.username)
    return actor


def _write_cookie(key: str, username: str) -> None:
    """Draw the cookie writer on every run until the browser says it wrote the cookie.

    The cookie reader drawn beside it can trigger a rerun before the writer has loaded; a writer
    drawn only once is then removed unwritten, and a reload logs the user out.
    """
    _authenticator(key, username).cookie_controller.set_cookie()
    if st.session_state.get("set"):
        visit.get().cookie_pending = False
