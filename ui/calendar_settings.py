"""/settings: your calendar, both ways — the private feed of your sessions, and busy times from your own
calendar. The rules are in lib.calendars.feed and lib.calendars.busy; reading a calendar never happens on this
page's path (it runs on a thread of its own), so a slow calendar server can't hold the page up."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from lib.calendars import busy
from lib.calendars import feed as calendar_feed
from lib.core import clock
from lib.core.access import Actor
from lib.core.errors import BookingDeskError
from ui import format as fmt
from ui.current import browser_session

FEED_URL = "bd_calendar_feed_url"  # the address just made: shown in this browser session only (only a hash is kept)


def _flash(key: str) -> None:
    if done := st.session_state.pop(f"bd_cal_done_{key}", None):
        st.success(done, icon=":material/check_circle:")
    if problem := st.session_state.pop(f"bd_cal_error_{key}", None):
        st.error(problem, icon=":material/error:")


def _run(key: str, action, done: str | None) -> None:
    try:
        action()
    except BookingDeskError as exc:
        st.session_state[f"bd_cal_error_{key}"] = exc.message
    else:
        if done:
            st.session_state[f"bd_cal_done_{key}"] = done
    st.rerun()


def section(me: Actor) -> None:
    st.divider()
    st.subheader("Your calendar")
    feed_section(me)
    busy_section(me)


def feed_section(me: Actor) -> None:
    st.markdown("**Your sessions in your calendar app**")
    st.caption("A private address to subscribe to in Google, Apple or Outlook calendar: confirmed sessions, "
               "requests awaiting your answer and times you offered (as tentative), and cancellations. Clients "
               "appear by first name and initial only; nothing from their assessment is in it.")
    _flash("feed")

    def make() -> None:
        st.session_state[FEED_URL] = calendar_feed.new_address(me, browser_session())

    feed = calendar_feed.feed_status(me)
    made_at = feed.made_at
    if url := st.session_state.get(FEED_URL):
        st.code(url, language=None, wrap_lines=True)
        st.caption(":material/content_copy: Copy it now (the copy button by the address, or select it). Booking Desk "
                   "keeps only a fingerprint of it, so it can't show it again; if you lose it, reset it. Google: "
                   "Other calendars → + → From URL. Apple: File → New Calendar Subscription. Outlook: Add "
                   "calendar → Subscribe from web. Calendar apps refresh it every few hours at most.")
        if st.button("I've copied it", key="cal_feed_hide"):
            st.session_state.pop(FEED_URL, None)
            st.rerun()
    elif made_at:
        read = (f"A calendar app last read it {fmt.when(feed.read_at, me.timezone)}" if feed.read_at
                else "No calendar app has read it yet")
        st.markdown(f":green-badge[:material/event: On] Your private address was made "
                    f"{fmt.when(made_at, me.timezone)}. {read}. Keep it to yourself: anyone with it can see your "
                    "sessions' times and clients' first names; if it may have been shared, reset it.")
    if made_at:
        row = st.container(horizontal=True)
        if row.button("Reset the address", key="cal_feed_reset",
                    help="Makes a new address; the old one stops working at once (for example if it was shared)."):
            _run("feed", make, "A new address is made; the old one no longer works. Subscribe with the new one.")
        if row.button("Turn the feed off", key="cal_feed_off"):
            st.session_state.pop(FEED_URL, None)
            _run("feed", lambda: calendar_feed.turn_off(me, browser_session()),
                 "The calendar feed is off; its address no longer works.")
    elif st.button("Make my private calendar address", key="cal_feed_make", type="primary"):
        _run("feed", make, None)


def _status_md(status: busy.BusyStatus, tz: str) -> str:
    if not status.connected:
        return (":gray-badge[Not connected] Booking Desk knows only the sessions booked here. Paste your own "
                "calendar's secret address so your other appointments count as busy.")
    where = f" ({fmt.md_escape(status.where)})" if status.where else ""
    if status.waiting:
        return f":blue-badge[:material/sync: Reading] Reading your calendar{where} now…"
    if status.fetched_at is None:
        return f":red-badge[:material/error: Not read yet] Your calendar{where} could not be read yet."
    count = f"{status.count} busy time{'s' if status.count != 1 else ''} in the next 180 days"
    ago = ("just now" if clock.now() - status.fetched_at < timedelta(minutes=1)
           else fmt.ago(status.fetched_at, clock.now()))
    return (f":green-badge[:material/event_busy: Connected] Your calendar{where} was last read "
            f"{fmt.when(status.fetched_at, tz)} ({ago}): {count}. "
            "It is read again every 15 minutes.")


def busy_section(me: Actor) -> None:
    st.markdown("**Busy times from your own calendar**")
    st.caption("Times you are busy in your own calendar count when you confirm, offer or move a session, and in "
               "the suggested free times. Only when you are busy is kept — never what the appointment is.")
    _flash("busy")
    status = busy.status(me)

    @st.fragment(run_every=2 if status.waiting else None)
    def live_status() -> None:
        now = busy.status(me)
        st.markdown(_status_md(now, me.timezone))
        if now.error and not now.waiting:
            when = f" (tried {fmt.when(now.tried_at, me.timezone)})" if now.tried_at else ""
            st.warning(f"The last read failed{when}: {now.error}", icon=":material/warning:")
        if status.waiting and not now.waiting:
            st.rerun()  # read: draw the whole section afresh (and stop asking)

    live_status()
    with st.form("cal_busy_form", clear_on_submit=True):
        url = st.text_input("Your calendar's secret address (iCal format)", type="password", key="cal_busy_url",
                            placeholder="https://calendar.google.com/calendar/ical/…/basic.ics",
                            help="Google Calendar: Settings → your calendar → “Secret address in iCal format”. "
                                 "Outlook: Settings → Shared calendars → Publish a calendar → ICS. iCloud: share "
                                 "the calendar as a public calendar and copy its webcal:// link.")
        label = "Save a new address and read it" if status.connected else "Save and read it now"
        if st.form_submit_button(label):
            _run("busy", lambda: busy.save_url(me, url, browser_session()),
                 "Saved. Your calendar is being read now; this section shows the result in a moment.")
    if status.connected:
        row = st.container(horizontal=True)
        if row.button("Read it again now", key="cal_busy_again"):
            _run("busy", lambda: busy.read_again(me), None)
        if row.button("Disconnect my calendar", key="cal_busy_remove"):
            _run("busy", lambda: busy.remove_url(me, browser_session()),
                 "Disconnected: your calendar's address and every busy time read from it are gone.")
