"""What the app's service calls cost on a large data set: the work behind a page or a click, timed in
the process (no browser, no Streamlit), median of several runs. Shared by `metrics_fresh` and `growth`."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from sqlalchemy import func, select

from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core.access import Actor
from lib.core.db import unit_of_work
from lib.core.errors import BookingDeskError
from lib.core.models import Booking, User
from lib.metrics import cache as metrics_cache
from lib.metrics import query as metrics_query
from lib.metrics import report as metrics
from lib.people import auth

MANAGER = "bench-served-manager"


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm-up: connections, caches of statements
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def manager(url: str) -> Actor:
    with unit_of_work(write=True, url=url) as s:
        user = s.scalar(select(User).where(User.username == MANAGER)) or auth.add_user(
            s, MANAGER, "Bench Manager", "bench.served@practice.example", "manager", "bench-served-password",
            check_password=False)
        return auth._actor(user)


def busiest_therapist(url: str) -> tuple[Actor, list[int]]:
    """The therapist with the most open requests, and those requests (oldest first)."""
    with unit_of_work(url=url) as s:
        tid = s.scalar(select(Booking.therapist_id).where(Booking.status == "unconfirmed")
                       .group_by(Booking.therapist_id).order_by(func.count().desc(), Booking.therapist_id).limit(1))
        open_ids = list(s.scalars(select(Booking.id).where(Booking.therapist_id == tid,
                                                           Booking.status == "unconfirmed").order_by(Booking.id)))
        return auth._actor(s.get(User, tid)), open_ids


def fresh_metrics(boss: Actor, from_scratch: bool = False, therapist_id: int | None = None,
                  table: bool = True) -> Callable[[], object]:
    """A manager's /metrics worked out afresh (the cache refreshed): from the kept rows, or from `bookings`."""
    def call():
        metrics_cache.forget()
        original = metrics.grouped
        if from_scratch:
            metrics.grouped = metrics_query.figures
        try:
            return metrics.report(boss, therapist_id=therapist_id, refresh=True, table=table and therapist_id is None)
        finally:
            metrics.grouped = original
    return call


def dashboard(therapist: Actor) -> Callable[[], object]:
    return lambda: bookings.dashboard(therapist)


def session_page(therapist: Actor, booking_id: int) -> Callable[[], object]:
    return lambda: session_view.get_for(therapist, booking_id)


def open_requests(url: str, n: int) -> list[tuple[Actor, int]]:
    """The n most recent open requests of the practice, each with its therapist."""
    with unit_of_work(url=url) as s:
        rows = s.execute(select(Booking.id, Booking.therapist_id).where(Booking.status == "unconfirmed")
                         .order_by(Booking.requested_at.desc()).limit(n)).all()
        return [(auth._actor(s.get(User, tid)), bid) for bid, tid in rows]


def confirming(requests: list[tuple[Actor, int]]) -> Callable[[], object]:
    """Each call confirms the next open request as its therapist (the whole service call: checks, outbox,
    audit, kept figures)."""
    queue = list(requests)

    def call():
        therapist, bid = queue.pop(0)
        with unit_of_work() as s:
            version = s.get(Booking, bid).version
        try:
            bookings.confirm(therapist, bid, version)
        except BookingDeskError:
            pass  # a rule said no (a clash the random data made): timed as a person would wait for it

    return call
