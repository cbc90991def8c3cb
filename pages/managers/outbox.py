"""The outbox (/outbox, managers): every email and SMS, whether it went out, and a retry for failed ones."""
import pandas as pd
import streamlit as st

from lib.core.errors import BookingDeskError
from lib.notify import outbox_review
from ui import current, nav, promises
from ui import format as fmt
from ui.template_gallery import gallery


def render() -> None:
    PAGE_SIZE = 100
    me = current.actor()
    st.title("Outbox")
    st.caption(f"Every email and SMS Booking Desk writes, and whether it went out. Times in {me.timezone}.")

    for setting in outbox_review.channel_settings(me):
        label = outbox_review.CHANNEL_LABELS[setting.channel]
        if setting.configured:
            st.success(f"**{label}** is sent {fmt.md_escape(setting.description)}.", icon=":material/mail:")
        else:
            st.warning(f"**{label} is not configured.** {fmt.md_escape(setting.description)}.", icon=":material/inbox:")

    gallery()

    if flash := st.session_state.pop("outbox_flash", None):
        going, text = flash
        if going:
            st.success(text, icon=":material/check_circle:")
        else:
            st.warning(text, icon=":material/cancel_schedule_send:")

    ALL = "all"  # a real option (None would show as an empty box)
    f1, f2, f3 = st.columns([2, 2, 1])
    status = f1.selectbox("Status", [ALL, *outbox_review.STATUS_LABELS], key="outbox_status",
                          format_func=lambda s: "All statuses" if s == ALL else outbox_review.STATUS_LABELS[s])
    channel = f2.selectbox("Channel", [ALL, *outbox_review.CHANNEL_LABELS], key="outbox_channel",
                           format_func=lambda c: "Email and SMS" if c == ALL else outbox_review.CHANNEL_LABELS[c])
    status, channel = (None if status == ALL else status), (None if channel == ALL else channel)
    page = f3.number_input("Page", min_value=1, value=1, step=1, key="outbox_page")

    with st.spinner("Loading messages…"):
        box = outbox_review.list_messages(me, status=status, channel=channel, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)

    cols = st.columns(len(outbox_review.STATUS_LABELS))
    for col, (key, label) in zip(cols, outbox_review.STATUS_LABELS.items()):
        col.metric(label.split(" — ")[0], f"{box.by_status[key]:,}")

    if not box.rows:
        st.info("No messages match these filters." if box.matching == 0 and (status or channel)
                else "Nothing on this page." if box.matching else "No messages have been written yet.", icon=":material/inbox:")
        st.stop()

    st.dataframe(pd.DataFrame([{
        "#": r.id, "Written": fmt.when(r.created_at, me.timezone), "Channel": outbox_review.CHANNEL_LABELS[r.channel],
        "To": r.recipient, "Message": r.subject or outbox_review.TEMPLATE_LABELS.get(r.template, r.template),
        "Status": r.status_label, "Attempts": r.attempts,
        "Next attempt": fmt.when(r.next_attempt_at, me.timezone) if r.status == "pending" else "",
        "Sent": fmt.when(r.sent_at, me.timezone) if r.sent_at else "", "Problem": r.problem or "",
    } for r in box.rows]), hide_index=True, width="stretch")
    first = (page - 1) * PAGE_SIZE + 1
    st.caption(f"Messages {first:,}–{first + len(box.rows) - 1:,} of {box.matching:,}, newest first.")

    ids = [r.id for r in box.rows]
    labels = {r.id: f"#{r.id} · {outbox_review.CHANNEL_LABELS[r.channel]} to {r.recipient} · "
                    f"{r.subject or outbox_review.TEMPLATE_LABELS.get(r.template, r.template)} · {r.status_label}"
              for r in box.rows}
    wanted = st.query_params.get("id")  # /outbox?id=N opens one message, wherever it is in the list
    if wanted and wanted.isdigit() and int(wanted) not in ids:
        ids.append(int(wanted))
    start = ids.index(int(wanted)) if wanted and wanted.isdigit() else None
    picked = st.selectbox("Open a message", ids, index=start, key="outbox_pick", placeholder="Choose a message…",
                          format_func=lambda i: labels.get(i, f"#{i}"))
    if picked is None:
        st.stop()

    seen = st.session_state.setdefault("outbox_seen", set())
    view = outbox_review.get_message(me, picked, current.browser_session(), record_view=picked not in seen)
    seen.add(picked)
    row = view.row

    st.subheader(f"Message #{row.id}")
    with st.container(border=True):
        for label, value in [
            ("To", row.recipient),
            ("From", view.sender or ("—" if row.status == "not_sent" else "— (channel not configured)")),
            ("Subject", row.subject or "— (SMS)"), ("Status", row.status_label),
            ("Attempts", str(row.attempts)), ("Written", fmt.when(row.created_at, me.timezone)),
            ("Sent", fmt.when(row.sent_at, me.timezone) if row.sent_at else "—"),
            ("Problem", row.problem or "—"), ("Message-ID" if row.channel == "email" else "Provider id",
                                                view.message_id if row.channel == "email" else view.provider_id or "—"),
        ]:
            a, b = st.columns([1, 4])
            a.markdown(f"**{label}**")
            b.text(value)  # recipients, subjects and errors can carry client text: plain text only
        if row.booking_id:
            st.page_link(nav.page(nav.SESSION), label="Open the session", icon=":material/event:",
                         query_params={"id": str(row.booking_id)})

    if row.can_retry:
        st.caption("Sending again uses the same message (same Message-ID), so the recipient never gets two "
                   "different versions.")
        if st.button("Send again", type="primary", key="outbox_retry"):
            try:
                outbox_review.retry(me, row.id, current.browser_session())
            except BookingDeskError as exc:
                st.error(exc.message, icon=":material/warning:")
            else:
                going = promises.ready(row.channel)
                st.session_state["outbox_flash"] = (going, (
                    f"Message #{row.id} is queued to be sent again. It usually goes out within a minute." if going
                    else f"Message #{row.id} is queued again, but it will **not** be sent: "
                         f"{promises.not_set_up([row.channel])}."))
                st.rerun()

    if row.channel == "sms":
        st.markdown("**The text message**")
        with st.container(border=True):
            st.text(view.body_text)
    else:
        tabs = ["As the recipient sees it", "Plain-text part"] + (["Calendar invitation"] if view.invitation else [])
        shown = st.tabs(tabs)
        with shown[0]:
            if view.body_html:
                # Our own template's HTML, in which every piece of client text was escaped when it was written;
                # st.html sanitises it again (no scripts, no event handlers).
                st.html(view.body_html)
            else:
                st.text(view.body_text)
        with shown[1]:
            st.text(view.body_text)
        if view.invitation:
            inv = view.invitation
            with shown[2]:
                st.text("\n".join([
                    f"What: {inv.summary}",
                    f"When: {inv.starts:%a} {inv.starts.day} {inv.starts:%b %Y, %H:%M} {inv.starts.tzname() or ''}"
                    f" ({inv.starts.tzinfo})",
                    f"Ends: {inv.ends:%H:%M}" if inv.ends else "Ends: —",
                    f"Where: {inv.location}",
                    f"Calendar entry: {inv.uid} ({'cancels the entry' if inv.method == 'CANCEL' else 'adds or updates'})",
                ]))
