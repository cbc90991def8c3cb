"""The sections of the session page. Client-supplied text always goes through st.text or escaped markdown."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from lib import assessments, clock
from lib.bookings import BookingDetail
from lib.messages import STATUS_LABELS as MESSAGE_STATUS
from lib.notify.templates import TEMPLATE_TITLES
from ui import format as fmt

EVENT_LABELS = {
    "requested": "Requested", "viewed": "First opened by the therapist", "confirmed": "Confirmed",
    "rescheduled": "Time changed", "offered": "Other times offered", "declined": "Declined (not the best fit)",
    "cancelled": "Cancelled", "expired": "Expired (no answer in time)", "reminded": "Reminder sent",
    "escalated": "Escalated to managers", "reassigned": "Reassigned", "client_picked": "Client picked a time",
}


LINKS_OK = {"How to join"}  # entered by the practice (the video call's address), so it may stay a link


def _table(rows: list[tuple[str, str]]) -> str:
    """A two-column table; every value is escaped, so client text shows literally."""
    lines = ["| | |", "|---|---|"] + [f"| **{label}** | {fmt.md_escape(value, links=label in LINKS_OK) or '—'} |"
                                      for label, value in rows]
    return "\n".join(lines)


# Sections are drawn as one markdown block each (heading and table together): every element costs the
# page a little, and the session page has many.


def details_section(d: BookingDetail, tz: str) -> None:
    rows = [
        ("Date and time", fmt.when(d.starts_at, tz)),
        ("Duration", f"{d.duration_minutes} minutes"),
        ("Session type", fmt.session_type(d.session_type)),
        ("Attendees" if len(d.attendees) > 1 else "Attendee", ", ".join(d.attendees)),
    ]
    if d.delivery == "online":
        rows += [("Location", f"Online — {d.video_service or 'video'}"),
                 ("How to join", d.join_details or "The joining link is sent with the confirmation.")]
    else:
        rows.append(("Location", f"In person — {d.address or 'address to follow'}"))
    rows.append(("Requested", f"{fmt.when(d.requested_at, tz)} ({fmt.ago(d.requested_at)}) by {d.requested_by}"))
    if d.status == "unconfirmed":
        rows.append(("Answer due", f"{fmt.when(d.response_due_at, tz)} ({fmt.due(d.response_due_at)})"))
    rows.append(("Therapist", d.therapist_name))
    together = (f"{d.sessions_together} earlier confirmed session(s) together" if d.sessions_together
                else "New client — no confirmed sessions together yet")
    client = _table([
        ("Name", d.client_name), ("Email", d.client_email), ("Phone", d.client_phone or "—"),
        ("Their timezone", d.client_tz),
        ("Relationship", f"Since {fmt.when(d.relationship_since, tz)}. {together}"),
    ])
    st.markdown(f"### Session details\n\n{_table(rows)}\n\n### Client and relationship\n\n{client}")


def _answers_table(items: list[str], answers: list[int | None]) -> pd.DataFrame:
    return pd.DataFrame({
        "#": range(1, len(items) + 1),
        "Over the last two weeks, how often…": items,
        "Answer": [assessments.ANSWERS[a] if a is not None else "— not answered" for a in answers],
        "Score": [a if a is not None else None for a in answers],
    })


# Room for the whole question (the longest PHQ-9 item is ~100 characters); the answer is short.
ANSWER_COLUMNS = {"#": st.column_config.NumberColumn(width=40),
                  "Over the last two weeks, how often…": st.column_config.TextColumn(width=640),
                  "Answer": st.column_config.TextColumn(width=170),
                  "Score": st.column_config.NumberColumn(width=60)}


def _score_line(name: str, score: assessments.Score, maximum: int) -> str:
    if score.total is None:
        return f"**{name}:** {score.answered} of {score.items} answered — no total yet"
    return f"**{name}: {score.total} / {maximum}** — {score.severity}"


def decision_summary(d: BookingDetail) -> None:
    """What the client is seeking help with, beside the answer buttons (the full assessment is below)."""
    a = d.assessment
    with st.container(border=True):
        st.markdown(f"**What the client is seeking help with** · self-assessment {a.status}")
        if a.status == "not started":
            st.caption("Not started yet — the client may still fill it in. See below.")
            return
        st.text(", ".join(a.help_with) if a.help_with else "— topics not chosen yet")
        if a.free_text:
            st.text(a.free_text if len(a.free_text) <= 300 else a.free_text[:300] + "…")
        st.caption(" · ".join(s for s in (_short("PHQ-9", a.phq9_score), _short("GAD-7", a.gad7_score)) if s))


def _short(name: str, score: assessments.Score) -> str:
    if score.total is None:
        return f"{name} {score.answered}/{score.items} answered" if score.answered else ""
    return f"{name} {score.total} ({score.severity})"


def assessment_section(d: BookingDetail, tz: str) -> None:
    a = d.assessment
    status_badge = {"complete": "green", "partial": "orange", "not started": "gray"}[a.status]
    updated = f" · last updated {fmt.when(a.updated_at, tz)} ({fmt.ago(a.updated_at)})" if a.updated_at else ""
    st.markdown(f"### Self-assessment\n\n:{status_badge}-badge[{a.status.capitalize()}]{updated}")
    if a.status == "not started":
        st.info("The client hasn't started their self-assessment yet. Clients often fill it in shortly after "
                "booking; if you need more information to decide, you can wait a little while.", icon=":material/edit_note:")
        return
    if a.status == "partial":
        st.caption("The client may still add more. If you don't yet have enough to decide whether you can help, "
                   "consider waiting a little.")
    c1, c2 = st.columns(2)
    c1.markdown(_score_line("PHQ-9 (depression)", a.phq9_score, 27))
    c2.markdown(_score_line("GAD-7 (anxiety)", a.gad7_score, 21))
    st.markdown("**Wants help with**")
    st.text(", ".join(a.help_with) if a.help_with else "— not said yet")
    st.markdown("**In their own words**")
    st.text(a.free_text or "— nothing written yet")
    # Drawn on request (tables are the page's heaviest part); open at once when there is a risk flag.
    if st.toggle("Show every answer, item by item", value=a.risk, key="assessment_items"):
        st.markdown("**PHQ-9**")
        st.dataframe(_answers_table(assessments.PHQ9_ITEMS, a.phq9), hide_index=True, width="stretch",
                     column_config=ANSWER_COLUMNS)
        st.markdown("**GAD-7**")
        st.dataframe(_answers_table(assessments.GAD7_ITEMS, a.gad7), hide_index=True, width="stretch",
                     column_config=ANSWER_COLUMNS)


MESSAGE_COLUMNS = ["Written", "Channel", "Message", "To", "Status", "Sent", "Problem"]
HISTORY_COLUMNS = ["When", "What", "Who", "Details"]


def messages_section(d: BookingDetail, tz: str) -> None:
    if not d.messages:
        st.markdown("### Messages about this session\n\n:gray[No messages yet.]")
        return
    st.markdown("### Messages about this session\n\n" + fmt.md_table(MESSAGE_COLUMNS, [[
        fmt.when(m.created_at, tz), m.channel.upper(), TEMPLATE_TITLES.get(m.template, m.template), m.recipient,
        MESSAGE_STATUS.get(m.status, m.status), fmt.when(m.sent_at, tz), m.last_error or "",
    ] for m in d.messages]))


DETAIL_LABELS = {"reason": "Reason", "presenting_issues": "Presenting issues", "help_needed": "Help needed",
                 "to_therapist": "To", "from_therapist": "From", "from_session": "From session",
                 "full_refund": "Full refund", "short_notice": "Under 48 h notice"}


def _detail_text(e, tz: str) -> str:
    if not e.detail:
        return ""
    parts = []
    for k, v in e.detail.items():
        if k in ("from", "to"):
            v = fmt.when(clock.to_utc_naive(datetime.fromisoformat(v)), tz)
        elif k == "times":
            v = "; ".join(fmt.when(datetime.fromisoformat(x), tz) for x in v)
        elif isinstance(v, bool):
            v = "yes" if v else "no"
        if v not in ("", None):
            parts.append(f"{DETAIL_LABELS.get(k, k.replace('_', ' ').capitalize())}: {v}")
    return " · ".join(parts)


def history_section(d: BookingDetail, tz: str) -> None:
    st.markdown("### History\n\n" + fmt.md_table(HISTORY_COLUMNS, [
        [fmt.when(e.at, tz), EVENT_LABELS.get(e.kind, e.kind), e.actor, _detail_text(e, tz)] for e in d.history]))


def offers_section(d: BookingDetail, tz: str) -> None:
    if d.status == "awaiting_client" and d.open_offers:
        st.info("Waiting for the client to pick one of: " + "; ".join(fmt.when(t, tz) for t in d.open_offers)
                + (f". The offer expires {fmt.when(d.expires_at, tz)}." if d.expires_at else "."), icon=":material/schedule:")
