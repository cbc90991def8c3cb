"""Load: 20 workers on PostgreSQL for a bounded time doing the queue, the session page and changes.

Checks no errors, no lost or doubled transitions, one message per cause; prints throughput and latency.
"""
import random
import statistics
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lib.audit import chain as audit_chain
from lib.bookings import answers
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import Booking, BookingEvent, Notification
from lib.people import auth
from tests.factories import PASSWORD, book

WORKERS = 20
SECONDS = 8
CHANGES = ("confirmed", "rescheduled", "cancelled")


def practice_under_load() -> tuple[list, dict[int, list[int]]]:
    """Five therapists with thirty open requests each (also the `load` benchmark's practice)."""
    with unit_of_work(write=True) as s:
        therapists = [auth._actor(auth.add_user(s, f"t{i}", f"Therapist {i}", f"t{i}@practice.example",
                                                "therapist", PASSWORD)) for i in range(5)]
    ids = {t.id: [book(t, f"Client {t.id}-{k}", email=f"c{t.id}-{k}@client.example", notify=False,
                       starts_at=clock.now().replace(hour=9) + timedelta(days=2 + k % 20, hours=k // 20))
                  for k in range(30)] for t in therapists}
    return therapists, ids


@pytest.mark.postgres
def test_twenty_workers_against_postgres(pg_url, capsys):
    therapists, ids = practice_under_load()
    stop = time.monotonic() + SECONDS
    latencies: list[float] = []
    outcomes: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        rnd = random.Random(n)
        me = therapists[n % len(therapists)]
        while time.monotonic() < stop:
            bid = rnd.choice(ids[me.id])
            started = time.perf_counter()
            try:
                bookings.queue(me)
                detail = session_view.get_for(me, bid)
                kind = rnd.choice(CHANGES)
                when = detail.starts_at + timedelta(minutes=rnd.choice([10, 25]) * rnd.choice([1, 2, 3]) + 1440)
                if kind == "confirmed":
                    bookings.confirm(me, bid, detail.version)
                elif kind == "rescheduled":
                    answers.reschedule_agreed(me, bid, detail.version, when)
                else:
                    answers.cancel(me, bid, detail.version, "load test", True)
                result = kind
            except (Conflict, InvalidInput):
                result = "refused"
            except Exception as exc:
                result = "error"
                with lock:
                    errors.append(repr(exc))
            with lock:
                latencies.append(time.perf_counter() - started)
                outcomes[result] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 60)

    assert errors == []
    with unit_of_work() as s:
        events = Counter(dict(s.execute(select(BookingEvent.kind, func.count()).where(
            BookingEvent.kind.in_(CHANGES)).group_by(BookingEvent.kind)).all()))
        version_steps = s.scalar(select(func.sum(Booking.version - 1)))
        messages = s.scalar(select(func.count()).select_from(Notification))
        duplicates = s.scalar(select(func.count()).select_from(
            select(Notification.dedupe_key).group_by(Notification.dedupe_key).having(func.count() > 1).subquery()))
    # Every accepted change left exactly one event and one version step; nothing was lost or doubled.
    assert {k: outcomes[k] for k in CHANGES} == {k: events[k] for k in CHANGES}
    assert version_steps == sum(events.values())
    assert messages == sum(events.values()) and duplicates == 0
    # Entries written unchained by 20 writers at once are sealed into one unbroken chain, in stored order.
    verdict = audit_chain.verify()
    assert verdict.ok and verdict.entries > 0, verdict
    total = sum(outcomes.values())
    q = statistics.quantiles(latencies, n=100)
    with capsys.disabled():
        print(f"\nload: {WORKERS} workers, {SECONDS} s: {total} operations ({total / SECONDS:.0f}/s), "
              f"accepted {dict((k, outcomes[k]) for k in CHANGES)}, refused {outcomes['refused']}; "
              f"latency p50 {q[49] * 1000:.0f} ms, p90 {q[89] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms")
