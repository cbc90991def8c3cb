"""/people — the practice's therapists and managers: add, deactivate, reactivate, unlock, reset (managers)."""
import pandas as pd
import streamlit as st

from lib.core.errors import BookingDeskError, InvalidFields
from lib.people import staff, two_step
from ui import current, promises
from ui import format as fmt
from ui.settings_form import field_error, week_inputs

STATUS = {"active": "Active", "invited": "Invited (no password yet)", "locked": "Locked (too many failed attempts)",
          "deactivated": "Deactivated"}


def render() -> None:
    me = current.actor()
    st.title("People")
    st.caption("Everyone who signs in to Booking Desk. New people choose their own password from an emailed link; "
               "nobody else ever sees it.")
    if flash := st.session_state.pop("bd_people_flash", None):
        st.success(flash, icon=":material/check_circle:")
    if problem := st.session_state.pop("bd_people_error", None):
        st.error(problem, icon=":material/error:")

    everyone = staff.everyone(me)
    st.dataframe(pd.DataFrame([{
        "Name": p.name, "Username": p.username, "Role": p.role_label, "Status": STATUS[p.status],
        "Last sign-in": fmt.when(p.last_sign_in_at, me.timezone) if p.last_sign_in_at else "never",
        "SMS alerts": "on" if p.sms_alerts else "off", "Two-step sign-in": "on" if p.two_step else "off",
    } for p in everyone]), hide_index=True, width="stretch")

    manage, add = st.tabs(["Manage a person", "Add a person"])
    with manage:
        _manage(me, everyone)
    with add:
        _add_form(me)


def _act(action, done: str) -> None:
    try:
        result = action()
    except BookingDeskError as exc:
        st.session_state["bd_people_error"] = exc.message
    else:
        st.session_state["bd_people_flash"] = done.replace("{result}", str(result))  # names may hold braces
    st.session_state.pop("bd_people_confirm", None)
    st.rerun()


def _manage(me, everyone: list[staff.Person]) -> None:
    by_id = {p.id: p for p in everyone}
    chosen = st.selectbox("Person", list(by_id), format_func=lambda i: f"{by_id[i].name} ({by_id[i].username}) — "
                          f"{by_id[i].role_label}, {STATUS[by_id[i].status].lower()}", key="bd_people_who")
    if chosen is None:
        return
    p = by_id[chosen]
    session = current.browser_session()
    name = fmt.md_escape(p.name)
    row = st.container(horizontal=True)  # the actions this person's state allows, side by side
    if p.status == "locked" and row.button("Unlock", key="bd_people_unlock", icon=":material/lock_open:"):
        _act(lambda: staff.unlock(me, p.id, browser_session=session), f"{name} can sign in again.")
    if p.status != "deactivated" and row.button("Send a password reset link", key="bd_people_reset",
                                              icon=":material/forward_to_inbox:"):
        _act(lambda: staff.send_reset(me, p.id, browser_session=session),
             f"A link to choose a new password (valid 24 hours) was made for {name}. "
             + promises.email_line(p.email, "The email"))
    if p.two_step and row.button("Reset two-step sign-in", key="bd_people_2fa", icon=":material/phonelink_erase:"):
        _act(lambda: two_step.reset(me, p.id, browser_session=session),
             f"{name}'s two-step sign-in is reset and they were signed out. "
             + promises.email_line(p.email, "An email telling them"))

    roles = {"therapist": "Therapist", "manager": "Practice manager"}
    r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
    role = r1.selectbox("Role", list(roles), index=list(roles).index(p.role), format_func=roles.get,
                        key=f"bd_people_role_{p.id}")
    if r2.button("Change role", key="bd_people_role_save", disabled=role == p.role):
        _act(lambda: staff.change_role(me, p.id, role, browser_session=session),
             f"{name} is now a {roles[role].lower()}.")

    if p.status == "deactivated":
        if st.button("Reactivate", key="bd_people_reactivate", icon=":material/person_check:"):
            _act(lambda: staff.reactivate(me, p.id, browser_session=session),
                 f"{name} is active again and can sign in with their password.")
        return
    if p.id == me.id:
        st.caption("You can't deactivate yourself; another practice manager can.")
        return
    if st.session_state.get("bd_people_confirm") != p.id:
        if st.button("Deactivate…", key="bd_people_deactivate", icon=":material/person_off:"):
            st.session_state["bd_people_confirm"] = p.id
            st.rerun()
        return
    st.warning(f"**Deactivate {name}?** They are signed out everywhere at once and can't sign in. Their sessions and "
               "history stay; their open requests go on the practice team's worklist to be reassigned.",
               icon=":material/warning:")
    yes, no = st.columns(2)
    if yes.button(f"Yes, deactivate {p.name}", type="primary", key="bd_people_deactivate_yes"):
        _act(lambda: staff.deactivate(me, p.id, browser_session=session),
             f"{name} is deactivated and signed out. {{result}} open request(s) went to the practice team's worklist.")
    if no.button("Keep them active", key="bd_people_deactivate_no"):
        st.session_state.pop("bd_people_confirm", None)
        st.rerun()


def _add_form(me) -> None:
    errors = st.session_state.pop("bd_people_errors", {})
    with st.form("bd_add_person"):
        a, b = st.columns(2)
        name = a.text_input("Full name", key="bd_add_name")
        field_error(errors, "name")
        username = b.text_input("Username (what they sign in with)", key="bd_add_username",
                                placeholder="for example carol.diaz")
        field_error(errors, "username")
        email = a.text_input("Email address", key="bd_add_email")
        field_error(errors, "email")
        tz = b.text_input("Timezone", value="Europe/London", key="bd_add_tz")
        field_error(errors, "timezone")
        role = st.radio("Role", ["therapist", "manager"], horizontal=True, key="bd_add_role",
                        format_func={"therapist": "Therapist", "manager": "Practice manager"}.get)
        st.markdown("**Working hours** (therapists) — like `09:00-12:30, 13:30-17:00`; they can change them later")
        hours = week_inputs("bd_add_hours_", staff.practice_week(), errors, placeholder="off")
        submitted = st.form_submit_button("Add and email a link to set a password", type="primary")
    if not submitted:
        return
    try:
        sent_to = staff.add(me, username=username, name=name, email=email, role=role, timezone=tz, hours=hours,
                             browser_session=current.browser_session())
    except InvalidFields as exc:
        st.session_state["bd_people_errors"] = exc.errors
        st.session_state["bd_people_error"] = exc.message
    except BookingDeskError as exc:
        st.session_state["bd_people_errors"] = {exc.field: exc.message} if getattr(exc, "field", None) else {}
        st.session_state["bd_people_error"] = exc.message
    else:
        st.session_state["bd_people_flash"] = (
            f"{fmt.md_escape(name)} is added as {'a practice manager' if role == 'manager' else 'a therapist'}. "
            "Their link to choose a password works once, for 24 hours. " + promises.email_line(sent_to, "The email"))
    st.rerun()

