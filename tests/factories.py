"""Test data built through the same service code the app uses."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lib.bookings.intake import NewBooking, create_booking
from lib.core import clock
from lib.core.access import Actor
from lib.core.db import unit_of_work
from lib.core.models import Assessment, User
from lib.people import auth
from lib.practice.rules import Rules

PASSWORD = "correct-horse-battery-staple"
WEEKDAYS = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [], "sun": []}


@dataclass
class Practice:
    alice: Actor
    bob: Actor
    morgan: Actor
    ids: dict = field(default_factory=dict)

    @classmethod
    def build(cls) -> Practice:
        with unit_of_work(write=True) as s:
            a = auth.add_user(s, "alice", "Alice Moreno", "alice@practice.example", "therapist", PASSWORD,
                              working_hours=WEEKDAYS, phone="+442079460123", sms_opt_in=True,
                              sms_phone="+447911123456", sms_verified_phone="+447911123456")
            b = auth.add_user(s, "bob", "Bob Okafor", "bob@practice.example", "therapist", PASSWORD,
                              working_hours=WEEKDAYS)
            m = auth.add_user(s, "morgan", "Morgan Reid", "morgan@practice.example", "manager", PASSWORD)
            actors = [auth._actor(u) for u in (a, b, m)]
        return cls(*actors)


def book(therapist: Actor, client: str = "Hannah Whitfield", email: str | None = None,
         starts_at: datetime | None = None, requested_ago: timedelta = timedelta(hours=1), notify: bool = True,
         **kw) -> int:
    """Create an unconfirmed booking; returns its id."""
    now = clock.now()
    req = NewBooking(
        therapist_username=therapist.username, client_name=client,
        client_email=email or f"{client.split()[0].lower()}@client.example", client_phone=kw.pop("client_phone", None),
        session_type=kw.pop("session_type", "individual"), attendees=kw.pop("attendees", [client]),
        starts_at=starts_at or (now + timedelta(days=2)).replace(hour=11, minute=0),
        duration_minutes=kw.pop("duration_minutes", 50), delivery=kw.pop("delivery", "online"),
        video_service=kw.pop("video_service", "Zoom"), address=kw.pop("address", None),
        requested_at=now - requested_ago, join_details=kw.pop("join_details", "https://zoom.test/j/1"), **kw,
    )
    with unit_of_work(write=True) as s:
        user = s.get(User, therapist.id)
        return create_booking(s, Rules.load(s), user, req, notify=notify).booking.id


def assess(booking_id: int, phq9=None, gad7=None, help_with=None, free_text=None) -> None:
    from lib.core.models import Booking

    with unit_of_work(write=True) as s:
        b = s.get(Booking, booking_id)
        s.add(Assessment(relationship_id=b.relationship_id, phq9=phq9 or [], gad7=gad7 or [],
                         help_with=help_with or [], free_text=free_text, updated_at=clock.now()))
