"""An imported booking is exactly a booking made by intake.create_booking: the same rows in every table.

The import writes in bulk for speed (lib/import_writer.py); this test builds the same practice
twice, once through the import and once row by row through create_booking, and compares every
stored row, ids included. If intake changes what a new booking writes, this test fails until
the bulk path does the same.
"""
import io
import itertools
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from lib.bookings.intake import create_booking
from lib.core import clock, db
from lib.core.db import unit_of_work
from lib.core.models import Attendee, Base, Booking, BookingEvent, Client, ClientToken, Notification, Relationship, User
from lib.imports import importer
from lib.imports.rows import check_values
from lib.practice.rules import Rules
from tests.factories import Practice, book
from tests.integration.import_data import csv_bytes, row

TABLES = (Client, Relationship, Booking, Attendee, BookingEvent, ClientToken, Notification)

ROWS = [
    row(),  # a new client, alice (who gets texts too)
    row(therapist="bob", client_name="Grace O'Neill", client_email="grace@example.org", session_type="couple",
        attendees="Grace O'Neill; Sam O'Neill", delivery="in_person", video_service="", address="1 High St, Leeds",
        requested_at="2026-11-23T16:45:00+00:00"),
    row(client_phone="+44 7400 123456", starts_at="2026-12-03T09:00+00:00"),  # same client again, now with a phone
    row(therapist="bob", client_name="Known Client", client_email="known@example.org",  # existing client and
        client_phone="07400 654321", starts_at="2026-12-04T10:00+01:00", duration_minutes="90"),  # relationship
    row(therapist="alice", client_name="Known Client", client_email="known@example.org",  # existing client,
        session_type="group", attendees="A; B; C", starts_at="2026-11-24T12:00+00:00"),  # new relationship
]


@pytest.fixture
def fixed_nonces(monkeypatch):
    """Client links carry random nonces; number them instead so both runs can be compared."""
    def restart():
        counter = itertools.count(1)
        monkeypatch.setattr(secrets, "token_urlsafe", lambda n=None: f"nonce-{next(counter):04d}")
    return restart


def _start(url: str) -> None:
    """An empty practice with the same ids every time: users, then one earlier booking of a known client."""
    if db.is_postgres(url):
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with db.engine(url).begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        with db.engine(url).begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    practice = Practice.build()
    book(practice.bob, "Known Client", email="known@example.org", starts_at=clock.now() + timedelta(days=3))
    return practice


def _snapshot() -> dict:
    with unit_of_work() as s:
        return {m.__name__: [dict(r._mapping) for r in s.execute(select(m.__table__).order_by(m.__table__.c.id))]
                for m in TABLES}


def test_import_writes_exactly_what_create_booking_writes(db_url, fixed_nonces, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 2)  # several chunks, so look-ups across chunks are covered too
    fixed_nonces()
    practice = _start(db_url)
    report = importer.import_csv(practice.morgan, io.BytesIO(csv_bytes(ROWS)), "export.csv")
    assert report.bookings == len(ROWS), report.problems
    imported = _snapshot()

    fixed_nonces()
    _start(db_url)
    with unit_of_work(write=True) as s:
        users = {u.username: u for u in s.scalars(select(User))}
        rules = Rules.load(s)
        for values in ROWS:
            req, problems = check_values(values, users)
            assert not problems
            create_booking(s, rules, users[req.therapist_username], req)
    one_by_one = _snapshot()

    for table in one_by_one:
        assert imported[table] == one_by_one[table], table
    # The earlier booking's two, then for each row the client and the therapist emailed, alice also texted.
    assert len(imported["Notification"]) == 2 + len(ROWS) * 2 + 3
