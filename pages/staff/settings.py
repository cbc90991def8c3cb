"""/settings — your alerts, contact details, places, services, hours and timezone; practice rules for managers."""
import streamlit as st

from lib.practice import settings
from ui import (
    away_settings,
    calendar_settings,
    channel_banner,
    current,
    promises,
    settings_security,
    sms_reply_settings,
)
from ui.channel_secret import channel_secret_section
from ui.settings_form import field_error, save, week_inputs


def render() -> None:
    me = current.actor()
    st.title("Settings")
    if saved := st.session_state.pop("bd_settings_saved", None):
        st.success(saved, icon=":material/check_circle:")

    mine = settings.mine(me)
    errors = st.session_state.pop("bd_settings_errors", {})
    st.subheader("Your alerts and contact details")
    with st.form("my_settings"):
        a, b = st.columns(2)
        with a:
            email = st.text_input("Email shown to clients (and where alerts go)", value=mine.email, key="s_email")
            field_error(errors, "email")
            phone = st.text_input("Phone shown to clients (optional)", value=mine.phone or "", key="s_phone")
            field_error(errors, "phone")
            tz = st.text_input("Your timezone", value=mine.timezone, key="s_tz", help="For example Europe/London")
            field_error(errors, "timezone")
        with b:
            sms = st.toggle("Text me important alerts (new requests, reminders)", value=mine.sms_opt_in, key="s_sms",
                            help=None if promises.ready("sms") else
                            "SMS is not set up on this server yet: text alerts are kept in the outbox and not sent.")
            sms_phone = st.text_input("Mobile number for alerts", value=mine.sms_phone or "", key="s_sms_phone",
                                      placeholder="+44 7911 123456")
            field_error(errors, "sms_phone")
        c, d = st.columns(2)
        with c:
            addresses = st.text_area("In-person addresses (one per line)", value="\n".join(mine.addresses),
                                     key="s_addresses")
            field_error(errors, "addresses")
        with d:
            services = st.text_area("Online services you offer (one per line)", value="\n".join(mine.video_services),
                                    key="s_services")
            field_error(errors, "video_services")
        st.markdown("**Weekly working hours** — like `09:00-12:30, 13:30-17:00`; leave a day empty if you don't work")
        hours = week_inputs("s_hours_", mine.working_hours, errors, placeholder="off")
        if st.form_submit_button("Save my settings", type="primary"):
            def update() -> None:
                settings.update_mine(me, email=email, phone=phone, sms_opt_in=sms, sms_phone=sms_phone, timezone=tz,
                                     hours=hours, addresses=addresses, video_services=services)
                channel_banner.forget()  # the banner says at once whether these text alerts can be sent

            save(update, "bd_settings_errors", "Your settings are saved.")
    if problem := st.session_state.pop("bd_settings_error", None):
        st.error(problem)
    sms_reply_settings.section(me)  # replying to alerts by text: on, or how to turn it on

    away_settings.section(me)
    if not me.is_manager:
        calendar_settings.section(me)  # the feed of your sessions, and busy times from your own calendar
    settings_security.sections(me)  # password, two-step sign-in, where you're signed in

    if me.is_manager:
        from ui.practice_settings import practice_form

        practice_form(me)
        from ui.practice_brand_form import brand_form

        brand_form(me)
        channel_secret_section(me)
        st.divider()
        settings_security.rules_section(me)
