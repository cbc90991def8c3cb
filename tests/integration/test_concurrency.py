"""Two tabs (or two people) acting at once: one winner, one message, a clear answer for the other."""
import threading
from datetime import timedelta

from sqlalchemy import func, select

from lib.bookings import dashboard as bookings
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import Booking, BookingEvent, Notification
from tests.factories import book


def _race(n, action):
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        barrier.wait()
        try:
            action(i)
            results[i] = "ok"
        except Conflict:
            results[i] = "conflict"
        except InvalidInput as exc:
            results[i] = f"invalid: {exc.message}"

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_concurrent_confirms_of_one_session_have_exactly_one_winner(practice):
    bid = book(practice.alice)
    actors = [practice.alice, practice.morgan] * 3
    results = _race(6, lambda i: bookings.confirm(actors[i], bid, 1))
    assert sorted(results) == ["conflict"] * 5 + ["ok"]
    with unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(BookingEvent).where(
            BookingEvent.booking_id == bid, BookingEvent.kind == "confirmed")) == 1
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.booking_id == bid, Notification.template == "confirmed")) == 1
        assert s.get(Booking, bid).version == 2


def test_concurrent_confirms_of_two_clashing_sessions_confirm_only_one(practice):
    start = clock.now().replace(hour=11) + timedelta(days=2)
    ids = [book(practice.alice, "Oliver Bennett", starts_at=start),
           book(practice.alice, "Fatima Zahra", starts_at=start + timedelta(minutes=20))]
    results = _race(2, lambda i: bookings.confirm(practice.alice, ids[i], 1))
    assert sorted(r.split(":")[0] for r in results) == ["invalid", "ok"]
    with unit_of_work() as s:
        statuses = sorted(s.scalars(select(Booking.status).where(Booking.id.in_(ids))).all())
    assert statuses == ["confirmed", "unconfirmed"]
