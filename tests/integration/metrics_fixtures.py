"""Hand-worked requests for the response-time tests, made through the real booking and confirm code.

The practice keeps the default hours (Mon–Fri 09:00–17:30 London, bank holidays of England,
4-business-hour target). Each request's expected business seconds are worked out by hand in
the comments; the clock is moved (never slept) between the request and the answer.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lib.bookings import dashboard as bookings
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.models import Booking, BookingEvent
from tests.conftest import NOW
from tests.factories import book

LONDON = ZoneInfo("Europe/London")


def london(text: str) -> datetime:
    """'2026-11-20 17:00' London wall-clock time → naive UTC."""
    return clock.to_utc_naive(datetime.fromisoformat(text).replace(tzinfo=LONDON))


def request(therapist, at: str, starts_after: timedelta = timedelta(days=10), **kw) -> int:
    """A client's request made at London time `at`."""
    requested = london(at)
    clock.freeze(requested)
    try:
        return book(therapist, email=f"client{requested:%Y%m%d%H%M}@client.test", requested_ago=timedelta(0),
                    starts_at=requested + starts_after, notify=False, **kw)
    finally:
        clock.freeze(NOW)


def answer(therapist, booking_id: int, at: str) -> None:
    """The therapist confirms at London time `at`."""
    clock.freeze(london(at))
    try:
        with unit_of_work() as s:
            version = s.get(Booking, booking_id).version
        bookings.confirm(therapist, booking_id, version)
    finally:
        clock.freeze(NOW)


def client_cancels(booking_id: int, at: str) -> None:
    """The client cancels through their link before anyone answered (no answer is recorded)."""
    with unit_of_work(write=True) as s:
        b = s.get(Booking, booking_id)
        b.status = "cancelled"
        s.add(BookingEvent(booking_id=b.id, kind="cancelled", actor="client", at=london(at)))


def expires(booking_id: int) -> None:
    """Nobody answered before the expiry time: the expiry job closes it."""
    with unit_of_work(write=True) as s:
        b = s.get(Booking, booking_id)
        b.status = "expired"
        s.add(BookingEvent(booking_id=b.id, kind="expired", actor="system", at=b.expires_at))


# Alice answers six requests (business seconds / calendar seconds):
ALICE = [
    # Friday 17:00 → Monday 10:00: 30 min on Friday + 1 h on Monday = 1.5 h; 65 calendar hours
    ("2026-11-20 17:00", "2026-11-23 10:00", 5400, 65 * 3600),
    # Across Easter (Good Friday 3 Apr, Easter Monday 6 Apr): Thu 17:00 → Tue 10:00 = 0.5 h + 1 h; 113 h
    ("2026-04-02 17:00", "2026-04-07 10:00", 5400, 113 * 3600),
    # Spring clock change (Sun 29 Mar): Fri 16:00 GMT → Mon 10:00 BST = 1.5 h + 1 h; 65 h (one hour lost)
    ("2026-03-27 16:00", "2026-03-30 10:00", 9000, 65 * 3600),
    # Autumn clock change (Sun 25 Oct): Fri 16:00 BST → Mon 10:00 GMT = 1.5 h + 1 h; 67 h (one hour gained)
    ("2026-10-23 16:00", "2026-10-26 10:00", 9000, 67 * 3600),
    # Outside hours: Tue 20:00 → Wed 09:30 — the clock starts at Wednesday's opening: 30 min; 13.5 h
    ("2026-11-17 20:00", "2026-11-18 09:30", 1800, int(13.5 * 3600)),
    # Slow: Mon 09:00 → Mon 15:00 = 6 h, past the 4 h target
    ("2026-11-16 09:00", "2026-11-16 15:00", 21600, 6 * 3600),
]


def build_alice(alice) -> list[int]:
    ids = []
    for i, (asked, answered, _, _) in enumerate(ALICE):
        bid = request(alice, asked, starts_after=timedelta(days=10, hours=i))
        answer(alice, bid, answered)
        ids.append(bid)
    return ids


def build_bob(bob) -> dict[str, int]:
    """Bob answers nothing. Now is Tue 24 Nov 10:00."""
    ids = {}
    # Unanswered past target: Mon 23 Nov 09:00, due 13:00; waited Mon 8.5 h + Tue 1 h = 9.5 h so far; 25 calendar h
    ids["ignored"] = request(bob, "2026-11-23 09:00")
    # Still in time: Tue 09:30, due 13:30 — not counted yet
    ids["waiting"] = request(bob, "2026-11-24 09:30", starts_after=timedelta(days=10, hours=1))
    # Cancelled by the client an hour after asking, before any answer — left out
    ids["cancelled"] = request(bob, "2026-11-23 11:00", starts_after=timedelta(days=10, hours=2))
    client_cancels(ids["cancelled"], "2026-11-23 12:00")
    # Expired unanswered: Thu 19 Nov 09:00 for a session at 14:00 the same day (expires at the start);
    # waited 09:00–14:00 = 5 business hours, 5 calendar hours
    ids["expired"] = request(bob, "2026-11-19 09:00", starts_after=timedelta(hours=5))
    expires(ids["expired"])
    return ids
