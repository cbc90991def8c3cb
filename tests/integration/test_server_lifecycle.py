"""Stopping the server (SIGTERM, as a host or a deploy stops it) while it is sending email, then starting it
again: every queued message reaches the mail server exactly once."""
from __future__ import annotations

import signal
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from tests.app_server import booking, deliver, fresh_database, server_env, start, stop
from tests.servers import SmtpServer, free_port

pytestmark = pytest.mark.slow
STOPPED_BY_SIGTERM = -signal.SIGTERM


def emails(database_url: str) -> list[tuple]:
    eng = sa.create_engine(database_url)
    try:
        with eng.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT message_id, status, attempts, next_attempt_at FROM notifications WHERE channel = 'email'").all()
    finally:
        eng.dispose()


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s in vain for {what}")
        time.sleep(0.05)


def test_sigterm_during_delivery_then_a_restart_delivers_every_message_exactly_once(tmp_path):
    smtp = SmtpServer()
    smtp.delay = 0.2  # a slow mail server, so the stop lands while a message is on the wire
    smtp.start()
    try:
        with fresh_database("sqlite", tmp_path) as url:
            port = free_port()
            env = server_env(url, port, smtp.port)
            server = start(env, port, tmp_path / "server.log")
            for _ in range(3):  # more queued while it runs, through the API
                assert deliver(server.url, booking()).status_code == 201
            wait_until(lambda: len(smtp.received) >= 2, 30, "the first emails")
            # Counted once the worker has made a pass: its first pass queues the demo practice's own deadline
            # messages (deadlines come before delivery in each pass), which a count taken earlier could miss.
            total = len(emails(url))

            began = time.monotonic()
            # uvicorn shuts down gracefully, then raises the signal again so the parent sees how it ended
            assert stop(server) == STOPPED_BY_SIGTERM
            assert time.monotonic() - began < 15
            after_stop = emails(url)
            sent_before = sum(1 for _, status, *_ in after_stop if status == "sent")
            assert 0 < sent_before < total, "the stop should land in the middle of the queue"
            assert len(smtp.received) == sent_before  # what reached the mail server is recorded as sent, no more
            waiting = [row for row in after_stop if row[1] == "pending"]
            assert waiting and all(attempts == 0 for _, _, attempts, _ in waiting)  # given back, not leased

            server = start(env, port, tmp_path / "server2.log")
            try:
                wait_until(lambda: all(status == "sent" for _, status, *_ in emails(url)), 60, "the rest to be sent")
            finally:
                assert stop(server) == STOPPED_BY_SIGTERM
            final = emails(url)
    finally:
        smtp.stop()
    received = Counter(r.message_id for r in smtp.received)
    assert len(final) == total
    assert received == Counter(message_id for message_id, *_ in final)  # each one, once
    assert max(received.values()) == 1
