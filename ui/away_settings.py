"""Time away: set in /settings by a therapist, or by a manager on a therapist's behalf; the away banner on
the dashboard. The rules (who may, what counts) are in lib.bookings.away."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import streamlit as st

from lib.bookings import away
from lib.core import clock
from lib.core.access import Actor
from lib.core.errors import BookingDeskError
from lib.people import directory
from ui import format as fmt


def _day(value: datetime, tz: str) -> str:
    return f"{clock.local(value, tz):%a %-d %b %Y}"


def _until(value: datetime, tz: str) -> str:
    """'until the end of Mon 30 Nov 2026' for a period set in whole days (it ends at midnight, which is the
    next day's 00:00); otherwise the exact time ('until Sat 12 Dec 2026, 05:20 GMT')."""
    local = clock.local(value, tz)
    if (local.hour, local.minute) == (0, 0):
        return f"until the end of {_day(value - timedelta(seconds=1), tz)}"
    return f"until {fmt.when(value, tz)}"


def banner(me: Actor) -> None:
    """The dashboard's away banner: a therapist's own; a manager sees who is away now."""
    now_away = away.away_now(me)
    if not now_away:
        return
    if not me.is_manager:
        a = now_away[0]
        st.info(f"**You are away {_until(a.ends_at, me.timezone)}.** New requests for you go "
                "straight to the practice team, and no reminders are sent to you. Change this in Settings.",
                icon=":material/beach_access:")
        return
    st.info("**Away now:** " + "; ".join(f"{fmt.md_escape(a.therapist_name)} ({_until(a.ends_at, me.timezone)})"
                                         for a in now_away)
            + ". Their new requests come to the practice team's list.", icon=":material/beach_access:")


def section(me: Actor) -> None:
    """Add, list and end away periods."""
    st.subheader("Time away")
    st.caption("While you are away, new requests for you go straight to the practice team's list, no reminders "
               "or escalations are sent about them, and clients are told the practice team will be in touch.")
    therapist_id = me.id
    if me.is_manager:
        names = dict(directory.choices(me))
        if not names:
            return
        therapist_id = st.selectbox("Therapist", list(names), format_func=names.__getitem__, key="away_therapist")
    if done := st.session_state.pop("bd_away_done", None):
        st.success(done, icon=":material/check_circle:")
    for a in away.periods(me, therapist_id):
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].markdown(f"**From {fmt.when(a.starts_at, me.timezone)}, {_until(a.ends_at, me.timezone)}**"
                         + (f"  \n:gray[{fmt.md_escape(a.note)}]" if a.note else ""))
        if cols[1].button("End now" if a.starts_at <= clock.now() else "Remove", key=f"away_end_{a.id}"):
            _run(lambda a=a: away.end_away(me, a.id), "Time away ended." if a.starts_at <= clock.now() else
                 "Time away removed.")
    with st.form("away_form"):
        a, b = st.columns(2)
        first = a.date_input("Away from (first day)", value=None, key="away_from", format="DD/MM/YYYY")
        last = b.date_input("Last day away", value=None, key="away_to", format="DD/MM/YYYY")
        note = st.text_input("Note for the practice team (optional)", key="away_note", max_chars=1000)
        if st.form_submit_button("Add time away"):
            start = clock.from_local(first, time(0), me.timezone) if first else None
            end = clock.from_local(last + timedelta(days=1), time(0), me.timezone) if last else None
            _run(lambda: away.set_away(me, therapist_id, start, end, note),
                 "Time away added." + (" New requests will go to the practice team meanwhile." if start else ""))


def _run(action, done: str) -> None:
    try:
        action()
    except BookingDeskError as exc:
        st.error(exc.message, icon=":material/warning:")
    else:
        st.session_state["bd_away_done"] = done
        st.rerun()
