"""The login gate: our own form and checks (throttled, audited, two-step), a server-side record of each
sign-in (lib.people.sign_in_sessions), and streamlit-authenticator's re-login cookie, written and deleted
through its own cookie controller.

The cookie is read from the page request (st.context.cookies) and checked as the library checks it (its
HS256 token, its expiry), without building the library (which draws a cookie component on the page), and
before the gate picks the menu (ui.shell): a page opened afresh runs once, not once logged out and again."""
from __future__ import annotations

import time

import jwt
import streamlit as st
import streamlit_authenticator as stauth

from lib.core.access import Actor
from lib.core.errors import InvalidInput
from lib.people import auth, sign_in_sessions
from lib.practice import sign_in_rules
from ui import sign_in_steps, visit
from ui.visit import Visit

COOKIE_NAME = "booking_desk_auth"
COOKIE_DAYS = 1.0


def idle_minutes() -> float:
    return sign_in_rules.idle_minutes()


def browser_session() -> str:
    return visit.get().id


def _authenticator(key: str, username: str | None = None) -> stauth.Authenticate:
    """streamlit-authenticator, used for its re-login cookie only; passwords are checked by lib.people.auth.

    Built only when a cookie must be read, written or deleted: it renders a cookie component and
    loads credentials, which a logged-in rerun does not need.
    """
    # One per run: each draws the library's cookie component under a fixed key, so a second one in the same
    # run (reading a stale cookie, then writing the new one) is a duplicate element. Its cookie calls use the
    # signed-in name from session state, not these credentials.
    v = visit.get()
    if v.cookie_tool is None:
        people = auth.credentials(username) if username else {"usernames": {}}
        v.cookie_tool = stauth.Authenticate(people, COOKIE_NAME, key, COOKIE_DAYS, auto_hash=False,
                                            login_sleep_time=0)
    return v.cookie_tool


def _session_from_cookie(key: str) -> int | None:
    """The live sign-in this browser's re-login cookie belongs to. The cookie is the library's signed token
    (its name and an expiry time); that expiry time names the sign-in it was written for."""
    token = st.context.cookies.get(COOKIE_NAME)
    if not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
        if float(claims["exp_date"]) <= time.time():
            return None
        return sign_in_sessions.for_cookie(str(claims["username"]), float(claims["exp_date"]))
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        return None


def _clear(v: Visit) -> None:
    for k in ("authentication_status", "username", "name", "roles"):
        st.session_state[k] = None
    v.checked, v.username, v.actor, v.actor_checked_at, v.last_seen = False, None, None, 0.0, None
    v.sign_in_session, v.pending, v.enrol_secret, v.shown_codes = None, None, None, None


def _start_session(v: Visit, actor: Actor) -> None:
    st.session_state.update({  # for streamlit-authenticator
        "authentication_status": True, "username": actor.username, "name": actor.name, "roles": [actor.role],
        "logout": None,
    })
    v.checked, v.username, v.actor, v.actor_checked_at, v.last_seen = True, actor.username, actor, time.time(), time.time()
    v.logged_out, v.notice = False, None


def looks_logged_in() -> bool:
    """This browser session logged in earlier (current_actor still checks idle time and the user)."""
    return visit.get().checked


def signed_in_by_cookie(key: str) -> Actor | None:
    """Sign this browser session in from its re-login cookie, drawing nothing else: only while the sign-in it
    was written for is live on the server (the library's own check would accept a copied cookie of a sign-in
    that has ended). None when there is no such sign-in (or it was done already)."""
    v = visit.get()
    if v.checked or v.logged_out or v.pending is not None:
        return None
    session_id = _session_from_cookie(key)
    actor = sign_in_sessions.live(session_id, v.id)
    if actor is not None:
        v.sign_in_session = session_id
        _start_session(v, actor)
    return actor


def _idle(v: Visit) -> bool:
    """Longer than the practice's idle time since this browser's last click (never when not yet seen)."""
    return v.last_seen is not None and time.time() - v.last_seen > idle_minutes() * 60


def still_signed_in() -> bool:
    """For a fragment's own rerun, which skips the gate: this browser's sign-in is live and not idle. When it
    is not, or the person has changed since the page ran (a new role, name or time zone), the caller reruns
    the whole page, and the gate says why (idle, or ended elsewhere) or draws it afresh."""
    v = visit.get()
    if not v.checked or _idle(v):
        return False
    if sign_in_sessions.live(v.sign_in_session, v.id) != v.actor:
        return False
    v.last_seen = time.time()
    return True


def current_actor(key: str, demo: bool) -> Actor | None:
    """The logged-in user, or None after drawing the login form."""
    v = visit.get()
    signed_in_by_cookie(key)
    if v.checked:
        if _idle(v):
            log_out("You were logged out after a period of inactivity.", reason="idle")
        else:
            # Asked on every run: a sign-in ended elsewhere (sign out everywhere else, a deactivation, a
            # password change) is out on its next click; a role change shows on the next click too.
            actor = sign_in_sessions.live(v.sign_in_session, v.id)
            if actor is not None:
                v.actor, v.last_seen = actor, time.time()
                if v.cookie_pending:
                    _write_cookie(key, actor.username)
                return actor
            username = v.username
            _clear(v)
            v.notice, v.forget_cookie = "You were signed out: this sign-in has ended. Please sign in again.", username
    if forget := v.forget_cookie:  # after logging out: this browser's copy goes too
        v.forget_cookie = None
        _authenticator(key, forget).cookie_controller.delete_cookie()
    return _login_form(key, demo)


def log_out(notice: str = "You have logged out.", reason: str = "signed_out") -> None:
    """End this browser's sign-in on the server, so its cookie (and any copy) stops working; the person's
    other sign-ins stay (the Log out page, and the idle timeout).

    The browser's copy of the cookie is deleted on the login form's run that follows (deleting needs a
    component drawn in a run that is not cut short); it is refused from now on either way.
    """
    v = visit.get()
    username = v.username
    if v.sign_in_session is not None:
        sign_in_sessions.end_session(v.sign_in_session, reason, v.id)
    auth.record_logout(username, v.id)
    _clear(v)
    st.session_state["logout"] = True  # for streamlit-authenticator
    v.logged_out, v.notice, v.forget_cookie = True, notice, username


def account_section(actor: Actor) -> str:
    """The menu heading above Log out, saying who is signed in."""
    return f"Signed in as {actor.name}"


def _take_attempt() -> None:
    """The Log in button's callback: the attempt leaves the widgets, and the password field is emptied."""
    ss = st.session_state
    ss["bd_login_attempt"] = (ss.get("bd_login_user") or "", ss.get("bd_login_password") or "")
    ss["bd_login_password"] = ""


def _login_form(key: str, demo: bool) -> Actor | None:
    box = st.empty()
    v = visit.get()
    passed, submitted = None, False
    with box.container():
        left, mid, right = st.columns([1, 2, 1])
        with mid:
            st.title("Booking Desk")
            st.caption("New session requests, answered quickly and safely.")
            if notice := v.notice:  # kept until the next login (cookie reruns)
                st.info(notice)
            if v.pending is not None:
                passed = sign_in_steps.draw_pending(v.pending)
            elif v.forgot:
                sign_in_steps.draw_forgot()
            else:
                # Not cleared on submit: a failed attempt keeps the username; the password is emptied by the
                # button's callback (before the form is drawn), which takes the attempt out of the widgets.
                with st.form("bd_login"):
                    st.text_input("Username", key="bd_login_user", autocomplete="username")
                    st.text_input("Password", type="password", key="bd_login_password",
                                  autocomplete="current-password")
                    st.form_submit_button("Log in", type="primary", width="stretch", on_click=_take_attempt)
                attempt = st.session_state.pop("bd_login_attempt", None)
                submitted = attempt is not None
                error = st.empty()
                if st.button("Forgot your password?", type="tertiary", key="bd_forgot_open"):
                    v.forgot = True
                    st.rerun()
                if demo:
                    st.info("**Demo data is loaded.** Log in as `alice` or `bob` (therapists) or `morgan` "
                            "(practice manager), password `booking-desk-demo`.", icon=":material/science:")
    # Finished outside the box: emptying it from inside its own container breaks the page in the browser.
    if passed is not None:
        return _finish(v, passed, box, key)
    if not submitted:
        return None
    username, password = attempt
    try:
        actor = auth.verify_login(username, password, browser_session(), record=False)
    except InvalidInput as exc:
        error.error(exc.message)
        return None
    if (pending := sign_in_steps.after_password(actor)) is not None:
        v.pending = pending
        st.rerun()
    return _finish(v, actor, box, key)


def _finish(v: Visit, actor: Actor, box, key: str) -> Actor:
    """Every step passed: the server records the sign-in, and this browser gets its cookie."""
    v.pending = None
    st.session_state.pop("bd_login_user", None)  # kept only across failed attempts, not for the next person
    v.sign_in_session = sign_in_sessions.start(actor.id, browser=sign_in_steps.browser_name(),
                                               address=sign_in_steps.client_address(), browser_session=v.id)
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
    v = visit.get()
    cookies = _authenticator(key, username).cookie_controller
    cookies.set_cookie()
    if v.sign_in_session is not None and (expires := cookies.cookie_model.exp_date):
        sign_in_sessions.cookie_written(v.sign_in_session, float(expires))
    if st.session_state.get("set"):
        v.cookie_pending = False
