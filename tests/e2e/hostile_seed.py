"""Load hostile text into every field a client or an import supplies (run as a module, DATABASE_URL set)."""
from datetime import timedelta

from sqlalchemy import select

from lib.bookings import answers
from lib.bookings.intake import NewBooking, create_booking
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.models import Assessment, User
from lib.people.auth import actor_for
from lib.practice.rules import Rules
from tests.hostile import HOSTILE


def main() -> None:
    now = clock.now()
    ids = []
    with unit_of_work(write=True) as s:
        alice = s.scalar(select(User).where(User.username == "alice"))
        rules = Rules.load(s)
        for i, text in enumerate(HOSTILE):
            req = NewBooking(
                therapist_username="alice", client_name=text[:200], client_email=f"hostile{i}@client.example",
                client_phone=None, session_type="couple", attendees=[text[:200], f"Partner {text[:150]}"],
                starts_at=(now + timedelta(days=3 + i)).replace(hour=10, minute=0, second=0, microsecond=0),
                duration_minutes=50, delivery="in_person" if i % 2 else "online",
                video_service=text[:200], address=text[:500], requested_at=now - timedelta(hours=i),
                join_details=text[:500],
            )
            b = create_booking(s, rules, alice, req).booking
            s.add(Assessment(relationship_id=b.relationship_id, phq9=[1] * 9, gad7=[1] * 7,
                             help_with=["Anxiety"], free_text=text, updated_at=now))
            ids.append(b.id)
    # A decline carries therapist-typed text into the history and the managers' email.
    alice_actor = actor_for("alice")
    answers.decline_not_fit(alice_actor, ids[0], 1, HOSTILE[1], HOSTILE[3], HOSTILE[0])
    print(",".join(map(str, ids)))


if __name__ == "__main__":
    main()
