"""One template per message. Plain text and HTML from the same facts; client text escaped.

Privacy: no assessment content, risk flag or diagnosis ever appears here, and an SMS
carries no client surname.
"""
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


def _html(title: str, paragraphs: list[str], rows: Sequence[tuple[str, str]] = (), link: tuple | None = None,
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


def _text(title: str, paragraphs: list[str], rows=(), link: tuple | None = None, after: Sequence[str] = ()) -> str:
    lines = [title, ""] + [p + "\n" for p in paragraphs]
    lines += [f"{k}: {v}" for k, v in rows]
    if link:
        lines += ["", f"{link[0]}: {link[1]}"]
    if after:
        lines += [""] + [p + "\n" for p in after]
    return "\n".join(lines).strip() + "\n"


def _both(template: str, subject: str, title: str, paragraphs, rows=(), link=None, ics_text=None,
          after=()) -> Rendered:
    return Rendered(template, subject, _text(title, paragraphs, rows, link, after),
                    _html(title, paragraphs, rows, link, after), ics_text)


def _client_rows(f: SessionFacts, starts_at: datetime | None = None) -> list[tuple[str, str]]:
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


def _my_session(f: SessionFacts) -> tuple[str, str] | None:
    """The client's private session page (lib.bookings.session_links), when the facts carry it."""
    url = f.extra.get("my_session")
    return (MY_SESSION, url) if url else None


def _my_session_line(f: SessionFacts) -> list[str]:
    url = f.extra.get("my_session")
    return [f"Your private session page, to see the session, cancel it or ask for another time: {url}"] if url else []


def _invite(f: SessionFacts, cancelled: bool = False) -> str:
    return ics.invitation(
        booking_id=f.booking_id, sequence=f.version, starts_at=f.starts_at, duration_minutes=f.duration_minutes,
        summary=f"{f.type_label} therapy session with {f.therapist_name}", location=f.location,
        description=f"Your therapist: {f.therapist_name} ({f.therapist_email}). {POLICY}",
        organizer_name=f.therapist_name, organizer_email=f.therapist_email, attendee_email=f.client_email,
        tz=f.client_tz, cancelled=cancelled,
    )


# --- to therapists ---

def new_booking_email(f: SessionFacts, therapist_tz: str, due_at: datetime, link: str,
                      confirm_link: str | None = None) -> Rendered:
    """`confirm_link`: the private one-tap page (lib.bookings.alert_answers), which shows only what this email shows."""
    rows = [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label),
            ("Attendees", ", ".join((n.split() or ["—"])[0] for n in f.attendees)),
            ("Where", "Online" if f.delivery == "online" else "In person"),
            ("Please answer by", clock.fmt_local(due_at, therapist_tz))]
    if not confirm_link:
        return _both("new_booking", "New session request — please confirm", "You have a new session request",
                     ["A client has booked a session with you. Please review it and answer by the time below."],
                     rows, ("Review the session", link))
    return _both(
        "new_booking", "New session request — please confirm", "You have a new session request",
        ["A client has booked a session with you. Please review it and answer by the time below."],
        rows, ("Check your availability and confirm", confirm_link),
        after=["That private link needs no sign-in and works until the request's cut-off. Only its Confirm Session "
               "button confirms; please don't forward this email.",
               f"To read the client's self-assessment or answer another way, open the session in Booking Desk "
               f"(sign-in): {link}"],
    )


def new_booking_sms(f: SessionFacts, therapist_tz: str, due_at: datetime, link: str,
                    reply_code: str | None = None) -> Rendered:
    text = (f"Booking Desk: new {f.type_label.lower()} session request for "
            f"{clock.fmt_local(f.starts_at, therapist_tz)}. Please answer by "
            f"{clock.fmt_local(due_at, therapist_tz)}: {link}")
    if reply_code:
        text += f" Reply C {reply_code} to confirm."
    return Rendered("new_booking_sms", None, text)


# --- to clients ---

def confirmed_email(f: SessionFacts) -> Rendered:
    return _both(
        "confirmed", "Your therapy session is confirmed", "Your session is confirmed",
        [f"Dear {f.client_first_name},",
         f"{f.therapist_name} has confirmed your session. It is going ahead at the time below. "
         "A calendar invitation is attached."],
        _client_rows(f), _my_session(f), _invite(f), after=[POLICY],
    )


def booking_received_email(f: SessionFacts, assessment_link: str) -> Rendered:
    return _both(
        "booking_received", "We've received your session request", "Thank you for your request",
        [f"Dear {f.client_first_name},",
         f"We've received your request for a session with {f.therapist_name}. You'll hear from us as soon as "
         "it is confirmed, usually within a few working hours.",
         "To help your therapist prepare, please fill in a short, private self-assessment. You can save it "
         "part-way and come back to it through the same link."],
        [("Requested time", clock.fmt_local(f.starts_at, f.client_tz)), ("Session type", f.type_label)],
        ("Fill in your self-assessment", assessment_link),
    )


def rescheduled_email(f: SessionFacts, old_starts_at: datetime, by_client: bool = False) -> Rendered:
    return _both(
        "rescheduled", "Your therapy session has a new time", "Your session has a new time",
        [f"Dear {f.client_first_name},",
         f"{'As you chose' if by_client else 'As agreed'}, your session with {f.therapist_name} has moved from "
         f"{clock.fmt_local(old_starts_at, f.client_tz)} to the time below, and it is confirmed. "
         "The attached invitation updates your calendar."],
        _client_rows(f), _my_session(f), _invite(f), after=[POLICY],
    )


def times_offered_email(f: SessionFacts, offers: list[datetime], link: str, changed: bool = False,
                        stays_booked: bool = False) -> Rendered:
    times = "; ".join(clock.fmt_local(o, f.client_tz) for o in offers)
    if stays_booked:  # the client asked for another time (lib.bookings.client_changes): their session is still booked
        return _both(
            "times_offered_move", "Other times for your session", "Other times for your session",
            [f"Dear {f.client_first_name},",
             f"You asked for another time. {f.therapist_name} can offer these times: {times}.",
             "Please pick one within 24 hours using the private link below. Until you do, your session stays "
             f"booked at {clock.fmt_local(f.starts_at, f.client_tz)}. If none of them suit you, say so through "
             "the same link and your session simply stays at its current time."],
            [("Session type", f.type_label), ("Duration", f"{f.duration_minutes} minutes"), ("Where", f.location)],
            ("Choose a time", link), after=_my_session_line(f),
        )
    first = (f"{f.therapist_name} has changed the times offered to you. The times and link in our earlier "
             f"email no longer work; these are the times on offer now: {times}." if changed else
             f"{f.therapist_name} can't see you at the time you asked for, and offers these times instead: "
             f"{times}.")
    return _both(
        "times_changed" if changed else "times_offered",
        "New times for your session" if changed else "Please choose a new time for your session",
        "The offered times have changed" if changed else "Please choose a new time",
        [f"Dear {f.client_first_name},", first,
         "Please pick the one that suits you within 24 hours using the private link below, or tell us none of "
         "them work and the practice will help you find another time or therapist."],
        [("Session type", f.type_label), ("Duration", f"{f.duration_minutes} minutes"), ("Where", f.location)],
        ("Choose a time", link), after=_my_session_line(f),
    )


def offer_withdrawn_email(f: SessionFacts) -> Rendered:
    return _both(
        "offer_withdrawn", "The times offered for your session were withdrawn", "The offered times were withdrawn",
        [f"Dear {f.client_first_name},",
         f"{f.therapist_name} has withdrawn the other times offered to you, so the link in our earlier email "
         "no longer works. You don't need to do anything.",
         f"Your request for {clock.fmt_local(f.starts_at, f.client_tz)} is with {f.therapist_name} again, and "
         f"we'll email you as soon as {f.therapist_name} answers."], after=_my_session_line(f),
    )


def times_offered_sms(f: SessionFacts, link: str) -> Rendered:
    return Rendered("times_offered_sms", None,
                    f"Hi {f.client_first_name}, {f.therapist_name} has offered new times for your session. "
                    f"Please choose one within 24 hours: {link}")


def declined_client_email(f: SessionFacts) -> Rendered:
    return _both(
        "declined_client", "About your session request", "About your session request",
        [f"Dear {f.client_first_name},",
         f"Thank you for asking to see {f.therapist_name}. Having read your request, {f.therapist_name} isn't the "
         "best fit to help you with what you're looking for, and wants you to get the right support.",
         "Our practice team will be in touch shortly to help you find another therapist. You don't need to do "
         "anything now. If you need urgent help, please contact your GP, call NHS 111, or call 999 in an "
         "emergency."],
    )


def cancelled_client_email(f: SessionFacts, refund: bool | None) -> Rendered:
    refund_line = {True: "You will receive a full refund.", False: "As this is within 48 hours of the session, "
                   "the cancellation policy applies; the practice will contact you about any charge.",
                   None: "You will receive a full refund."}[refund]
    return _both(
        "cancelled", "Your therapy session has been cancelled", "Your session has been cancelled",
        [f"Dear {f.client_first_name},",
         f"We're sorry: your session on {clock.fmt_local(f.starts_at, f.client_tz)} with {f.therapist_name} "
         "has been cancelled.", refund_line,
         "If you'd like to book another time, just reply to this email and we'll help."],
        ics_text=_invite(f, cancelled=True),
    )


def expired_client_email(f: SessionFacts) -> Rendered:
    return _both(
        "expired_client", "About your session request", "We couldn't confirm your session in time",
        [f"Dear {f.client_first_name},",
         f"We're sorry — your request for a session on {clock.fmt_local(f.starts_at, f.client_tz)} couldn't be "
         "confirmed in time, so it has not gone ahead.",
         "Our practice team will contact you to find another time or another therapist. If you need urgent "
         "help, please contact your GP, call NHS 111, or call 999 in an emergency."],
    )


# --- to therapists (follow-ups) ---

def reminder_email(f: SessionFacts, therapist_tz: str, due_at: datetime, link: str) -> Rendered:
    return _both(
        "reminder", "Reminder: a session request is waiting for your answer", "A client is waiting",
        [f"A session request is still waiting for your answer, which is due by "
         f"{clock.fmt_local(due_at, therapist_tz)}."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("Review the session", link),
    )


def reminder_sms(f: SessionFacts, therapist_tz: str, due_at: datetime, link: str) -> Rendered:
    return Rendered("reminder_sms", None, f"Booking Desk: a session request is waiting for your answer (due "
                    f"{clock.fmt_local(due_at, therapist_tz)}): {link}")


def client_picked_email(f: SessionFacts, therapist_tz: str, link: str) -> Rendered:
    return _both(
        "client_picked", "Your client picked a new time — session confirmed", "Session confirmed at a new time",
        ["Your client picked one of the times you offered. The session is confirmed and the client has been "
         "sent the details."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("View the session", link),
    )


def assessment_ready_email(f: SessionFacts, therapist_tz: str, link: str) -> Rendered:
    return _both(
        "assessment_ready", "A self-assessment is ready to review", "A self-assessment is ready",
        ["A client has completed the self-assessment for a session that is waiting for your answer."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("Review the session", link),
    )


# --- to practice managers ---

def _manager(template: str, subject: str, title: str, paragraph: str, f: SessionFacts, link: str,
             extra_rows=()) -> Rendered:
    rows = [("Session", f"{f.type_label}, {clock.fmt_local(f.starts_at, 'Europe/London')}"),
            ("Therapist", f.therapist_name), *extra_rows]
    return _both(template, subject, title, [paragraph], rows, ("Open the session", link))


def escalation_email(f: SessionFacts, due_at: datetime, link: str) -> Rendered:
    return _manager("escalation", "Overdue: a session request has no answer", "A session request is overdue",
                    f"{f.therapist_name} has not answered a session request that was due by "
                    f"{clock.fmt_local(due_at, 'Europe/London')}. Please chase or reassign it.", f, link)


def declined_manager_email(f: SessionFacts, reason: str, help_needed: str, link: str) -> Rendered:
    return _manager("declined_manager", "A therapist declined a session: please find another therapist",
                    "Please find this client another therapist",
                    f"{f.therapist_name} answered \"not the best fit\". The presenting issues noted are on the "
                    "session page (kept out of email for the client's privacy).", f, link,
                    [("Reason", reason), ("Kind of help the client needs", help_needed or "—")])


def none_fits_manager_email(f: SessionFacts, link: str) -> Rendered:
    return _manager("none_fits", "A client couldn't use any offered time", "None of the offered times suit the client",
                    "The client said none of the offered times work; the session is cancelled. Please contact the "
                    "client to arrange another time or therapist.", f, link)


def expired_manager_email(f: SessionFacts, link: str, offer: bool = False) -> Rendered:
    what = "The client didn't pick any of the offered times within 24 hours" if offer else \
        "Nobody answered this session request before its cut-off"
    return _manager("expired_offer" if offer else "expired_manager", "A session request expired",
                    "A session request expired", f"{what}, so it has expired. The client has been told kindly; "
                    "please follow up with the client.", f, link)


# --- when plans change (lib.bookings.client_changes, lib.bookings.away) ---

def client_cancelled_email(f: SessionFacts, late: bool) -> Rendered:
    """The one email a client gets after cancelling through their session page."""
    refund = ("You cancelled less than 48 hours before the session, so under the cancellation policy the practice "
              "decides about a refund. The practice team will contact you about it." if late else
              "You cancelled more than 48 hours before the session, so you will get a full refund.")
    return _both(
        "client_cancelled", "Your therapy session is cancelled", "Your session is cancelled",
        [f"Dear {f.client_first_name},",
         f"As you asked, your session on {clock.fmt_local(f.starts_at, f.client_tz)} with {f.therapist_name} is "
         f"cancelled, and {f.therapist_name} has been told.", refund,
         "The attached calendar update removes the session from your calendar. If you'd like to book again, just "
         "reply to this email and we'll help."],
        ics_text=_invite(f, cancelled=True),
    )


def cancelled_by_client_email(f: SessionFacts, therapist_tz: str, late: bool, link: str) -> Rendered:
    return _both(
        "client_cancelled_therapist", "A client cancelled a session", "A client cancelled a session",
        ["The client cancelled this session through the private session page we sent. The time is free again."
         + (" It was less than 48 hours away: the practice team decides about the refund." if late else ""),
         "The reason, if one was given, is on the session page."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("View the session", link),
    )


def time_asked_email(f: SessionFacts, therapist_tz: str, link: str) -> Rendered:
    return _both(
        "time_asked", "A client asked for another time", "A client asked for another time",
        ["The client asked to move this session. It stays booked at its current time until you answer: agree a "
         "new time, offer times, or say no with a message. Their preferred times and note are on the session page."],
        [("Booked for", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("Answer the request", link),
    )


def time_request_declined_email(f: SessionFacts, message: str) -> Rendered:
    return _both(
        "time_request_no", "About your request for another time", "About your request for another time",
        [f"Dear {f.client_first_name},",
         f"{f.therapist_name} can't move your session, and wrote:", message,
         f"Your session stays booked at {clock.fmt_local(f.starts_at, f.client_tz)}."],
        _client_rows(f), _my_session(f), after=[POLICY],
    )


def kept_time_email(f: SessionFacts, therapist_tz: str, link: str) -> Rendered:
    return _both(
        "kept_time", "Your client kept the current time", "The client kept the current time",
        ["None of the times you offered suit the client, so the session stays booked at its current time."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("View the session", link),
    )


def received_while_away_email(f: SessionFacts, assessment_link: str, away_until: datetime) -> Rendered:
    """A new request for a therapist who is away: kind and true (the practice team has it)."""
    return _both(
        "received_away", "We've received your session request", "Thank you for your request",
        [f"Dear {f.client_first_name},",
         f"We've received your request for a session with {f.therapist_name}. {f.therapist_name} is away until "
         f"{clock.fmt_local(away_until, f.client_tz)}, so our practice team has your request and will be in touch "
         "with you about it. Your session is not confirmed yet.",
         "To help us prepare, please fill in a short, private self-assessment. You can save it part-way and come "
         "back to it through the same link."],
        [("Requested time", clock.fmt_local(f.starts_at, f.client_tz)), ("Session type", f.type_label)],
        ("Fill in your self-assessment", assessment_link),
    )


def therapist_away_manager_email(f: SessionFacts, away_until: datetime, link: str) -> Rendered:
    return _manager("therapist_away", "A request arrived while the therapist is away",
                    "A request for a therapist who is away",
                    f"{f.therapist_name} is away until {clock.fmt_local(away_until, 'Europe/London')}. The request is "
                    "on the practice team's list: please contact the client or reassign it. The client was told the "
                    "team will be in touch.", f, link)


TEMPLATE_TITLES = {
    "new_booking": "New session request (therapist, email)",
    "new_booking_sms": "New session request (therapist, SMS)",
    "booking_received": "Request received + self-assessment link (client, email)",
    "confirmed": "Session confirmed (client, email)",
    "rescheduled": "New time agreed (client, email)",
    "times_offered": "Other times offered (client, email)",
    "times_offered_sms": "Other times offered (client, SMS)",
    "times_changed": "Offered times changed (client, email)",
    "offer_withdrawn": "Offered times withdrawn (client, email)",
    "declined_client": "Not the best fit (client, email)",
    "cancelled": "Session cancelled (client, email)",
    "expired_client": "Request expired (client, email)",
    "reminder": "Reminder: answer due soon (therapist, email)",
    "reminder_sms": "Reminder: answer due soon (therapist, SMS)",
    "client_picked": "Client picked an offered time (therapist, email)",
    "assessment_ready": "Self-assessment ready to review (therapist, email)",
    "escalation": "Overdue request (managers, email)",
    "declined_manager": "Declined — find another therapist (managers, email)",
    "none_fits": "No offered time suits the client (managers, email)",
    "expired_manager": "Request expired (managers, email)",
    "expired_offer": "Offer expired (managers, email)",
    "times_offered_move": "Other times offered for a booked session (client, email)",
    "client_cancelled": "Cancelled by the client (client, email)",
    "client_cancelled_therapist": "Client cancelled (therapist, email)",
    "kept_time": "Client kept the current time (therapist, email)",
    "time_asked": "Client asked for another time (therapist, email)",
    "time_request_no": "Another time: the therapist said no (client, email)",
    "received_away": "Request received, therapist away (client, email)",
    "therapist_away": "Request while the therapist is away (managers, email)",
}
