"""The sections of the session page, as markdown. Client-supplied text is always escaped (ui.format).

A section is text for one st.markdown block (heading, text and tables together): every element costs the
page a little, and the session page has many sections.
"""
from __future__ import annotations

from datetime import datetime

from lib.bookings import assessments
from lib.bookings.detail import BookingDetail
from lib.core import clock
from lib.core.vocabulary import BookingStatus, EventKind
from lib.notify.templates import TEMPLATE_TITLES
from ui import format as fmt

EVENT_LABELS = EventKind.labels()


LINKS_OK = {"How to join"}  # entered by the practice (the video call's address), so it may stay a link


def _table(rows: list[tuple[str, str]]) -> str:
    """Label-and-value pairs, one to a line ("**Date and time:** …"): a markdown table would need a header row,
    and an empty one reads as a blank row on screen and as nothing to a screen reader. Every value is escaped,
    so client text shows literally."""
    return "  \n".join(f"**{label}:** {fmt.md_escape(value, links=label in LINKS_OK) or '—'}" for label, value in rows)


STATUS_BADGES = {"unconfirmed": "orange", "confirmed": "green", "awaiting_client": "blue"}


def header_md(d: BookingDetail, tz: str) -> str:
    """The title and the session at a glance: when, how long, where, its status and how long it has waited."""
    return (f"# {fmt.session_type(d.session_type)} session · {fmt.md_escape(d.client_name)}\n\n"
            f"**{fmt.when(d.starts_at, tz)}** · {d.duration_minutes} minutes · "
            f"{'online' if d.delivery == 'online' else 'in person'}  \n"
            f":{STATUS_BADGES.get(d.status, 'gray')}-badge[{d.status_label}] Requested {fmt.ago(d.requested_at)}"
            + (f" · answer {fmt.due(d.response_due_at)}" if d.is_open else ""))


def details_md(d: BookingDetail, tz: str) -> str:
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
    if d.status == BookingStatus.UNCONFIRMED:
        rows.append(("Answer due", f"{fmt.when(d.response_due_at, tz)} ({fmt.due(d.response_due_at)})"))
    rows.append(("Therapist", d.therapist_name))
    together = (f"{d.sessions_together} earlier confirmed session(s) together" if d.sessions_together
                else "New client — no confirmed sessions together yet")
    client = _table([
        ("Name", d.client_name), ("Email", d.client_email), ("Phone", d.client_phone or "—"),
        ("Their timezone", d.client_tz),
        ("Relationship", f"Since {fmt.when(d.relationship_since, tz)}. {together}"),
    ])
    return f"### Session details\n\n{_table(rows)}\n\n### Client and relationship\n\n{client}"


def _items_list(items: list[str], answers: list[int | None], risk_item: int | None = None) -> str:
    """Each question with the client's answer, as a numbered list (a table's narrow columns wrap badly here)."""
    lines = []
    for i, (item, a) in enumerate(zip(items, answers), start=1):
        answer = f"**{assessments.ANSWERS[a]}** ({a})" if a is not None else ":gray[not answered]"
        if i == risk_item and a:
            answer = f":red[{answer} — risk flag]"
        lines.append(f"{i}. {fmt.md_escape(item)} — {answer}")
    return "\n".join(lines)


def _score_line(name: str, score: assessments.Score, maximum: int) -> str:
    if score.total is None:
        return f"**{name}:** {score.answered} of {score.items} answered — no total yet"
    return f"**{name}: {score.total} / {maximum}** — {score.severity}"


def assessment_md(d: BookingDetail, tz: str) -> str:
    """What the client is seeking help with, their scores and their own words: what the therapist judges fit by."""
    a = d.assessment
    status_badge = {"complete": "green", "partial": "orange", "not started": "gray"}[a.status]
    updated = f" · last updated {fmt.when(a.updated_at, tz)} ({fmt.ago(a.updated_at)})" if a.updated_at else ""
    parts = [f"### Self-assessment\n\n:{status_badge}-badge[{a.status.capitalize()}]{updated}"]
    if a.status == "not started":
        return "\n\n".join(parts + [
            ":material/edit_note: The client hasn't started their self-assessment yet. Clients often fill it in "
            "shortly after booking; if you need more information to decide, you can wait a little while."])
    if a.status == "partial":
        parts.append(":gray[The client may still add more. If you don't yet have enough to decide whether you "
                     "can help, consider waiting a little.]")
    parts += [
        f"{_score_line('PHQ-9 (depression)', a.phq9_score, 27)}  \n{_score_line('GAD-7 (anxiety)', a.gad7_score, 21)}",
        "**Wants help with**  \n" + (fmt.md_escape(", ".join(a.help_with)) if a.help_with else "— not said yet"),
        "**In their own words**  \n" + (fmt.md_lines(a.free_text) or "— nothing written yet"),
    ]
    return "\n\n".join(parts)


def every_answer_md(a: assessments.AssessmentView) -> str:
    return (f"**PHQ-9**, over the last two weeks, how often…\n\n{_items_list(assessments.PHQ9_ITEMS, a.phq9, 9)}\n\n"
            f"**GAD-7**, over the last two weeks, how often…\n\n{_items_list(assessments.GAD7_ITEMS, a.gad7)}")


def answer_heading(manager: bool) -> str:
    return "### Answer" if manager else "### Your answer"


def availability_md(d: BookingDetail, manager: bool) -> str:
    """The answer column's heading and whether the therapist is free then (a clash is drawn as an error)."""
    avail = d.availability
    heading = answer_heading(manager)
    if avail.clashes:
        return heading
    # A manager reads the therapist's name, never a guessed pronoun: "Only confirm if Alice is available".
    name = fmt.md_escape(d.therapist_name.split()[0]) if d.therapist_name else "the therapist"
    who = f"{name} is" if manager else "you are"
    if avail.outside_hours:
        whose = f"{name}'s" if manager else "your"
        line = (f":orange-badge[:material/schedule: Outside working hours] This time is outside {whose} working "
                f"hours ({fmt.md_escape(avail.working_hours_text)}). You can still confirm if {who} available.")
    else:
        line = (f":green-badge[:material/event_available: Free then] {who[0].upper() + who[1:]} free and working "
                "at this time.")
    return (f"{heading}\n\n{line}\n\n:gray[Only confirm if {who} available at this time and can help with "
            "what the client is seeking help with.]")


MESSAGE_COLUMNS = ["Written", "Message", "To", "Status"]  # the message's title names its channel
HISTORY_COLUMNS = ["When", "What", "Who", "Details"]


def _message_status(m, tz: str) -> str:
    status = m.status_label
    if m.sent_at:
        status += f" {fmt.when(m.sent_at, tz)}"
    return f"{status} — {m.problem}" if m.problem else status  # "not sent" is said once


def _messages_md(d: BookingDetail, tz: str) -> str:
    if not d.messages:
        return "### Messages about this session\n\n:gray[No messages yet.]"
    return "### Messages about this session\n\n" + fmt.md_table(MESSAGE_COLUMNS, [[
        fmt.when(m.created_at, tz), TEMPLATE_TITLES.get(m.template, m.template), m.recipient, _message_status(m, tz),
    ] for m in d.messages])


DETAIL_LABELS = {"reason": "Reason", "presenting_issues": "Presenting issues", "help_needed": "Help needed",
                 "to_therapist": "To", "from_therapist": "From", "from_session": "From session",
                 "full_refund": "Full refund", "short_notice": "Under 48 h notice",
                 "confirmed": "Also confirmed it", "why": "On the team's list for", "note": "Note",
                 "via": "Through"}


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


def messages_and_history_md(d: BookingDetail, tz: str) -> str:
    """The messages sent about the session and its history, with the time note."""
    history = "### History\n\n" + fmt.md_table(HISTORY_COLUMNS, [
        [fmt.when(e.at, tz), EVENT_LABELS.get(e.kind, e.kind), e.actor, _detail_text(e, tz)] for e in d.history])
    return f"{_messages_md(d, tz)}\n\n{history}\n\n:gray[Times shown in {tz}. Now: {fmt.when(clock.now(), tz)}.]"


def offers_md(d: BookingDetail, tz: str) -> str:
    if d.status != BookingStatus.AWAITING_CLIENT or not d.open_offers:
        return ""
    return ("Waiting for the client to pick one of: " + "; ".join(fmt.when(t, tz) for t in d.open_offers)
            + (f". The offer expires {fmt.when(d.expires_at, tz)}." if d.expires_at else "."))
