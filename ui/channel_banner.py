"""The staff pages' banner while a channel they rely on is not set up: messages are kept, not sent.

Managers rely on email and SMS (every message of the practice); a therapist on email (their clients' messages
and their own alerts), and on SMS when they asked for text alerts. One element, drawn by ui.shell above the
page; not on the clients' pages, nor on /outbox, which describes each channel itself.
"""
from __future__ import annotations

import streamlit as st

from lib.core.access import Actor
from lib.practice import settings
from ui import promises


@st.cache_data(ttl=30, show_spinner=False, max_entries=1000)
def _wants_sms(user_id: int, _actor: Actor) -> bool:
    """Whether this therapist asked for text alerts (re-read every 30 s, and at once after forget())."""
    return settings.mine(_actor).sms_opt_in


def forget() -> None:
    """Read the SMS choices again (after a therapist changed theirs)."""
    _wants_sms.clear()


def text(actor: Actor) -> str | None:
    """The banner's words for this user, or None when every channel they rely on is set up."""
    if actor.is_manager:
        off = promises.missing(("email", "sms"))
        if not off:
            return None
        what = "messages" if len(off) == 2 else {"email": "emails", "sms": "text messages"}[off[0]]
        return (f"**{promises.not_set_up(off)}:** {what} to clients and therapists are kept in the "
                "[outbox](outbox) and **not sent**.")
    off = promises.missing(("email",))
    if not promises.ready("sms") and _wants_sms(actor.id, actor):
        off.append("sms")
    if not off:
        return None
    if off == ["sms"]:
        return f"**{promises.not_set_up(off)}:** your text alerts are **not sent**. Alerts still come by email."
    alerts = "your alerts by email and text" if "sms" in off else "your email alerts"
    return (f"**{promises.not_set_up(off)}:** emails to your clients and {alerts} are kept in the outbox "
            "and **not sent**. Your practice manager can see them there.")


def show(actor: Actor) -> None:
    if words := text(actor):
        st.warning(words, icon=":material/cancel_schedule_send:")
