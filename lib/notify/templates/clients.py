"""Messages to clients: received, confirmed, moved, times offered, declined, cancelled, expired.

Privacy: no assessment content, risk flag or diagnosis ever appears here."""
from __future__ import annotations

from datetime import datetime

from lib.core import clock
from lib.notify.templates.parts import (
    POLICY,
    Rendered,
    SessionFacts,
    client_rows,
    invitation,
    my_session_lines,
    my_session_link,
    render,
)


def confirmed_email(f: SessionFacts) -> Rendered:
    return render(
        "confirmed", "Your therapy session is confirmed", "Your session is confirmed",
        [f"Dear {f.client_first_name},",
         f"{f.therapist_name} has confirmed your session. It is going ahead at the time below. "
         "A calendar invitation is attached."],
        client_rows(f), my_session_link(f), invitation(f), after=[POLICY],
    )


def booking_received_email(f: SessionFacts, assessment_link: str) -> Rendered:
    return render(
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
    return render(
        "rescheduled", "Your therapy session has a new time", "Your session has a new time",
        [f"Dear {f.client_first_name},",
         f"{'As you chose' if by_client else 'As agreed'}, your session with {f.therapist_name} has moved from "
         f"{clock.fmt_local(old_starts_at, f.client_tz)} to the time below, and it is confirmed. "
         "The attached invitation updates your calendar."],
        client_rows(f), my_session_link(f), invitation(f), after=[POLICY],
    )


def times_offered_email(f: SessionFacts, offers: list[datetime], link: str, changed: bool = False,
                        stays_booked: bool = False) -> Rendered:
    times = "; ".join(clock.fmt_local(o, f.client_tz) for o in offers)
    if stays_booked:  # the client asked for another time (lib.bookings.client_changes): their session is still booked
        return render(
            "times_offered_move", "Other times for your session", "Other times for your session",
            [f"Dear {f.client_first_name},",
             f"You asked for another time. {f.therapist_name} can offer these times: {times}.",
             "Please pick one within 24 hours using the private link below. Until you do, your session stays "
             f"booked at {clock.fmt_local(f.starts_at, f.client_tz)}. If none of them suit you, say so through "
             "the same link and your session simply stays at its current time."],
            [("Session type", f.type_label), ("Duration", f"{f.duration_minutes} minutes"), ("Where", f.location)],
            ("Choose a time", link), after=my_session_lines(f),
        )
    first = (f"{f.therapist_name} has changed the times offered to you. The times and link in our earlier "
             f"email no longer work; these are the times on offer now: {times}." if changed else
             f"{f.therapist_name} can't see you at the time you asked for, and offers these times instead: "
             f"{times}.")
    return render(
        "times_changed" if changed else "times_offered",
        "New times for your session" if changed else "Please choose a new time for your session",
        "The offered times have changed" if changed else "Please choose a new time",
        [f"Dear {f.client_first_name},", first,
         "Please pick the one that suits you within 24 hours using the private link below, or tell us none of "
         "them work and the practice will help you find another time or therapist."],
        [("Session type", f.type_label), ("Duration", f"{f.duration_minutes} minutes"), ("Where", f.location)],
        ("Choose a time", link), after=my_session_lines(f),
    )


def offer_withdrawn_email(f: SessionFacts) -> Rendered:
    return render(
        "offer_withdrawn", "The times offered for your session were withdrawn", "The offered times were withdrawn",
        [f"Dear {f.client_first_name},",
         f"{f.therapist_name} has withdrawn the other times offered to you, so the link in our earlier email "
         "no longer works. You don't need to do anything.",
         f"Your request for {clock.fmt_local(f.starts_at, f.client_tz)} is with {f.therapist_name} again, and "
         f"we'll email you as soon as {f.therapist_name} answers."], after=my_session_lines(f),
    )


def times_offered_sms(f: SessionFacts, link: str) -> Rendered:
    return Rendered("times_offered_sms", None,
                    f"Hi {f.client_first_name}, {f.therapist_name} has offered new times for your session. "
                    f"Please choose one within 24 hours: {link}")


def declined_client_email(f: SessionFacts) -> Rendered:
    return render(
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
    return render(
        "cancelled", "Your therapy session has been cancelled", "Your session has been cancelled",
        [f"Dear {f.client_first_name},",
         f"We're sorry: your session on {clock.fmt_local(f.starts_at, f.client_tz)} with {f.therapist_name} "
         "has been cancelled.", refund_line,
         "If you'd like to book another time, just reply to this email and we'll help."],
        ics_text=invitation(f, cancelled=True),
    )


def expired_client_email(f: SessionFacts) -> Rendered:
    return render(
        "expired_client", "About your session request", "We couldn't confirm your session in time",
        [f"Dear {f.client_first_name},",
         f"We're sorry — your request for a session on {clock.fmt_local(f.starts_at, f.client_tz)} couldn't be "
         "confirmed in time, so it has not gone ahead.",
         "Our practice team will contact you to find another time or another therapist. If you need urgent "
         "help, please contact your GP, call NHS 111, or call 999 in an emergency."],
    )


def client_cancelled_email(f: SessionFacts, late: bool) -> Rendered:
    """The one email a client gets after cancelling through their session page."""
    refund = ("You cancelled less than 48 hours before the session, so under the cancellation policy the practice "
              "decides about a refund. The practice team will contact you about it." if late else
              "You cancelled more than 48 hours before the session, so you will get a full refund.")
    return render(
        "client_cancelled", "Your therapy session is cancelled", "Your session is cancelled",
        [f"Dear {f.client_first_name},",
         f"As you asked, your session on {clock.fmt_local(f.starts_at, f.client_tz)} with {f.therapist_name} is "
         f"cancelled, and {f.therapist_name} has been told.", refund,
         "The attached calendar update removes the session from your calendar. If you'd like to book again, just "
         "reply to this email and we'll help."],
        ics_text=invitation(f, cancelled=True),
    )


def time_request_declined_email(f: SessionFacts, message: str) -> Rendered:
    return render(
        "time_request_no", "About your request for another time", "About your request for another time",
        [f"Dear {f.client_first_name},",
         f"{f.therapist_name} can't move your session, and wrote:", message,
         f"Your session stays booked at {clock.fmt_local(f.starts_at, f.client_tz)}."],
        client_rows(f), my_session_link(f), after=[POLICY],
    )


def received_while_away_email(f: SessionFacts, assessment_link: str, away_until: datetime) -> Rendered:
    """A new request for a therapist who is away: kind and true (the practice team has it)."""
    return render(
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
