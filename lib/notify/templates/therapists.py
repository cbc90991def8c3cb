"""Messages to therapists: a new request (email and SMS), reminders, a client's choice, changes they asked for.

An SMS carries no client surname."""
from __future__ import annotations

from datetime import datetime

from lib.core import clock
from lib.notify.templates.parts import (
    Rendered,
    SessionFacts,
    render,
)


def new_booking_email(f: SessionFacts, therapist_tz: str, due_at: datetime, link: str,
                      confirm_link: str | None = None) -> Rendered:
    """`confirm_link`: the private one-tap page (lib.bookings.alert_answers), which shows only what this email shows."""
    rows = [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label),
            ("Attendees", ", ".join((n.split() or ["—"])[0] for n in f.attendees)),
            ("Where", "Online" if f.delivery == "online" else "In person"),
            ("Please answer by", clock.fmt_local(due_at, therapist_tz))]
    if not confirm_link:
        return render("new_booking", "New session request — please confirm", "You have a new session request",
                     ["A client has booked a session with you. Please review it and answer by the time below."],
                     rows, ("Review the session", link))
    return render(
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


def reminder_email(f: SessionFacts, therapist_tz: str, due_at: datetime, link: str) -> Rendered:
    return render(
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
    return render(
        "client_picked", "Your client picked a new time — session confirmed", "Session confirmed at a new time",
        ["Your client picked one of the times you offered. The session is confirmed and the client has been "
         "sent the details."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("View the session", link),
    )


def assessment_ready_email(f: SessionFacts, therapist_tz: str, link: str) -> Rendered:
    return render(
        "assessment_ready", "A self-assessment is ready to review", "A self-assessment is ready",
        ["A client has completed the self-assessment for a session that is waiting for your answer."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("Review the session", link),
    )


def cancelled_by_client_email(f: SessionFacts, therapist_tz: str, late: bool, link: str) -> Rendered:
    return render(
        "client_cancelled_therapist", "A client cancelled a session", "A client cancelled a session",
        ["The client cancelled this session through the private session page we sent. The time is free again."
         + (" It was less than 48 hours away: the practice team decides about the refund." if late else ""),
         "The reason, if one was given, is on the session page."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("View the session", link),
    )


def time_asked_email(f: SessionFacts, therapist_tz: str, link: str) -> Rendered:
    return render(
        "time_asked", "A client asked for another time", "A client asked for another time",
        ["The client asked to move this session. It stays booked at its current time until you answer: agree a "
         "new time, offer times, or say no with a message. Their preferred times and note are on the session page."],
        [("Booked for", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("Answer the request", link),
    )


def kept_time_email(f: SessionFacts, therapist_tz: str, link: str) -> Rendered:
    return render(
        "kept_time", "Your client kept the current time", "The client kept the current time",
        ["None of the times you offered suit the client, so the session stays booked at its current time."],
        [("Date and time", clock.fmt_local(f.starts_at, therapist_tz)), ("Session type", f.type_label)],
        ("View the session", link),
    )
