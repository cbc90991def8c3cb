"""The booking channel's signing secret in /settings (managers): make or rotate it, see it once."""
from __future__ import annotations

import streamlit as st

from lib.booking_api import signature
from lib.core import clock
from lib.core.access import Actor

_SHOWN = "bd_channel_secret_once"


def channel_secret_section(me: Actor) -> None:
    st.subheader("Booking channel")
    st.caption("Your website or booking marketplace sends new bookings to `/api/v1/bookings`, signed with this "
               "secret (Standard Webhooks). `docs/booking-api.md` shows the channel's developer how.")
    if secret := st.session_state.pop(_SHOWN, None):
        st.warning("Copy this secret into the booking channel now. It is shown only this once.",
                   icon=":material/key:")
        st.code(secret, language=None)
    now = signature.status(me)
    if now.created_at:
        st.markdown(f"A secret made by **{now.created_by}** on "
                    f"{clock.local(now.created_at, me.timezone):%d %b %Y %H:%M} is in use.")
    if now.previous_valid_until:
        st.markdown(f"The previous secret still works until "
                    f"{clock.local(now.previous_valid_until, me.timezone):%d %b %Y %H:%M}.")
    if now.from_environment:
        st.markdown("`BOOKING_CHANNEL_SECRET` is set on this server and is accepted too.")
    if not (now.created_at or now.from_environment):
        st.markdown("No secret yet: the booking channel can't send bookings until you make one.")
    label = "Rotate the secret" if now.created_at else "Make a secret"
    if st.button(label, key="bd_channel_secret_rotate",
                 help="A new secret; the previous one keeps working for 24 hours while the channel switches."):
        st.session_state[_SHOWN] = signature.rotate(me)
        st.rerun()
