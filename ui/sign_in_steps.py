"""The sign-in steps after the password: the two-step code, or setting two-step up when the practice
requires it (with the recovery codes shown once); and "Forgot your password?"."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import streamlit as st

from lib.core.access import Actor
from lib.core.errors import InvalidInput
from lib.people import password_changes, two_step
from lib.practice import sign_in_rules
from ui import promises, visit

PENDING_SECONDS = 10 * 60  # a sign-in left half-way through starts again with the password


@dataclass
class Pending:
    actor: Actor
    step: str  # code | enrol | codes
    started: float = field(default_factory=time.time)
    secret: str | None = None
    codes: list[str] | None = None


def client_address() -> str | None:
    address = getattr(st.context, "ip_address", None)
    return address if isinstance(address, str) else None  # None where there is no browser (tests)


def browser_name() -> str:
    """'Chrome on Windows' from the User-Agent header (a label for the sessions list, not a security check)."""
    agent = st.context.headers.get("User-Agent") if hasattr(st.context, "headers") else None
    agent = agent if isinstance(agent, str) else ""
    browser = next((name for token, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                             ("Safari/", "Safari")) if token in agent), "A browser")
    system = next((name for token, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                                            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Linux", "Linux"))
                   if token in agent), None)
    if "HeadlessChrome" in agent:
        browser = "Chrome"
    return f"{browser} on {system}" if system else browser


def after_password(actor: Actor) -> Pending | None:
    """What the person must still do after a right password: None when nothing."""
    if two_step.is_on(actor.id):
        return Pending(actor, "code")
    if sign_in_rules.current().two_step_required_for(actor.role):
        return Pending(actor, "enrol", secret=two_step.new_secret())
    return None


def draw_pending(pending: Pending) -> Actor | None:
    """Draw the step; the actor once every step is done."""
    v = visit.get()
    if time.time() - pending.started > PENDING_SECONDS:
        v.pending, v.notice = None, "That sign-in took too long; please start again."
        st.rerun()
    if pending.step == "code":
        return _code_step(pending)
    if pending.step == "enrol":
        _enrol_step(pending)
        return None
    return _codes_step(pending)


def _code_step(pending: Pending) -> Actor | None:
    st.subheader("Two-step sign-in")
    st.write("Type the 6-digit code from your authenticator app, or one of your recovery codes.")
    with st.form("bd_two_step", clear_on_submit=True):
        code = st.text_input("Code", key="bd_two_step_code", autocomplete="one-time-code", max_chars=12)
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
    if st.button("Start again", key="bd_two_step_cancel"):
        visit.get().pending = None
        st.rerun()
    if not submitted:
        return None
    try:
        two_step.check_code(pending.actor.username, code, visit.get().id)
    except InvalidInput as exc:
        st.error(exc.message)
        return None
    return pending.actor


def show_enrolment(username: str, secret: str) -> None:
    """The QR code and the secret to type (also used in /settings)."""
    enrolment = two_step.enrolment_for(username, secret)
    qr, words = st.columns([1, 2])
    with qr:
        st.image(enrolment.qr_png, caption="Scan with your authenticator app", width=200)
    with words:
        st.write("1. Open an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, "
                 "1Password, …) and scan this QR code, or type this key:")
        st.code(" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), language=None)
        st.write("2. Type the 6-digit code the app shows to confirm.")


def _enrol_step(pending: Pending) -> None:
    st.subheader("Set up two-step sign-in")
    st.info("The practice asks you to use two-step sign-in: a code from your phone as well as your password.",
            icon=":material/phonelink_lock:")
    show_enrolment(pending.actor.username, pending.secret)
    with st.form("bd_enrol", clear_on_submit=True):
        code = st.text_input("6-digit code", key="bd_enrol_code", autocomplete="one-time-code", max_chars=8)
        submitted = st.form_submit_button("Turn on two-step sign-in", type="primary")
    if submitted:
        try:
            pending.codes = two_step.turn_on(pending.actor.id, pending.secret, code, visit.get().id)
        except InvalidInput as exc:
            st.error(exc.message)
            return
        pending.step, pending.secret = "codes", None
        st.rerun()


def show_codes(codes: list[str]) -> None:
    st.success("Two-step sign-in is on.", icon=":material/check_circle:")
    st.warning("**Save these 10 recovery codes now** (a password manager, or print them). Each works once in "
               "place of a code if you lose your phone. They won't be shown again.", icon=":material/key:")
    st.code("\n".join(codes), language=None)


def _codes_step(pending: Pending) -> Actor | None:
    show_codes(pending.codes or [])
    if st.button("I've saved my recovery codes: continue", type="primary", key="bd_codes_saved"):
        return pending.actor
    return None


def draw_forgot() -> None:
    """'Forgot your password?': the same words whether or not the address has an account."""
    st.subheader("Forgot your password?")
    st.write("Type the email address of your Booking Desk account. We'll email you a link to choose a new password.")
    with st.form("bd_forgot", clear_on_submit=True):
        email = st.text_input("Email address", key="bd_forgot_email", autocomplete="email")
        submitted = st.form_submit_button("Email me a link", type="primary", width="stretch")
    if st.button("Back to sign in", key="bd_forgot_back"):
        visit.get().forgot = False
        st.rerun()
    if submitted and not promises.ready("email"):
        st.warning("Email is not set up on this server, so we can't email you a link. Please ask a practice "
                   "manager to help.", icon=":material/mail_lock:")
    elif submitted:
        try:
            st.success(password_changes.forgot(email, client_address(), visit.get().id),
                       icon=":material/mark_email_read:")
        except InvalidInput as exc:
            st.error(exc.message)
