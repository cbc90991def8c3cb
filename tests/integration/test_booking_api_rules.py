"""The bookings API's rules, called in-process on SQLite and PostgreSQL (the HTTP tests use a server)."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lib.booking_api import service as booking_api
from lib.bookings import dashboard as bookings
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.models import AuditEntry, Booking
from tests.app_server import SECRET, booking, signed_headers
from tests.factories import book


@pytest.fixture(autouse=True)
def _channel_secret(monkeypatch):
    monkeypatch.setenv("BOOKING_CHANNEL_SECRET", SECRET)


def receive(payload: dict) -> booking_api.Answer:
    body = json.dumps(payload).encode()
    return booking_api.receive(body, signed_headers(body))


def test_a_booking_when_the_therapist_has_a_confirmed_session_then_is_refused_as_a_clash(practice):
    at = (clock.now() + timedelta(days=3)).replace(hour=11, minute=0)
    taken = book(practice.alice, starts_at=at)
    bookings.confirm(practice.alice, taken, 1)
    with unit_of_work() as s:
        before = s.scalar(select(func.count()).select_from(Booking))
    answer = receive(booking("alice", starts_at=at.isoformat() + "+00:00"))
    assert answer.status == 409
    assert "not free" in answer.body["message"]
    with unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == before
        refused = s.scalars(select(AuditEntry).where(AuditEntry.action == "api_refused")).all()
    assert len(refused) == 1 and refused[0].username == booking_api.CALLER and "409" in refused[0].detail


def test_attendees_may_come_as_a_list_and_every_problem_is_named(practice):
    ok = receive(booking("alice", session_type="couple", attendees=["Sam Example", "Alex Example"]))
    assert ok.status == 201
    bad = receive(booking("alice", session_type="couple", attendees=["Only One"], delivery="in_person",
                          video_service=None, duration_minutes=True))
    assert bad.status == 422
    assert {p["field"] for p in bad.body["problems"]} == {"attendees", "address", "duration_minutes"}
