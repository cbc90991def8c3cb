"""The answers beside Confirm Session: edit date/time, offer times, not the best fit, cancel, reassign."""
from __future__ import annotations

from datetime import date, time, timedelta

import streamlit as st

from lib import answers, bookings, clock
from lib.auth import Actor
from lib.session_view import BookingDetail
from lib.errors import BookingDeskError, InvalidInput
from lib.reassign import REASSIGNABLE, reassign
from ui import format as fmt, visit
from ui.visit import Visit


def _when_inputs(key: str, d: BookingDetail, tz: str, label: str = "") -> tuple[date, time]:
    start = clock.local(d.starts_at, tz)
    a, b = st.columns(2)
    day = a.date_input(f"{label}Date", value=start.date(), min_value=clock.local(clock.now(), tz).date(),
                       key=f"{key}_d", format="DD/MM/YYYY")
    at = b.time_input(f"{label}Time ({tz})", value=start.time(), step=timedelta(minutes=15), key=f"{key}_t")
    return day, at


def _run(action, success: str) -> None:
    """Call lib; on success show the message after a rerun, on a known problem show it here."""
    try:
        action()
    except BookingDeskError as exc:
        st.error(exc.message, icon=":material/warning:")
    else:
        visit.get().once["flash"] = success
        st.rerun()


def edit_time(me: Actor, d: BookingDetail, session_id: str, agreed_only: bool = False) -> None:
    with st.container(border=True):
        modes = ["A new time agreed with the client", "I'm not available — offer other times"]
        mode = modes[0] if agreed_only else st.radio("What happened?", modes, key="edit_mode")
        if mode.startswith("A new time"):
            with st.form("reschedule_form"):
                day, at = _when_inputs("resched", d, me.timezone, "New ")
                st.caption("The session is confirmed at the new time and the client is emailed an updated "
                           "calendar invitation.")
                if st.form_submit_button("Confirm the new time", type="primary"):
                    when = clock.from_local(day, at, me.timezone)
                    _run(lambda: answers.reschedule_agreed(me, d.id, d.version, when, session_id),
                         f"Moved to {fmt.when(when, me.timezone)} and confirmed. The client will be emailed.")
        else:
            with st.form("offer_form"):
                st.caption("Offer one to three times. The client gets a private link, valid for 24 hours, to "
                           "pick one. Offered times count as busy meanwhile.")
                picks = []
                for i in range(3):
                    use = st.checkbox(f"Offer time {i + 1}", value=i == 0, key=f"offer_use_{i}")
                    day, at = _when_inputs(f"offer{i}", d, me.timezone, f"Option {i + 1} · ")
                    if use:
                        picks.append(clock.from_local(day, at, me.timezone))
                if st.form_submit_button("Send these times to the client", type="primary"):
                    _run(lambda: answers.offer_times(me, d.id, d.version, picks, session_id),
                         "Times offered. The client has been sent a private link to choose one.")


def not_fit(me: Actor, d: BookingDetail, session_id: str) -> None:
    with st.container(border=True):
        with st.form("decline_form"):
            st.caption("The practice team will find the client another therapist; the client is told kindly.")
            reason = st.text_area("Why are you not the best fit? (required)", key="decline_reason", max_chars=2000)
            issues = st.text_area("The issues the client presents", key="decline_issues", max_chars=2000)
            needed = st.text_area("What kind of help the client needs", key="decline_help", max_chars=2000)
            if st.form_submit_button("Decline and tell the practice team"):
                _run(lambda: answers.decline_not_fit(me, d.id, d.version, reason, issues, needed, session_id),
                     "Declined. The practice team will find the client another therapist.")


def cancel(me: Actor, d: BookingDetail, session_id: str) -> None:
    with st.container(border=True):
        with st.form("cancel_form"):
            short = answers.is_short_notice(d.starts_at)
            refund = None
            if short:
                st.warning("This session is **less than 48 hours away**. Under the cancellation policy the "
                           "client may not get a refund — please record your decision.", icon=":material/hourglass_top:")
                refund = st.radio("Full refund for the client?", ["Yes, full refund", "No refund"],
                                  key="cancel_refund", index=None)
                refund = None if refund is None else refund.startswith("Yes")
            reason = st.text_input("Reason (required)", key="cancel_reason", max_chars=500)
            if st.form_submit_button("Cancel this session"):
                _run(lambda: answers.cancel(me, d.id, d.version, reason, refund, session_id),
                     "Session cancelled. The client will be emailed.")


def reassign_form(me: Actor, d: BookingDetail, session_id: str) -> None:
    with st.container(border=True):
        options = [(tid, name) for tid, name in bookings.therapists(me) if tid != d.therapist_id]
        with st.form("reassign_form"):
            choice = st.selectbox("Therapist", options, format_func=lambda o: o[1], key="reassign_to", index=None)
            same = st.checkbox("Keep the same date and time", value=d.starts_at > clock.now(), key="reassign_same")
            day, at = _when_inputs("reassign", d, me.timezone, "New ")
            if st.form_submit_button("Create the new session", type="primary"):
                when = None if same else clock.from_local(day, at, me.timezone)

                def act():
                    if choice is None:
                        raise InvalidInput("Please choose a therapist.")
                    visit.get().once["new_session"] = reassign(me, d.id, choice[0], when, session_id)

                _run(act, "Reassigned: a new unconfirmed session was created for the new therapist, who has "
                          "been notified.")


EDIT, NOT_FIT, CANCEL, REASSIGN = "Edit date/time", "Not the best fit", "Cancel session", "Reassign"


def other_answers(me: Actor, d: BookingDetail, v: Visit) -> None:
    """The answers other than Confirm Session; only the chosen one's form is drawn."""
    session_id = v.id
    future = d.starts_at > clock.now()
    options = []
    if d.is_open or (d.status == "confirmed" and future):
        options.append(EDIT)
    if d.is_open:
        options.append(NOT_FIT)
    if (d.is_open or d.status in ("confirmed", "awaiting_client")) and future:
        options.append(CANCEL)
    if me.is_manager and d.status in REASSIGNABLE:
        options.append(REASSIGN)
    if not options:
        return
    default = REASSIGN if d.status == "declined" and REASSIGN in options else None
    # Pills, not a radio: the same one choice (click again to close it), and the lighter element to draw.
    choice = st.pills("Or answer another way" if d.is_open else "Change this session", options, default=default,
                      key="answer_choice")
    if choice == EDIT:
        edit_time(me, d, session_id, agreed_only=not d.is_open)
    elif choice == NOT_FIT:
        not_fit(me, d, session_id)
    elif choice == CANCEL:
        cancel(me, d, session_id)
    elif choice == REASSIGN:
        reassign_form(me, d, session_id)
