"""Large synthetic data sets for benchmarks: a million bookings in minutes, by bulk inserts.

Values are random but consistent with the rules (due times, stored response
times), so the metrics over them mean something.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, insert, select

from lib.bookings import metric_days
from lib.core import clock
from lib.core.db import engine
from lib.core.models import Attendee, Booking, BookingEvent, Client, Relationship, User
from lib.core.vocabulary import EventKind
from lib.people import auth
from lib.practice.business_hours import add_business_seconds, business_seconds_between
from lib.practice.rules import Rules, get_all

CHUNK = 20_000
TYPES = ["individual"] * 7 + ["couple"] * 2 + ["family", "group"]
FIRST = ["Ava", "Ben", "Cara", "Dev", "Ela", "Finn", "Gita", "Hugo", "Isla", "Jon", "Kira", "Leo", "Mia", "Noor"]
LAST = ["Adams", "Baker", "Clarke", "Dunn", "Evans", "Ford", "Gill", "Hart", "Iqbal", "Jones", "Khan", "Lee"]


def seed_bulk(bookings: int, therapists: int, url: str | None = None, progress: Callable[[int], None] | None = None,
              seed: int = 7) -> None:
    rnd = random.Random(seed)
    eng = engine(url)
    now = clock.now()
    pw = auth.hash_password("bulk-seed-password-not-for-login")
    with eng.begin() as conn:
        first_user = (conn.scalar(select(func.max(User.id))) or 0) + 1
        first_client = (conn.scalar(select(func.max(Client.id))) or 0) + 1
        first_rel = (conn.scalar(select(func.max(Relationship.id))) or 0) + 1
        first_booking = (conn.scalar(select(func.max(Booking.id))) or 0) + 1
        first_event = (conn.scalar(select(func.max(BookingEvent.id))) or 0) + 1
        first_att = (conn.scalar(select(func.max(Attendee.id))) or 0) + 1
    from sqlalchemy.orm import Session

    with Session(eng) as s:
        rules = Rules(get_all(s))
    conn_rows = [
        dict(id=first_user + i, username=f"therapist{first_user + i:05d}", name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
             email=f"therapist{first_user + i}@practice.example", role="therapist", password_hash=pw,
             timezone="Europe/London", sms_opt_in=False, active=True, created_at=now)
        for i in range(therapists)
    ]
    n_clients = max(1, bookings // 3)
    with eng.begin() as conn:
        conn.execute(insert(User), conn_rows)
        for lo in range(0, n_clients, CHUNK):
            conn.execute(insert(Client), [
                dict(id=first_client + i, name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                     email=f"client{first_client + i}@example.com", timezone="Europe/London", created_at=now)
                for i in range(lo, min(n_clients, lo + CHUNK))
            ])
        # One relationship per client, with a therapist picked at random.
        client_therapist = [first_user + rnd.randrange(therapists) for _ in range(n_clients)]
        for lo in range(0, n_clients, CHUNK):
            conn.execute(insert(Relationship), [
                dict(id=first_rel + i, therapist_id=client_therapist[i], client_id=first_client + i,
                     started_at=now - timedelta(days=730))
                for i in range(lo, min(n_clients, lo + CHUNK))
            ])
    span = 730 * 86400
    event_id, att_id = first_event, first_att
    done = 0
    while done < bookings:
        n = min(CHUNK, bookings - done)
        b_rows, e_rows, a_rows = [], [], []
        for k in range(n):
            bid = first_booking + done + k
            ci = rnd.randrange(n_clients)
            requested = now - timedelta(seconds=rnd.randrange(span))
            starts = requested + timedelta(hours=rnd.choice([4, 10, 20, 30, 60, 100, 200, 400]))
            starts = starts.replace(minute=0, second=0, microsecond=0)
            expires = rules.expires_at(requested, starts)
            due = min(add_business_seconds(requested, rules.target_hours * 3600, rules.calendar), expires)
            status, answered = _outcome(rnd, requested, now)
            first_resp = biz = None
            if answered is not None:
                first_resp = answered
                biz = business_seconds_between(requested, answered, rules.calendar)
            elif status == "expired" and expires <= now:  # its wait, kept as the app keeps it at the expiry
                biz = business_seconds_between(requested, expires, rules.calendar)
            stype = rnd.choice(TYPES)
            b_rows.append(dict(
                id=bid, therapist_id=client_therapist[ci], client_id=first_client + ci, relationship_id=first_rel + ci,
                session_type=stype, starts_at=starts, duration_minutes=50, delivery="online", video_service="Zoom",
                status=status, requested_at=requested, requested_by="client", response_due_at=due,
                expires_at=expires, first_response_at=first_resp,
                response_business_seconds=biz, version=1))
            e_rows.append(dict(id=event_id, booking_id=bid, kind=EventKind.REQUESTED, actor="client", at=requested))
            event_id += 1
            if answered is not None:
                e_rows.append(dict(id=event_id, booking_id=bid, kind=status, actor="therapist", at=answered))
                event_id += 1
            for p in range(1 if stype == "individual" else 2):
                a_rows.append(dict(id=att_id, booking_id=bid, position=p, name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"))
                att_id += 1
        with eng.begin() as conn:
            conn.execute(insert(Booking), b_rows)
            conn.execute(insert(BookingEvent), e_rows)
            conn.execute(insert(Attendee), a_rows)
        done += n
        if progress:
            progress(done)
    with eng.begin() as conn:  # the figures' rows, as the app keeps them (lib.bookings.metric_days)
        metric_days.rebuild(conn)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            for table in ("users", "clients", "relationships", "bookings", "booking_events", "attendees"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # As after any bulk load: statistics for the planner, and the visibility map, without which an
        # index-only scan (the open-now counts) still visits a table row per index entry (8 ms, not 0.7).
        # Autovacuum would get there too, some minutes later.
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
    else:
        with eng.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _outcome(rnd: random.Random, requested, now):
    """Most requests are confirmed within a few business hours; some never get an answer."""
    age = (now - requested).total_seconds()
    r = rnd.random()
    if age < 3 * 86400 and r < 0.5:
        return "unconfirmed", None
    if r < 0.02:
        return "expired", None
    if r < 0.04:
        return "cancelled", None
    answer = requested + timedelta(minutes=int(rnd.expovariate(1 / 240)) + 5)
    if answer > now:
        return "unconfirmed", None
    return ("declined" if r < 0.07 else "confirmed"), answer
