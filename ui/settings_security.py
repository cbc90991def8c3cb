"""The security sections of /settings: your password, two-step sign-in, where you are signed in; and, for
managers, the practice's sign-in rules."""
from __future__ import annotations

import streamlit as st

from lib.core.access import Actor
from lib.core.errors import BookingDeskError, InvalidFields, InvalidInput
from lib.people import password_changes, sign_in_sessions, two_step
from lib.people.passwords import MIN_LENGTH
from lib.practice import sign_in_rules
from ui import format as fmt
from ui import sign_in_steps, visit
from ui.settings_form import field_error


def _flash(key: str) -> None:
    if done := st.session_state.pop(f"bd_sec_done_{key}", None):
        st.success(done, icon=":material/check_circle:")
    if problem := st.session_state.pop(f"bd_sec_error_{key}", None):
        st.error(problem, icon=":material/error:")


def _run(key: str, action, done: str) -> None:
    try:
        action()
    except BookingDeskError as exc:
        st.session_state[f"bd_sec_error_{key}"] = exc.message
    else:
        st.session_state[f"bd_sec_done_{key}"] = done
    st.rerun()


def sections(me: Actor) -> None:
    v = visit.get()
    st.divider()
    password_section(me, v)
    st.divider()
    two_step_section(me, v)
    st.divider()
    sessions_section(me, v)


def password_section(me: Actor, v: visit.Visit) -> None:
    st.subheader("Your password")
    _flash("password")
    with st.form("bd_change_password", clear_on_submit=True):
        a, b, c = st.columns(3)
        current = a.text_input("Current password", type="password", key="bd_pw_current",
                               autocomplete="current-password")
        new = b.text_input("New password", type="password", key="bd_pw_new", autocomplete="new-password",
                           help=f"At least {MIN_LENGTH} characters and hard to guess: a few unrelated words work well.")
        again = c.text_input("New password again", type="password", key="bd_pw_again", autocomplete="new-password")
        submitted = st.form_submit_button("Change my password")
    if submitted:
        if new != again:
            st.session_state["bd_sec_error_password"] = "The two new passwords are different; nothing was changed."
            st.rerun()
        _run("password", lambda: password_changes.change_mine(me, current, new, v.sign_in_session, v.id),
             "Your password is changed, and you were signed out everywhere else.")


def two_step_section(me: Actor, v: visit.Visit) -> None:
    st.subheader("Two-step sign-in")
    _flash("two_step")
    if v.shown_codes:
        sign_in_steps.show_codes(v.shown_codes)
        if st.button("I've saved my recovery codes", type="primary", key="bd_codes_done"):
            v.shown_codes = None
            st.rerun()
        return
    required = sign_in_rules.current().two_step_required_for(me.role)
    if two_step.is_on(me.id):
        left = two_step.recovery_codes_left(me)
        st.write(f"**On.** You sign in with your password and a code from your authenticator app. "
                 f"You have {left} unused recovery code{'s' if left != 1 else ''}.")
        a, b = st.columns(2)
        if a.button("Make new recovery codes", key="bd_codes_new"):
            try:
                v.shown_codes = two_step.new_recovery_codes(me, v.id)
            except BookingDeskError as exc:
                st.session_state["bd_sec_error_two_step"] = exc.message
            st.rerun()
        with b:
            if required:
                st.caption("The practice requires two-step sign-in for you, so it stays on.")
            else:
                with st.form("bd_two_step_off", clear_on_submit=True):
                    code = st.text_input("A current code, to turn it off", key="bd_off_code",
                                         autocomplete="one-time-code")
                    if st.form_submit_button("Turn off two-step sign-in"):
                        _run("two_step", lambda: two_step.turn_off(me, code, required, v.id),
                             "Two-step sign-in is off.")
        return
    st.write("**Off.** " + ("The practice requires it: you'll be asked to set it up next time you sign in. "
                            if required else "") +
             "With it on, signing in needs a code from your phone as well as your password.")
    if v.enrol_secret is None:
        if st.button("Set up two-step sign-in", type="primary", key="bd_enrol_start"):
            v.enrol_secret = two_step.new_secret()
            st.rerun()
        return
    sign_in_steps.show_enrolment(me.username, v.enrol_secret)
    with st.form("bd_enrol_settings", clear_on_submit=True):
        code = st.text_input("6-digit code", key="bd_enrol_settings_code", autocomplete="one-time-code")
        submitted = st.form_submit_button("Turn on two-step sign-in", type="primary")
    if st.button("Cancel", key="bd_enrol_cancel"):
        v.enrol_secret = None
        st.rerun()
    if submitted:
        try:
            v.shown_codes = two_step.turn_on(me.id, v.enrol_secret, code, v.id)
        except InvalidInput as exc:
            st.error(exc.message)
            return
        v.enrol_secret = None
        st.rerun()


def sessions_section(me: Actor, v: visit.Visit) -> None:
    st.subheader("Where you're signed in")
    _flash("sessions")
    found = sign_in_sessions.mine(me, v.sign_in_session)
    rules = sign_in_rules.current()
    st.caption(f"A sign-in ends after {rules.idle_minutes:g} minutes without use, and {rules.lifetime_hours:g} hours "
               "after it began at the latest.")
    for s in found:
        words, button = st.columns([4, 1], vertical_alignment="center")
        words.markdown(f"**{fmt.md_escape(s.browser)}**{' · this browser' if s.this_browser else ''}  \n"
                       + (f"from {fmt.md_escape(s.address)} · " if s.address else "")
                       + f"signed in {fmt.when(s.started_at, me.timezone)} · "
                       f"last seen {fmt.when(s.last_seen_at, me.timezone)}")
        if not s.this_browser and button.button("Sign out", key=f"bd_end_{s.id}"):
            _run("sessions", lambda s=s: sign_in_sessions.sign_out_one(me, s.id, v.id), "That browser is signed out.")
    if len(found) > 1 and st.button("Sign out everywhere else", key="bd_end_others", icon=":material/logout:"):
        _run("sessions", lambda: sign_in_sessions.sign_out_everywhere_else(me, v.sign_in_session, v.id),
             "You're signed out everywhere except this browser.")


def rules_section(me: Actor) -> None:
    """Managers: who must use two-step sign-in, and the longest a sign-in may last."""
    st.subheader("Sign-in rules for the practice")
    _flash("rules")
    errors = st.session_state.pop("bd_rules_errors", {})
    rules = sign_in_rules.current()
    choices = list(sign_in_rules.TWO_STEP_CHOICES)
    with st.form("bd_sign_in_rules"):
        a, b = st.columns(2)
        required = a.selectbox("Two-step sign-in is required for", choices, index=choices.index(rules.two_step_required),
                               format_func=sign_in_rules.TWO_STEP_CHOICES.get, key="bd_rules_two_step",
                               help="People without it are walked through setting it up right after their password.")
        field_error(errors, "two_step_required")
        hours = b.number_input("Longest sign-in (hours), however busy", min_value=1.0,
                               max_value=float(sign_in_rules.MAX_LIFETIME_HOURS), value=float(rules.lifetime_hours),
                               step=1.0, key="bd_rules_lifetime")
        field_error(errors, "lifetime_hours")
        submitted = st.form_submit_button("Save the sign-in rules")
    if submitted:
        try:
            sign_in_rules.update(me, two_step_required=required, lifetime_hours=hours)
        except InvalidFields as exc:
            st.session_state["bd_rules_errors"] = exc.errors
            st.session_state["bd_sec_error_rules"] = exc.message
        else:
            st.session_state["bd_sec_done_rules"] = "The sign-in rules are saved."
        st.rerun()
