"""New bookings, for practice managers: import the booking channel's CSV file, or enter one booking."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from lib.core import clock
from lib.core.errors import BookingDeskError, InvalidInput
from lib.imports import importer, manual_entry
from lib.imports.rows import COLUMNS, SESSION_TYPES
from lib.notify import outbox_review
from ui import current, nav, promises
from ui import format as fmt


def render() -> None:
    me = current.actor()
    therapists = {t.username: t for t in manual_entry.therapist_choices(me)}  # Forbidden for a therapist
    ss = st.session_state

    st.title("New booking")
    manual_tab, upload_tab = st.tabs(["Enter one booking", "Import a CSV file"])  # one booking is the usual case

    # --- import ---

    def show_report(report) -> None:
        if isinstance(report, str):  # the file as a whole couldn't be read
            st.error(fmt.md_escape(report), icon=":material/description:")
            return
        if report.problems:
            st.error(report.summary(), icon=":material/block:")
            st.dataframe(pd.DataFrame([{"Line": p.line, "Column": p.column or "", "Problem": p.message}
                                       for p in report.problems]), hide_index=True, use_container_width=True)
        elif report.nothing_new:
            st.info(report.summary(), icon=":material/check_circle:")
        else:
            held = promises.held_note() if report.messages else None  # "queued" is not "sent"
            st.success(report.summary() + (f" {held}" if held else ""), icon=":material/check_circle:")
        if note := report.ignored_note():
            st.info(fmt.md_escape(note), icon=":material/info:")

    with upload_tab:
        st.caption("Upload the booking channel's CSV export. Every row is checked first: if any row has a problem, "
                   "nothing is imported and each problem is listed with its line number.")
        with st.expander("Columns the file needs"):
            st.markdown(", ".join(f"`{c}`" for c in COLUMNS))
            st.caption("Times are ISO 8601 with the offset, e.g. 2026-12-01T14:00+00:00; attendees are separated by "
                       "';'; requested_at may be left empty (it then means now). Other columns are ignored.")
        uploaded = st.file_uploader("CSV file", type=["csv"], key="nb_file")
        if st.button("Import bookings", type="primary", disabled=uploaded is None, key="nb_import"):
            bar = st.progress(0.0, text="Checking rows…")

            def progress(rows: int, fraction: float | None) -> None:
                bar.progress(fraction or 0.0, text=f"Checked {rows:,} rows…")

            try:
                with st.spinner("Importing…"):
                    result = importer.import_csv(me, uploaded, uploaded.name, progress)
            except InvalidInput as exc:
                result = exc.message
            bar.progress(1.0, text="Done")
            ss["nb_report"] = (uploaded.file_id, result)
        last = ss.get("nb_report")
        if uploaded is not None and last and last[0] == uploaded.file_id:
            show_report(last[1])

    # --- manual entry ---

    EMPTY = {"nb_therapist": None, "nb_session_type": SESSION_TYPES[0], "nb_date": None, "nb_time": None,
             "nb_duration": 50, "nb_delivery": "online", "nb_anyway": False}  # the rest are text: ""
    FIELDS = ("nb_therapist", "nb_client_name", "nb_client_email", "nb_client_phone", "nb_session_type",
              "nb_attendees", "nb_date", "nb_time", "nb_duration", "nb_delivery", "nb_video_service", "nb_address",
              "nb_anyway")

    def form_values() -> dict[str, str]:
        """The form as the text values of one CSV row, so it gets exactly the import's checks."""
        starts = ""
        if ss.get("nb_date") and ss.get("nb_time"):
            starts = datetime.combine(ss["nb_date"], ss["nb_time"], ZoneInfo(me.timezone)).isoformat()
        attendees = [a.strip() for a in (ss.get("nb_attendees") or "").splitlines() if a.strip()]
        return {
            "therapist": ss.get("nb_therapist") or "", "client_name": ss.get("nb_client_name") or "",
            "client_email": ss.get("nb_client_email") or "", "client_phone": ss.get("nb_client_phone") or "",
            "session_type": ss.get("nb_session_type") or "", "attendees": "; ".join(attendees), "starts_at": starts,
            "duration_minutes": str(ss.get("nb_duration") or ""), "delivery": ss.get("nb_delivery") or "",
            "video_service": ss.get("nb_video_service") or "", "address": ss.get("nb_address") or "",
        }

    # Callbacks run before the page is drawn, so their messages can appear beside the fields they concern
    # (and outside the page's error handler, so they catch what they raise).
    def check() -> None:
        values = form_values()
        try:
            ss["nb_review"] = (values, manual_entry.review(me, values))
        except BookingDeskError as exc:
            ss["nb_problem"] = exc.message

    def save() -> None:
        values = form_values()
        try:
            saved = manual_entry.save(me, values, current.browser_session())
        except InvalidInput as exc:
            ss["nb_review"] = (values, manual_entry.Review({exc.field or "": exc.message}))
            return
        except BookingDeskError as exc:
            ss["nb_problem"] = exc.message
            return
        name = therapists[values["therapist"]].name
        channels = [r.channel for r in outbox_review.list_messages(me, booking_id=saved.booking_id).rows]
        ss["nb_saved"] = (saved.booking_id, "Session saved. "
                          + promises.messages_line(channels, f"{fmt.md_escape(name)} and the client"))
        # Set back to empty, not just forgotten: a widget whose state is only deleted can keep showing its old
        # value in the browser. The form is then ready for the next booking.
        ss.update({key: EMPTY.get(key, "") for key in FIELDS})
        ss.pop("nb_review", None)

    def field_problem(review, *fields: str) -> None:
        for f in fields:
            if review and f in review.problems:
                st.error(fmt.md_escape(review.problems[f]))

    with manual_tab:
        if problem := ss.pop("nb_problem", None):
            st.error(problem, icon=":material/warning:")
        if saved := ss.pop("nb_saved", None):
            st.success(saved[1], icon=":material/check_circle:")
            st.page_link(nav.page(nav.SESSION), label=f"Open session #{saved[0]}", icon=":material/arrow_forward:",
                         query_params={"id": str(saved[0])})
        checked = ss.get("nb_review")
        review = checked[1] if checked and checked[0] == form_values() else None
        st.caption("For a booking that didn't come through the booking channel, such as one made by phone. "
                   "It gets the same checks as an imported row.")
        left, right = st.columns(2, gap="large")
        with left:
            st.selectbox("Therapist", list(therapists), index=None, key="nb_therapist", placeholder="Choose a therapist",
                         format_func=lambda u: f"{therapists[u].name} ({u})")
            field_problem(review, "therapist")
            st.text_input("Client's name", key="nb_client_name", max_chars=200)
            field_problem(review, "client_name")
            st.text_input("Client's email", key="nb_client_email", help="An existing client is matched by email.")
            field_problem(review, "client_email")
            st.text_input("Client's phone (optional)", key="nb_client_phone", placeholder="+44 7400 123456")
            field_problem(review, "client_phone")
            st.selectbox("Session type", SESSION_TYPES, key="nb_session_type", format_func=fmt.session_type)
            st.text_area("Attendees, one per line", key="nb_attendees", height=90,
                         help="Leave empty for an individual session: the client is the attendee.")
            field_problem(review, "session_type", "attendees")
        with right:
            today = clock.local(clock.now(), me.timezone).date()
            d, t = st.columns(2)
            d.date_input("Date", value=None, min_value=today, key="nb_date", format="DD/MM/YYYY")
            t.time_input("Start time", value=None, step=timedelta(minutes=15), key="nb_time")
            st.caption(f"Times in {me.timezone}.")
            field_problem(review, "starts_at")
            st.number_input("Duration (minutes)", min_value=15, max_value=240, value=50, step=5, key="nb_duration")
            field_problem(review, "duration_minutes")
            delivery = st.radio("Where", ["online", "in_person"], key="nb_delivery", horizontal=True,
                                format_func=lambda v: "Online" if v == "online" else "In person")
            chosen = therapists.get(ss.get("nb_therapist") or "")
            if delivery == "online":
                services = chosen.video_services if chosen else []
                usual = f" {chosen.name} uses: {', '.join(services)}." if services else ""
                st.text_input("Video service", key="nb_video_service", help=f"For example Zoom.{usual}")
                field_problem(review, "video_service")
            else:
                usual = f" {chosen.name} works at: {'; '.join(chosen.addresses)}." if chosen and chosen.addresses else ""
                st.text_input("Address", key="nb_address", help=f"Where the session takes place.{usual}")
                field_problem(review, "address")
            field_problem(review, "", "requested_at")
        st.button("Check availability", key="nb_check", on_click=check)
        if checked and review is None:
            st.caption("The form changed since the last check: check again before saving.")
        if review and review.ok:
            with st.container(border=True):
                st.markdown(f"**{fmt.md_escape(review.therapist_name)}** · "
                            f"{fmt.when(review.starts_at, me.timezone)}")
                a = review.availability
                for c in a.clashes:
                    what = "is busy in their own calendar" if c.outside else f"has a {c.what}"
                    st.error(f"**Clash:** {fmt.md_escape(review.therapist_name)} {what} at "
                             f"{fmt.when(c.starts_at, me.timezone)} ({c.duration_minutes} min).", icon=":material/block:")
                if not a.clashes and a.outside_hours:
                    st.warning(f"This is outside the therapist's working hours ({a.working_hours_text}).",
                               icon=":material/schedule:")
                elif not a.clashes:
                    st.success("The therapist is free and working at this time.", icon=":material/event_available:")
                if review.client_known:
                    st.caption("This client is already on record (matched by email).")
                anyway = True
                if a.clashes:
                    anyway = st.checkbox("Save it anyway: the therapist will see the clash and can offer other times",
                                         key="nb_anyway")
                st.button("Save booking", type="primary", key="nb_save", on_click=save, disabled=not anyway)
