"""Calendar invitations. One stable UID per session, so a change updates the same entry."""
from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from lib.core import clock


def uid_for(booking_id: int) -> str:
    return f"session-{booking_id}@booking-desk"


def invitation(*, booking_id: int, sequence: int, starts_at, duration_minutes: int, summary: str,
               location: str, description: str, organizer_name: str, organizer_email: str,
               attendee_email: str, tz: str, cancelled: bool = False) -> str:
    cal = Calendar()
    cal.add("prodid", "-//Booking Desk//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    ev = Event()
    ev.add("uid", uid_for(booking_id))
    ev.add("sequence", sequence)
    ev.add("dtstamp", clock.now().replace(tzinfo=UTC))
    start = clock.local(starts_at, tz)
    ev.add("dtstart", start)
    ev.add("dtend", start + timedelta(minutes=duration_minutes))
    ev.add("summary", summary)
    ev.add("location", location)
    ev.add("description", description)
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(organizer_name)
    ev["organizer"] = organizer
    ev.add("attendee", f"mailto:{attendee_email}")
    cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical().decode()
