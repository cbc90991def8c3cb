"""The managers' part of /settings: business hours, bank holidays, response target, expiry schedule."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core.access import Actor
from lib.practice import rules, settings
from ui.settings_form import field_error, save, week_inputs


def practice_form(me: Actor) -> None:
    st.divider()
    st.subheader("Practice rules")
    current = settings.practice_settings(me)
    errors = st.session_state.pop("bd_practice_errors", {})
    with st.form("practice_settings"):
        a, b, c, d = st.columns(4)
        tz = a.text_input("Practice timezone", value=current["timezone"], key="p_tz")
        country = b.text_input("Bank holidays: country", value=current["holiday_country"], key="p_country")
        subdiv = c.text_input("Region (optional)", value=current["holiday_subdiv"] or "", key="p_subdiv",
                              help="For the UK: ENG, NIR, SCT or WLS")
        target = d.number_input("Response target (business hours)", value=float(current["response_target_hours"]),
                                min_value=0.25, max_value=72.0, step=0.5, key="p_target")
        notice = a.number_input("Minimum notice for offered times (hours)",
                                value=float(current["minimum_notice_hours"]), min_value=0.0, max_value=336.0,
                                step=1.0, key="p_notice",
                                help="Other times a therapist offers start at least this far ahead.")
        for name in ("timezone", "holiday_country", "holiday_subdiv", "response_target_hours", "minimum_notice_hours"):
            field_error(errors, name)
        st.markdown("**Business hours** (the response clock only runs in these)")
        hours = week_inputs("p_hours_", current["business_hours"], errors, placeholder="closed")
        st.markdown("**Expiry schedule** — an unanswered request expires, by how soon the session starts")
        rows = current["expiry_schedule"]
        table = pd.DataFrame([{"Lead time under (hours)": r.get("lead_under_hours"),
                               "Expire hours before start": r.get("hours_before_start"),
                               "Or business hours after request": rules.business_hours_after_request(r)}
                              for r in rows])
        edited = st.data_editor(table, hide_index=True, key="p_schedule", num_rows="fixed", width="stretch",
                                placeholder="—")  # an empty cell, not the word "None"
        field_error(errors, "expiry_schedule")
        if st.form_submit_button("Save practice rules", type="primary"):
            schedule = [{"lead_under_hours": r["Lead time under (hours)"],
                         "hours_before_start": r["Expire hours before start"],
                         "business_hours_after_request": r["Or business hours after request"]}
                        for _, r in edited.iterrows()]
            save(lambda: settings.update_practice(me, timezone=tz, hours=hours, holiday_country=country,
                                                  holiday_subdiv=subdiv, response_target_hours=target,
                                                  expiry_schedule=schedule, minimum_notice_hours=notice),
                 "bd_practice_errors",
                 "Practice rules saved. They apply to new requests; existing due times are kept.")
