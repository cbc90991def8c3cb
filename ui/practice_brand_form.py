"""The managers' part of /settings that clients see: the practice's name and logo on their private pages."""
from __future__ import annotations

import streamlit as st

from lib.core.access import Actor
from lib.core.errors import BookingDeskError
from lib.practice import brand as practice_brand
from ui import client_header, current


def brand_form(me: Actor) -> None:
    st.divider()
    st.subheader("What clients see")
    st.caption("The practice's name, and its logo if you add one, head every page a client opens from our emails "
               "(the self-assessment, choosing a time, their session).")
    brand = practice_brand.brand()
    with st.form("practice_brand"):
        name = st.text_input("Practice name", value=brand.name, max_chars=100, key="p_brand_name")
        logo = st.file_uploader(f"Logo (PNG or JPEG, at most {practice_brand.LOGO_MAX_BYTES // 1024} KB)",
                                type=["png", "jpg", "jpeg"], key="p_brand_logo", max_upload_size=1)
        remove = st.checkbox("Remove the logo", key="p_brand_remove") if brand.logo else False
        submitted = st.form_submit_button("Save what clients see")
    if submitted:
        try:
            practice_brand.update(me, name, logo.getvalue() if logo else None, remove_logo=remove,
                                  browser_session=current.browser_session())
        except BookingDeskError as exc:
            st.error(exc.message, icon=":material/warning:")
        else:
            st.success("Saved. Clients see it on the next page they open.", icon=":material/check_circle:")
    with st.container(border=True):
        st.caption("Preview")
        client_header.header()
