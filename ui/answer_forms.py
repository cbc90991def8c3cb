"""The answers beside Confirm Session: edit date/time, offer times (and change or withdraw an offer), not the
best fit, cancel, reassign. Every rule is checked in lib; a form only collects what the person chose."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import streamlit as st

from lib.bookings import answers
from lib.bookings.detail import BookingDetail
from lib.bookings.reassign import REASSIGNABLE, reassign
from lib.core import clock
from lib.core.access import Actor
from lib.core.errors import BookingDeskError, InvalidInput
from lib.core.vocabulary import BookingStatus
from lib.people import directory
from ui import format as fmt
from ui import promises, time_request_panel, visit
from ui.visit import Visit


def _when_inputs(key: str, tz: str, label: str = "", start: datetime | None = None) -> datetime | None:
    """A date and a time, empty unless `start` is given. No minimum date: what the field shows is exactly what
    is submitted, and lib refuses a past or too-soon time with a message."""
    local = clock.local(start, tz) if start else None
    a, b = st.columns(2)
    day: date | None = a.date_input(f"{label}Date", value=local.date() if local else None, key=f"{key}_d",
                                    format="DD/MM/YYYY")
    at: time | None = b.time_input(f"{label}Time ({tz})", value=local.time() if local else None,
                                   step=timedelta(minutes=15), key=f"{key}_t")
    return clock.from_local(day, at, tz) if day and at else None


def _run(action, success: str) -> None:
    """Call lib; on success show the message after a rerun, on a known problem show it here."""
    try:
        action()
    except BookingDeskError as exc:
        st.error(exc.message, icon=":material/warning:")
    else:
        visit.get().once["flash"] = success
        st.rerun()


def agreed_time(me: Actor, d: BookingDetail, session_id: str) -> None:
    with st.form("reschedule_form"):
        when = _when_inputs("resched", me.timezone, "New ", d.starts_at)
        st.caption(("The session is confirmed at the new time" if d.is_open else "The session moves to the new "
                    "time") + " and the client is emailed an updated calendar invitation.")
        if st.form_submit_button("Confirm the new time", type="primary"):
            if when is None:
                st.error("Please choose the new date and time.", icon=":material/warning:")
                return
            _run(lambda: answers.reschedule_agreed(me, d.id, d.version, when, session_id),
                 f"Moved to {fmt.when(when, me.timezone)} and confirmed. "
                 + promises.email_line(d.client_name, "the updated invitation"))


def offer_form(me: Actor, d: BookingDetail, session_id: str) -> None:
    """Offer (or, while the client hasn't picked, change) up to three times: suggested free times are one
    click each; times of your own are empty until you fill them in."""
    changing = d.status == BookingStatus.AWAITING_CLIENT
    suggestions = answers.suggested_times(me, d.id)
    with st.form("offer_form"):
        st.caption("Offer one to three times. The client gets a private link, valid for 24 hours, to pick one. "
                   + ("Their session stays booked at its current time unless they pick one."
                      if d.status == BookingStatus.CONFIRMED else "Offered times count as busy meanwhile.")
                   + (" Sending new times replaces the current offer: its link stops working at once." if changing
                      else ""))
        labels = {t: fmt.when(t, me.timezone) for t in suggestions}
        if suggestions:
            picked = st.pills("Suggested free times (in your working hours, clear of other sessions)",
                              list(labels), selection_mode="multi", format_func=labels.__getitem__,
                              key="offer_suggested") or []
        else:
            picked = []
            st.info("No free times to suggest: no working hours are set for this therapist, or the next three "
                    "weeks are full. Choose times of your own below.", icon=":material/event_busy:")
        st.markdown("**Or choose times of your own**")
        own = [_when_inputs(f"offer{i}", me.timezone, f"Time {i + 1} · ") for i in range(3)]
        outside_ok = st.checkbox("Outside my usual hours — offer anyway", key="offer_outside_hours")
        if st.form_submit_button("Send the new times" if changing else "Send these times to the client",
                                 type="primary"):
            times = list(picked) + [t for t in own if t is not None]
            _run(lambda: answers.offer_times(me, d.id, d.version, times, session_id, outside_hours_ok=outside_ok),
                 ("Offer changed: the old link no longer works. " if changing else "Times offered. ")
                 + promises.email_line(d.client_name, "the private link to choose a time"))


def withdraw_form(me: Actor, d: BookingDetail, session_id: str) -> None:
    with st.form("withdraw_form"):
        st.caption("The offered times are taken back and their link stops working at once. The client is emailed "
                   "that you will answer their request again, and it returns to your new sessions.")
        if st.form_submit_button("Withdraw the offer"):
            _run(lambda: answers.withdraw_offer(me, d.id, d.version, session_id),
                 "Offer withdrawn; the request is back among the new sessions. "
                 + promises.email_line(d.client_name, "the email saying so"))


def not_fit(me: Actor, d: BookingDetail, session_id: str) -> None:
    with st.container(border=True), st.form("decline_form"):
        st.caption("The practice team will find the client another therapist; the client is told kindly.")
        reason = st.text_area("Why are you not the best fit? (required)", key="decline_reason", max_chars=2000)
        # Starts with what the client listed, so the therapist edits rather than retypes.
        issues = st.text_area("The issues the client presents", value=", ".join(d.assessment.help_with),
                              key="decline_issues", max_chars=2000)
        needed = st.text_area("What kind of help the client needs", key="decline_help", max_chars=2000)
        if st.form_submit_button("Decline and tell the practice team"):
            _run(lambda: answers.decline_not_fit(me, d.id, d.version, reason, issues, needed, session_id),
                 "Declined. It is on the practice team's list to find the client another therapist. "
                 + promises.email_line(d.client_name, "a kind note"))


def cancel(me: Actor, d: BookingDetail, v: Visit) -> None:
    """Collect the reason (and, under 48 hours, the refund decision); the dialog shows what will happen."""
    with st.container(border=True), st.form("cancel_form"):
        short = answers.is_short_notice(d.starts_at)
        refund = None
        if short:
            st.warning("This session is **less than 48 hours away**. Under the cancellation policy the "
                       "client may not get a refund — please record your decision.", icon=":material/hourglass_top:")
            refund = st.radio("Full refund for the client?", ["Yes, full refund", "No refund"],
                              key="cancel_refund", index=None)
            refund = None if refund is None else refund.startswith("Yes")
        else:
            st.caption("More than 48 hours away: the client gets a full refund.")
        reason = st.text_input("Reason (required)", key="cancel_reason", max_chars=500)
        if st.form_submit_button("Review the cancellation…"):
            if not reason.strip():
                st.error("Please write a reason.", icon=":material/warning:")
            elif short and refund is None:
                st.error("Please say whether the client gets a full refund.", icon=":material/warning:")
            else:
                v.cancel_for = (d.id, reason, refund)
                st.rerun()


@st.dialog("Cancel this session?", width="large", on_dismiss=lambda: setattr(visit.get(), "cancel_for", None))
def cancel_dialog(me: Actor, d: BookingDetail, v: Visit) -> None:
    _, reason, refund = v.cancel_for
    preview = answers.cancellation_preview(me, d.id, refund)
    st.markdown(f"**{preview.policy}**")
    st.markdown(f"{fmt.md_escape(d.client_name)} will be emailed this, with a calendar cancellation:")
    with st.container(border=True):
        st.markdown(f"**Subject:** {fmt.md_escape(preview.email.subject)}")
        st.text(preview.email.text)
    go, back = st.columns(2)
    if go.button("Cancel the session", type="primary", key="cancel_final", width="stretch"):
        v.cancel_for = None
        _run(lambda: answers.cancel(me, d.id, d.version, reason, refund, v.id),
             "Session cancelled. " + promises.email_line(d.client_name, "the cancellation email"))
    if back.button("Keep the session", key="cancel_back", width="stretch"):
        v.cancel_for = None
        st.rerun()


def reassign_form(me: Actor, d: BookingDetail, session_id: str) -> None:
    with st.container(border=True):
        options = [(tid, name) for tid, name in directory.choices(me) if tid != d.therapist_id]
        with st.form("reassign_form"):
            choice = st.selectbox("Therapist", options, format_func=lambda o: o[1], key="reassign_to", index=None)
            same = st.checkbox("Keep the same date and time", value=d.starts_at > clock.now(), key="reassign_same")
            when = _when_inputs("reassign", me.timezone, "New ", d.starts_at)
            if st.form_submit_button("Create the new session", type="primary"):
                def act():
                    if choice is None:
                        raise InvalidInput("Please choose a therapist.")
                    if not same and when is None:
                        raise InvalidInput("Please choose the new date and time, or keep the same ones.")
                    visit.get().once["new_session"] = reassign(me, d.id, choice[0], None if same else when,
                                                               session_id)

                _run(act, "Reassigned: a new unconfirmed session was created for the new therapist. "
                          + promises.email_line(choice[1] if choice else "the therapist", "the new-request alert"))


AGREED, OFFER = "Edit date/time (agreed with the client)", "Offer other times (I'm not available)"
CHANGE_OFFER, WITHDRAW = "Change the offered times", "Withdraw the offer"
NOT_FIT, CANCEL, REASSIGN = "Not the best fit", "Cancel session", "Reassign"
SAY_NO = "Say no (keep the current time)"


def other_answers(me: Actor, d: BookingDetail, v: Visit, client_asked: bool = False) -> None:
    """The answers other than Confirm Session; only the chosen one's form is drawn. `client_asked`: the client
    asked to move this booked session (ui.time_request_panel), which offering times or saying no answers."""
    session_id = v.id
    future = d.starts_at > clock.now()
    client_asked = client_asked and d.status == BookingStatus.CONFIRMED and future
    options = []
    if d.is_open or (d.status == BookingStatus.CONFIRMED and future):
        options.append(AGREED)
    if d.is_open:
        options += [OFFER, NOT_FIT]
    if client_asked:
        options += [OFFER, SAY_NO]
    if d.status == BookingStatus.AWAITING_CLIENT:
        options += [CHANGE_OFFER, WITHDRAW]
    if (d.is_open or d.status in ("confirmed", "awaiting_client")) and future:
        options.append(CANCEL)
    if me.is_manager and d.status in REASSIGNABLE:
        options.append(REASSIGN)
    if not options:
        return
    default = REASSIGN if d.status == BookingStatus.DECLINED and REASSIGN in options else None
    # Pills, not a radio: the same one choice (click again to close it), and the lighter element to draw.
    label = ("Or answer another way" if d.is_open else "Change the offer" if d.status == BookingStatus.AWAITING_CLIENT
             else "Answer the client's request" if client_asked else "Change this session")
    choice = st.pills(label, options, default=default, key="answer_choice")
    if choice == AGREED:
        agreed_time(me, d, session_id)
    elif choice in (OFFER, CHANGE_OFFER):
        offer_form(me, d, session_id)
    elif choice == SAY_NO:
        time_request_panel.say_no_form(me, d, session_id)
    elif choice == WITHDRAW:
        withdraw_form(me, d, session_id)
    elif choice == NOT_FIT:
        not_fit(me, d, session_id)
    elif choice == CANCEL:
        cancel(me, d, v)
    elif choice == REASSIGN:
        reassign_form(me, d, session_id)
    if v.cancel_for and v.cancel_for[0] == d.id:
        cancel_dialog(me, d, v)
