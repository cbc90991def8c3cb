"""What every message is made of: the facts of a session, plain text and HTML from one layout, the invitation."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from lib.core import clock
from lib.core.vocabulary import SessionType
from lib.notify import ics

POLICY = ("Cancellation policy: if you need to cancel, please tell us more than 48 hours before "
          "the session for a full refund. Cancellations with less notice may be charged.")


TYPE_LABELS = SessionType.labels()


@dataclass(frozen=True)
class Rendered:
    template: str
    subject: str | None
    text: str
    html: str | None = None
    ics: str | None = None


@dataclass(frozen=True)
class SessionFacts:
    """Everything a message may say about a session — and nothing clinical."""

    booking_id: int
    version: int
    session_type: str
    attendees: list[str]
    starts_at: datetime  # naive UTC
    duration_minutes: int
    delivery: str
    video_service: str | None
    join_details: str | None
    address: str | None
    therapist_name: str
    therapist_email: str
    therapist_phone: str | None
    client_name: str
    client_email: str
    client_tz: str
    extra: dict = field(default_factory=dict)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.session_type, self.session_type.title())

    @property
    def client_first_name(self) -> str:
        return (self.client_name.split() or ["there"])[0]

    @property
    def location(self) -> str:
        if self.delivery == "online":
            how = f" — {self.join_details}" if self.join_details else " — the joining link will follow"
            return f"Online ({self.video_service or 'video'}){how}"
        return f"In person at {self.address}"


def html_body(title: str, paragraphs: list[str], rows: Sequence[tuple[str, str]] = (), link: tuple | None = None,
          after: Sequence[str] = ()) -> str:
    """A small, mail-client-safe HTML body. Every argument is plain text and is escaped here."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    if rows:
        body += "<table cellpadding='4'>" + "".join(
            f"<tr><td style='color:#555'>{escape(k)}</td><td><strong>{escape(v)}</strong></td></tr>" for k, v in rows
        ) + "</table>"
    if link:
        body += (f"<p><a href='{escape(link[1], quote=True)}' style='background:#6B3FA0;color:#fff;"
                 f"padding:10px 16px;border-radius:6px;text-decoration:none'>{escape(link[0])}</a></p>")
    body += "".join(f"<p style='color:#555'>{escape(p)}</p>" for p in after)
    return (f"<html><body style='font-family:sans-serif;color:#222'>"
            f"<h2 style='color:#6B3FA0'>{escape(title)}</h2>{body}</body></html>")


def text_body(title: str, paragraphs: list[str], rows=(), link: tuple | None = None, after: Sequence[str] = ()) -> str:
    lines = [title, ""] + [p + "\n" for p in paragraphs]
    lines += [f"{k}: {v}" for k, v in rows]
    if link:
        lines += ["", f"{link[0]}: {link[1]}"]
    if after:
        lines += [""] + [p + "\n" for p in after]
    return "\n".join(lines).strip() + "\n"


def render(template: str, subject: str, title: str, paragraphs, rows=(), link=None, ics_text=None,
          after=()) -> Rendered:
    return Rendered(template, subject, text_body(title, paragraphs, rows, link, after),
                    html_body(title, paragraphs, rows, link, after), ics_text)


def client_rows(f: SessionFacts, starts_at: datetime | None = None) -> list[tuple[str, str]]:
    when = starts_at or f.starts_at
    rows = [
        ("Date and time", clock.fmt_local(when, f.client_tz)),
        ("Duration", f"{f.duration_minutes} minutes"),
        ("Session type", f.type_label),
        ("Attendees", ", ".join(f.attendees)),
        ("Where", f.location),
        ("Your therapist", f.therapist_name),
        ("Therapist's email", f.therapist_email),
    ]
    if f.therapist_phone:
        rows.append(("Therapist's phone", f.therapist_phone))
    return rows


MY_SESSION = "See, cancel or move your session"


def my_session_link(f: SessionFacts) -> tuple[str, str] | None:
    """The client's private session page (lib.bookings.session_links), when the facts carry it."""
    url = f.extra.get("my_session")
    return (MY_SESSION, url) if url else None


def my_session_lines(f: SessionFacts) -> list[str]:
    url = f.extra.get("my_session")
    return [f"Your private session page, to see the session, cancel it or ask for another time: {url}"] if url else []


def invitation(f: SessionFacts, cancelled: bool = False) -> str:
    return ics.invitation(
        booking_id=f.booking_id, sequence=f.version, starts_at=f.starts_at, duration_minutes=f.duration_minutes,
        summary=f"{f.type_label} therapy session with {f.therapist_name}", location=f.location,
        description=f"Your therapist: {f.therapist_name} ({f.therapist_email}). {POLICY}",
        organizer_name=f.therapist_name, organizer_email=f.therapist_email, attendee_email=f.client_email,
        tz=f.client_tz, cancelled=cancelled,
    )
