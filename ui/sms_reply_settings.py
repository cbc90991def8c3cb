"""/settings: replying to alerts by text — on, or the one step that turns it on (lib.bookings.sms_replies)."""
from __future__ import annotations

import streamlit as st

from lib.bookings import sms_replies
from lib.core.access import Actor
from ui import format as fmt


def section(me: Actor) -> None:
    setup = sms_replies.setup_for(me)
    if setup is None:  # no SMS alerts (or not a therapist): nothing to reply to
        return
    if setup.verified:
        st.caption(f"Replies by text are on for {fmt.md_escape(setup.phone)}: reply C and the code in an alert "
                   "(for example C 4821) to confirm that request. Text STOP to turn SMS alerts off.")
        return
    to = (f"to **{fmt.md_escape(setup.practice_number)}**" if setup.practice_number
          else "to the number your alerts come from")
    st.info(f"**Confirm requests by replying to alerts.** To turn this on, text **VERIFY {setup.code}** from "
            f"{fmt.md_escape(setup.phone)} {to}. It proves the number is yours; until then your alerts carry no "
            "reply code.", icon=":material/sms:")
