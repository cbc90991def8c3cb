"""Dashboard and session page server time at a million bookings, against an empty page."""
from __future__ import annotations

from sqlalchemy import select

from bench import apptime, data
from lib.core import db
from lib.core.models import Booking, User


def _subject(url: str) -> tuple[str, int]:
    """A therapist from the large data set with an open queue, and one of their sessions."""
    with db.engine(url).connect() as conn:
        row = conn.execute(
            select(User.username, Booking.id).join(Booking, Booking.therapist_id == User.id)
            .where(Booking.status == "unconfirmed").order_by(Booking.id).limit(1)
        ).first()
    return row[0], row[1]


def run(report) -> None:
    for label, make in (("sqlite", data.large_sqlite), ("postgres", data.large_postgres)):
        url = make()
        username, booking_id = _subject(url)
        dash, empty1 = apptime.page_vs_empty(url, username, "dashboard.py")
        session, empty2 = apptime.page_vs_empty(url, username, "session.py", {"id": str(booking_id)})
        print(f"  {label}: dashboard {dash * 1000:.1f} ms vs empty {empty1 * 1000:.1f} ms; "
              f"session page {session * 1000:.1f} ms vs empty {empty2 * 1000:.1f} ms", flush=True)
        report(f"dashboard_vs_empty_{label}", dash / empty1)
        report(f"session_vs_empty_{label}", session / empty2)
