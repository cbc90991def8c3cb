"""No loss, no duplicates: rollbacks, crashes between sending and recording, several dispatchers at once."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from lib import worker
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.bookings.intake import NewBooking, create_booking
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict
from lib.core.models import Notification, User
from lib.notify import dispatcher, outbox
from lib.notify.email_channel import EmailChannel, SmtpSettings
from lib.notify.templates import Rendered
from lib.practice.rules import Rules
from tests.conftest import NOW, ROOT
from tests.factories import book
from tests.servers import smtp_server  # noqa: F401 — fixture


def _count(**where) -> int:
    with unit_of_work() as s:
        stmt = select(func.count()).select_from(Notification)
        for k, v in where.items():
            stmt = stmt.where(getattr(Notification, k) == v)
        return s.scalar(stmt)


def _queue(n: int, prefix: str = "m") -> None:
    with unit_of_work(write=True) as s:
        for i in range(n):
            outbox.enqueue(s, cause=f"{prefix}:{i}", channel="email", recipient=f"{prefix}{i}@client.example",
                           message=Rendered("confirmed", f"Message {i}", f"Hello {i}", f"<p>Hello {i}</p>"))


def test_a_rolled_back_change_leaves_no_message(practice):
    booking_id = book(practice.bob, notify=False)
    req = NewBooking(therapist_username="bob", client_name="Ann Other", client_email="ann@client.example",
                     client_phone=None, session_type="individual", attendees=["Ann Other"],
                     starts_at=NOW.replace(day=27, hour=15), duration_minutes=50, delivery="online",
                     video_service="Zoom", address=None, requested_at=clock.now())
    with pytest.raises(RuntimeError), unit_of_work(write=True) as s:
        create_booking(s, Rules.load(s), s.get(User, practice.bob.id), req)
        assert s.scalar(select(func.count()).select_from(Notification)) > 0  # written in the transaction…
        raise RuntimeError("something later in the same action failed")
    assert _count() == 0  # …and gone with it

    detail = session_view.get_for(practice.bob, booking_id)
    with pytest.raises(Conflict):
        bookings.confirm(practice.bob, booking_id, detail.version + 1)  # a stale confirm writes nothing
    assert _count() == 0


def test_a_crash_between_sending_and_recording_resends_the_same_message(practice, smtp_server):
    _queue(1)
    with unit_of_work(write=True) as s:
        [msg] = dispatcher.claim(s, ["email"], 10, clock.now())
    with EmailChannel(SmtpSettings.from_config()) as channel:
        channel.send(msg)  # …and the dispatcher dies before recording it

    assert dispatcher.run_once().sent == 0  # the lease stops anyone else sending it meanwhile
    clock.freeze(NOW + dispatcher.LEASE)
    assert dispatcher.run_once().sent == 1

    first, second = smtp_server.received
    assert first.message.as_bytes() == second.message.as_bytes()  # the same message, byte for byte
    assert _count(status="sent") == 1


def _two_dispatchers(batch_size: int) -> list[dispatcher.Counts]:
    start = threading.Barrier(2)
    results: list = [None, None]

    def run(i: int) -> None:
        start.wait()
        results[i] = dispatcher.run_once(batch_size=batch_size)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.postgres
def test_two_dispatchers_on_postgres_send_every_message_exactly_once(pg_url, smtp_server):
    _queue(1000)
    smtp_server.delay = 0.001  # a little server latency, so the two really run side by side

    a, b = _two_dispatchers(batch_size=20)

    assert a.sent + b.sent == 1000
    assert a.sent > 0 and b.sent > 0
    ids = Counter(r.message_id for r in smtp_server.received)
    assert len(ids) == 1000 and set(ids.values()) == {1}
    assert _count(status="sent") == 1000


@pytest.mark.postgres
def test_claims_skip_rows_another_dispatcher_holds(pg_url):
    _queue(30)
    with unit_of_work(write=True) as first:
        mine = dispatcher.claim(first, ["email"], 20, clock.now())
        with unit_of_work(write=True) as second:  # while the first claim is not yet committed
            theirs = dispatcher.claim(second, ["email"], 20, clock.now())
    assert len(mine) == 20 and len(theirs) == 10
    assert not {m.id for m in mine} & {m.id for m in theirs}


def test_two_dispatchers_on_sqlite_send_every_message_exactly_once(sqlite_url, smtp_server):
    _queue(200)

    a, b = _two_dispatchers(batch_size=10)

    assert a.sent + b.sent == 200
    assert len({r.message_id for r in smtp_server.received}) == len(smtp_server.received) == 200


def test_command_line_dispatch_once(db_url, smtp_server):
    _queue(3)
    with unit_of_work(write=True) as s:  # due by the real clock too (the subprocess isn't frozen)
        s.execute(update(Notification).values(next_attempt_at=datetime(2000, 1, 1)))
    env = {**os.environ, "DATABASE_URL": db_url}

    done = subprocess.run([sys.executable, "-m", "lib", "dispatch", "--once"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "email: configured" in done.stdout and "sent 3" in done.stdout
    assert len(smtp_server.received) == 3
    assert _count(status="sent") == 3


def test_an_unexpected_error_costs_one_attempt_not_the_batch(sqlite_url, smtp_server):
    _queue(3)

    class Broken:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def send(self, msg):
            raise RuntimeError("a bug in a channel")

    counts = dispatcher.run_once(factories={"email": Broken})

    assert counts.retrying == 3
    with unit_of_work() as s:
        rows = s.scalars(select(Notification)).all()
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert all("Unexpected problem while sending (RuntimeError)" in r.last_error for r in rows)


def test_the_in_app_dispatcher_delivers_in_the_background(sqlite_url, smtp_server, monkeypatch):
    monkeypatch.setenv("BOOKING_DESK_DISPATCHER", "off")
    assert worker.start_background() is None  # how the tests and a separate dispatcher run the app
    monkeypatch.setenv("BOOKING_DESK_DISPATCHER", "on")
    monkeypatch.setenv("BOOKING_DESK_DISPATCH_SECONDS", "0.05")
    _queue(2)

    thread = worker.start_background()
    try:
        deadline = threading.Event()
        for _ in range(200):  # wait for the thread's work, not for the clock
            if _count(status="sent") == 2:
                break
            deadline.wait(0.05)
    finally:
        thread.stop()
        thread.join(timeout=10)
    assert _count(status="sent") == 2 and len(smtp_server.received) == 2
    assert not thread.is_alive()
