"""The demo practice: a few therapists, believable clients and sessions in every state.

Only this module creates the demo accounts (alice, bob, morgan).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lib.bookings.changes import record_first_response
from lib.bookings.intake import NewBooking, create_booking
from lib.core import clock, crypto
from lib.core.db import unit_of_work
from lib.core.models import Assessment, BookingEvent, User
from lib.demo import history as demo_history  # twelve weeks of answered requests: believable /metrics
from lib.people import auth
from lib.practice import rules as practice
from lib.practice.rules import Rules

DEMO_PASSWORD = "booking-desk-demo"

THERAPIST_HOURS = {
    "alice": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [], "sun": []},
    "bob": {d: [["10:00", "20:00"]] for d in ("mon", "tue", "wed", "thu")} | {"fri": [], "sat": [["09:00", "13:00"]], "sun": []},
}


def is_empty() -> bool:
    with unit_of_work() as s:
        return (s.scalar(select(func.count()).select_from(User)) or 0) == 0


def _answered(s: Session, b, actor: str, at: datetime, rules: Rules, status: str = "confirmed") -> None:
    b.status = status
    record_first_response(b, rules, at)
    s.add(BookingEvent(booking_id=b.id, kind=status, actor=actor, at=at))


def seed_demo() -> dict:
    crypto.make_demo_key()  # the demo practice's own key, unless one is configured
    now = clock.now()
    with unit_of_work(write=True) as s:
        practice.set_value(s, practice.DEMO_MARKER, True)
        s.flush()
        rules = Rules.load(s)
        alice = auth.add_user(s, "alice", "Alice Moreno", "alice@practice.example", "therapist", DEMO_PASSWORD,
                              check_password=False, phone="+442079460123", sms_opt_in=True,
                              sms_phone="+447911123456", sms_verified_phone="+447911123456",
                              working_hours=THERAPIST_HOURS["alice"],
                              addresses=["12 Harley Street, London W1G 9PF"], video_services=["Zoom", "Doxy.me"])
        bob = auth.add_user(s, "bob", "Bob Okafor", "bob@practice.example", "therapist", DEMO_PASSWORD,
                            check_password=False, phone="+441614960789", working_hours=THERAPIST_HOURS["bob"],
                            addresses=["5 Deansgate, Manchester M3 2BA"], video_services=["Zoom"])
        auth.add_user(s, "morgan", "Morgan Reid", "morgan@practice.example", "manager", DEMO_PASSWORD,
                      check_password=False)
        H = timedelta(hours=1)
        D = timedelta(days=1)

        def at_local_hour(days_ahead: int, hour: int) -> datetime:
            day = (now + days_ahead * D).replace(hour=hour, minute=0, second=0, microsecond=0)
            return day

        def book(therapist, client, email, start, requested_ago, kind="individual", attendees=None,
                 delivery="online", phone=None, tz="Europe/London", duration=50, notify=True):
            req = NewBooking(
                therapist_username=therapist.username, client_name=client, client_email=email, client_phone=phone,
                session_type=kind, attendees=attendees or [client], starts_at=start, duration_minutes=duration,
                delivery=delivery, video_service="Zoom" if delivery == "online" else None,
                join_details="https://zoom.example/j/5550101 (passcode sent by your therapist)" if delivery == "online" else None,
                address=therapist.addresses[0] if delivery == "in_person" else None,
                requested_at=now - requested_ago, client_timezone=tz,
            )
            return create_booking(s, rules, therapist, req, notify=notify).booking

        def assess(b, phq9, gad7, help_with, text, ago):
            s.add(Assessment(relationship_id=b.relationship_id, phq9=phq9, gad7=gad7, help_with=help_with,
                             free_text=text, updated_at=now - ago))

        # Alice's queue: overdue, risk flag, couple, family, fresh.
        b1 = book(alice, "Hannah Whitfield", "hannah.whitfield@example.com", at_local_hour(3, 10), 26 * H,
                  phone="+447911123457")
        assess(b1, [2, 2, 1, 2, 1, 2, 1, 0, 1], [2, 3, 2, 2, 1, 2, 1], ["Depression", "Anxiety"],
               "I've been struggling since losing my job in the summer. Some days I can't get out of bed.", 20 * H)
        b2 = book(alice, "Tomás Ferreira", "tomas.ferreira@example.com", at_local_hour(5, 14), 3 * H,
                  kind="couple", attendees=["Tomás Ferreira", "Inês Ferreira"], delivery="in_person")
        assess(b2, [1, 1, 0, 1, 0, 1, None, None, None], [1, 2, None, None, None, None, None],
               ["Relationships"], "", 2 * H)
        book(alice, "Zoë Lambert", "zoe.lambert@example.com", at_local_hour(2, 16), 40 * timedelta(minutes=1))
        b4 = book(alice, "Priya Raman", "priya.raman@example.com", at_local_hour(6, 11), 5 * H, kind="family",
                  attendees=["Priya Raman", "Arjun Raman", "Meera Raman"], duration=80, tz="Asia/Kolkata")
        assess(b4, [0, 1, 0, 1, 0, 0, 1, 0, 0], [1, 1, 1, 0, 0, 1, 0], ["Family", "Stress"],
               "We'd like help communicating as a family after my father moved in with us.", 4 * H)
        b5 = book(alice, "Daniel Kowalski", "daniel.kowalski@example.com", at_local_hour(4, 9), 50 * H)
        assess(b5, [3, 3, 2, 3, 2, 3, 2, 1, 0], [3, 3, 3, 2, 2, 3, 2], ["Anxiety", "Work", "Sleep"],
               "Panic attacks at work, mostly in meetings.", 49 * H)

        # Bob's queue.
        b6 = book(bob, "Grace O'Neill", "grace.oneill@example.com", at_local_hour(3, 18), 2 * H)
        assess(b6, [1, 2, 1, 1, 0, 1, 0, 0, 0], [2, 2, 2, 1, 1, 1, 1], ["Bereavement"],
               "My mum died in March and I haven't been coping.", 1 * H)
        book(bob, "Lewis & Amira Grant", "lewis.grant@example.com", at_local_hour(8, 11), 6 * H, kind="group",
             attendees=["Lewis Grant", "Amira Grant", "Sam Grant", "Joe Grant"], delivery="in_person")

        # Confirmed: upcoming this week and past history.
        history = [
            (alice, "Oliver Bennett", "oliver.bennett@example.com", 1, 11, 0),
            (alice, "Fatima Zahra", "fatima.zahra@example.com", 2, 15, 0),
            (bob, "Chen Wei", "chen.wei@example.com", 1, 17, 0),
            (alice, "Oliver Bennett", "oliver.bennett@example.com", -7, 11, 1),
            (alice, "Oliver Bennett", "oliver.bennett@example.com", -14, 11, 1),
            (bob, "Chen Wei", "chen.wei@example.com", -6, 17, 1),
        ]
        for therapist, name, email, days, hour, past in history:
            start = at_local_hour(days, hour)
            req_ago = (now - start) + 5 * D if past else 3 * D
            b = book(therapist, name, email, start, req_ago, notify=False)
            _answered(s, b, therapist.username, b.requested_at + timedelta(hours=2, minutes=15), rules)
        demo_history.add(s, rules, [alice, bob], now, _answered)
        return {"users": 3}
