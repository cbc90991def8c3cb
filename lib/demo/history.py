"""Twelve weeks of answered requests for the demo practice, so /metrics shows believable figures on any day.

Without them the demo's few answered requests gave no figure for most views, or "median 0 min" on a day
when the only ones counted were answered before the practice opened. Requests arrive on working days, most
in opening hours and some in the evening; answers follow after a business-hours delay drawn from a fixed
seed (the same figures on every machine), mostly within the 4-hour target, a few well after it.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from lib.bookings.intake import NewBooking, create_booking
from lib.core.models import User
from lib.practice.business_hours import add_business_seconds
from lib.practice.rules import Rules

WEEKS = 12
CLIENTS = ["Ruth Adeyemi", "Marcus Hale", "Sofia Lindqvist", "Ben Carter", "Aisha Rahman", "Tom Fletcher",
           "Niamh Byrne", "Kwame Mensah", "Ella Novak", "Jack Morrison", "Leila Haddad", "Owen Price"]
# Minutes of business time to a first answer: (low, high) and how often, per therapist. Alice is quicker.
DELAYS = {"alice": [((20, 90), 5), ((90, 200), 4), ((200, 300), 2), ((300, 600), 1)],
          "bob": [((30, 120), 3), ((120, 230), 4), ((230, 420), 3), ((420, 900), 1)]}


def _delay(rng: random.Random, username: str) -> timedelta:
    bands = DELAYS[username]
    (low, high), = rng.choices([b for b, _ in bands], weights=[w for _, w in bands])
    return timedelta(minutes=rng.randint(low, high))


def add(s: Session, rules: Rules, therapists: list[User], now: datetime, answered) -> int:
    """Answered, confirmed past sessions for each therapist; `answered` records the first answer (lib.demo.seed)."""
    rng = random.Random(20)
    made = 0
    for therapist in therapists:
        for days_ago in range(WEEKS * 7, 0, -1):
            day = (now - timedelta(days=days_ago)).replace(second=0, microsecond=0)
            if day.weekday() >= 5 or rng.random() < 0.35:  # working days, about three requests a week each
                continue
            hour = rng.choice([9, 10, 11, 12, 13, 14, 15, 16, 16, 19, 21])  # some arrive after closing
            requested = day.replace(hour=hour, minute=rng.randrange(0, 60, 5))
            first_answer = add_business_seconds(requested, _delay(rng, therapist.username).total_seconds(),
                                                rules.calendar)
            starts = (requested + timedelta(days=3)).replace(hour=rng.choice([10, 11, 14, 15]), minute=0)
            if starts >= now - timedelta(hours=2) or first_answer >= now:
                continue  # only the past: the demo's dashboards and queues stay as they are
            client = rng.choice(CLIENTS)
            req = NewBooking(
                therapist_username=therapist.username, client_name=client,
                client_email=f"{client.lower().replace(' ', '.')}@example.com", client_phone=None,
                session_type="individual", attendees=[client], starts_at=starts, duration_minutes=50,
                delivery="online", video_service="Zoom", address=None, requested_at=requested,
            )
            b = create_booking(s, rules, therapist, req, notify=False).booking
            answered(s, b, therapist.username, first_answer, rules)
            made += 1
    return made
