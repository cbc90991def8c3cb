"""A client's own copy of everything held about them (UK GDPR Article 15; HIPAA's right of access and its
accounting of disclosures): a manager finds the client and downloads one ZIP holding a readable HTML summary
and the same data as JSON. The export is written to the audit trail in the same transaction that reads it.
"""
from __future__ import annotations

import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from lib.audit import trail
from lib.audit.view import ACTION_LABELS
from lib.bookings import assessments
from lib.bookings.dashboard import STATUS_LABELS
from lib.core import clock
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.models import (
    Assessment,
    Attendee,
    AuditEntry,
    Booking,
    BookingEvent,
    Client,
    Notification,
    Relationship,
    User,
)
from lib.core.vocabulary import AuditAction
from lib.lifecycle.erasure import live_client
from lib.notify.outbox_review import STATUS_LABELS as MESSAGE_STATUS

SEARCH_LIMIT = 20
VIEWING_ACTIONS = ("view_session", "view_message")


@dataclass(frozen=True)
class ClientMatch:
    id: int
    name: str
    email: str
    sessions: int
    last_session: datetime | None


def find_clients(actor: Actor, query: str) -> list[ClientMatch]:
    """Clients whose name or email contains the words typed (erased clients are not found: nothing is left)."""
    require_manager(actor)
    query = (query or "").strip().lower()
    if len(query) < 2:
        return []
    pattern = f"%{query.replace('%', '').replace('_', '')}%"
    with unit_of_work(read_only=True) as s:
        rows = s.execute(
            select(Client.id, Client.name, Client.email, func.count(Booking.id), func.max(Booking.starts_at))
            .outerjoin(Booking, Booking.client_id == Client.id)
            .where(Client.erased_at.is_(None),
                   or_(func.lower(Client.name).like(pattern), func.lower(Client.email).like(pattern)))
            .group_by(Client.id, Client.name, Client.email).order_by(Client.name).limit(SEARCH_LIMIT)).all()
    return [ClientMatch(*r) for r in rows]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


def _assessment(a: Assessment, therapist: str) -> dict:
    v = assessments.view(a)
    return {
        "therapist": therapist, "status": v.status, "updated_at": _iso(v.updated_at),
        "phq9": {"answers": [{"question": q, "answer": None if x is None else assessments.ANSWERS[x], "score": x}
                             for q, x in zip(assessments.PHQ9_ITEMS, v.phq9)],
                 "total": v.phq9_score.total, "severity": v.phq9_score.severity},
        "gad7": {"answers": [{"question": q, "answer": None if x is None else assessments.ANSWERS[x], "score": x}
                             for q, x in zip(assessments.GAD7_ITEMS, v.gad7)],
                 "total": v.gad7_score.total, "severity": v.gad7_score.severity},
        "help_with": v.help_with, "in_your_own_words": v.free_text,
    }


def _collect(s, client: Client) -> dict:
    rels = s.execute(select(Relationship, User.name).join(User, User.id == Relationship.therapist_id)
                     .where(Relationship.client_id == client.id).order_by(Relationship.started_at)).all()
    bookings = s.execute(select(Booking, User.name).join(User, User.id == Booking.therapist_id)
                         .where(Booking.client_id == client.id).order_by(Booking.starts_at)).all()
    ids = [b.id for b, _ in bookings]
    events: dict[int, list] = {}
    for e in s.scalars(select(BookingEvent).where(BookingEvent.booking_id.in_(ids)).order_by(BookingEvent.at,
                                                                                            BookingEvent.id)):
        events.setdefault(e.booking_id, []).append(
            {"what": e.kind, "by": e.actor, "at": _iso(e.at), **({"detail": e.detail} if e.detail else {})})
    attendees: dict[int, list] = {}
    for booking_id, name in s.execute(select(Attendee.booking_id, Attendee.name).where(Attendee.booking_id.in_(ids))
                                      .order_by(Attendee.position, Attendee.id)):
        attendees.setdefault(booking_id, []).append(name)
    contacts = [c for c in (client.email, client.phone) if c]
    messages = s.scalars(select(Notification).where(Notification.booking_id.in_(ids),
                                                     Notification.recipient.in_(contacts))
                         .order_by(Notification.created_at, Notification.id)).all()
    by_id = {r.id: name for r, name in rels}
    found = s.execute(select(Assessment, Assessment.relationship_id).where(
        Assessment.relationship_id.in_(list(by_id)))).all()
    staff = dict(s.execute(select(User.username, User.name)).all())
    views = s.execute(select(AuditEntry.at, AuditEntry.username, AuditEntry.action, AuditEntry.booking_id)
                      .where(or_(AuditEntry.client_id == client.id, AuditEntry.booking_id.in_(ids)))
                      .order_by(AuditEntry.id)).all()  # chain order (lib.audit.chain)
    return {
        "exported_at": _iso(clock.now()),
        "details": {"name": client.name, "email": client.email, "phone": client.phone, "timezone": client.timezone,
                    "first_contact": _iso(client.created_at),
                    "therapists": [{"therapist": name, "since": _iso(r.started_at)} for r, name in rels]},
        "sessions": [{"id": b.id, "therapist": name, "type": b.session_type, "attendees": attendees.get(b.id, []),
                      "starts_at": _iso(b.starts_at), "duration_minutes": b.duration_minutes,
                      "delivery": b.delivery, "video_service": b.video_service, "address": b.address,
                      "status": STATUS_LABELS.get(b.status, b.status), "requested_at": _iso(b.requested_at),
                      "history": events.get(b.id, [])} for b, name in bookings],
        "self_assessments": [_assessment(a, by_id[rel_id]) for a, rel_id in found],
        "messages": [{"channel": n.channel, "to": n.recipient, "subject": n.subject, "text": n.body_text,
                      "status": MESSAGE_STATUS.get(n.status, n.status), "created_at": _iso(n.created_at),
                      "sent_at": _iso(n.sent_at)} for n in messages],
        "who_viewed_or_changed_the_record": [
            {"at": _iso(at), "who": staff.get(username, username), "username": username,
             "what": ACTION_LABELS.get(action, action), "viewed": action in VIEWING_ACTIONS, "session": booking_id}
            for at, username, action, booking_id in views],
    }


@dataclass(frozen=True)
class Export:
    file_name: str
    data: bytes


def export(actor: Actor, client_id, browser_session: str | None = None) -> Export:
    """Everything held about one client, as a ZIP (summary.html + data.json); the export is audited."""
    require_manager(actor)
    with unit_of_work(write=True) as s:
        client = live_client(s, client_id)
        content = _collect(s, client)
        trail.record(s, actor.username, AuditAction.EXPORT_CLIENT, client_id=client.id, browser_session=browser_session,
                     detail="Subject access export (ZIP: summary.html and data.json)")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("summary.html", summary_html(content))
            zf.writestr("data.json", json.dumps(content, ensure_ascii=False, indent=2))
        day = clock.now().date().isoformat()
        return Export(f"client-{client.id}-data-{day}.zip", buffer.getvalue())


# --- the readable summary -------------------------------------------------------------------------------

def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[list]) -> str:
    if not rows:
        return "<p><em>None.</em></p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_html(c: dict) -> str:
    d = c["details"]
    parts = [f"<h1>Your data held by the practice</h1><p>Prepared {_e(c['exported_at'])} (times in UTC). "
             "The file data.json holds the same information in a form a computer can read.</p>",
             "<h2>Your details</h2>",
             _table(["", ""], [["Name", d["name"]], ["Email", d["email"]], ["Phone", d["phone"] or "—"],
                               ["Time zone", d["timezone"]], ["First contact", d["first_contact"]]]),
             "<h2>Your therapists</h2>", _table(["Therapist", "Since"], [[t["therapist"], t["since"]]
                                                                         for t in d["therapists"]]),
             "<h2>Your sessions and their history</h2>"]
    for b in c["sessions"]:
        parts.append(f"<h3>Session {b['id']}: {_e(b['starts_at'])} with {_e(b['therapist'])} — {_e(b['status'])}</h3>"
                     f"<p>{_e(b['type'])}, {_e(b['duration_minutes'])} minutes, {_e(b['delivery'])}; attendees: "
                     f"{_e(', '.join(b['attendees']))}</p>")
        parts.append(_table(["When", "What", "By", "Detail"], [[h["at"], h["what"], h["by"],
                                                                 json.dumps(h.get("detail")) if h.get("detail") else ""]
                                                                for h in b["history"]]))
    parts.append("<h2>Your self-assessment</h2>")
    if not c["self_assessments"]:
        parts.append("<p><em>None.</em></p>")
    for a in c["self_assessments"]:
        parts.append(f"<p>For {_e(a['therapist'])}; {_e(a['status'])}, last updated {_e(a['updated_at'])}.</p>")
        for key, title in (("phq9", "PHQ-9 (depression)"), ("gad7", "GAD-7 (anxiety)")):
            q = a[key]
            total = f"score {q['total']} ({q['severity']})" if q["total"] is not None else "not complete"
            parts.append(f"<h3>{title}: {_e(total)}</h3>")
            parts.append(_table(["Over the last two weeks, how often…", "Your answer", "Score"],
                                [[x["question"], x["answer"] or "not answered", "" if x["score"] is None else x["score"]]
                                 for x in q["answers"]]))
        parts.append(f"<p><strong>What you wanted help with:</strong> {_e(', '.join(a['help_with']) or '—')}</p>"
                     f"<p><strong>In your own words:</strong> {_e(a['in_your_own_words'] or '—')}</p>")
    parts.append("<h2>Messages we sent you</h2>")
    parts.append(_table(["Created", "Sent", "Channel", "To", "Subject", "Status", "Text"],
                        [[m["created_at"], m["sent_at"] or "", m["channel"], m["to"], m["subject"] or "", m["status"],
                          m["text"]] for m in c["messages"]]))
    parts.append("<h2>Who viewed or changed your record, and when</h2>")
    parts.append(_table(["When", "Who", "What", "Session"],
                        [[v["at"], v["who"], v["what"], v["session"] or ""]
                         for v in c["who_viewed_or_changed_the_record"]]))
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
             "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;"
             "padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f0fa}")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Your data — "
            f"{_e(d['name'])}</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")

