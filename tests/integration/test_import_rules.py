"""Importing the booking channel's CSV on SQLite and PostgreSQL: what is stored, every rule, all or nothing."""
import io
from datetime import datetime

import pytest
from sqlalchemy import func, select

from lib.bookings.client_links import assessment_for
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Forbidden
from lib.core.models import Attendee, AuditEntry, Booking, BookingEvent, Client, ClientToken, Notification, Relationship
from lib.imports import importer
from lib.practice.rules import Rules
from tests.factories import book
from tests.integration.import_data import csv_bytes, row

TABLES = (Booking, Client, Relationship, Attendee, BookingEvent, ClientToken, Notification)


def _import(practice, rows, **kw):
    return importer.import_csv(practice.morgan, io.BytesIO(csv_bytes(rows, **kw)), "export.csv")


def _counts() -> dict:
    with unit_of_work() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in TABLES}


def test_good_file_becomes_bookings_with_clients_attendees_and_utc_times(practice):
    known = book(practice.alice, "Hannah Whitfield", email="hannah@example.org", client_phone=None)
    report = _import(practice, [
        row(client_phone="07400 123456", starts_at="2026-12-01T15:00+01:00", requested_at="2026-11-24T09:30Z"),
        row(therapist="bob", client_name="Tomás Ferreira", client_email="Tomas@Example.org", session_type="couple",
            attendees="Tomás Ferreira; Inês Ferreira", delivery="in_person", video_service="",
            address="12 Harley Street, London W1G 9PF", starts_at="2026-12-02T09:00-05:00", duration_minutes="90"),
    ])
    assert (report.rows, report.bookings, report.clients, report.problems) == (2, 2, 1, [])
    assert report.summary() == "Imported 2 sessions: 1 new client, 5 messages queued for clients and therapists."
    with unit_of_work() as s:
        hannah = s.scalar(select(Client).where(Client.email == "hannah@example.org"))
        assert hannah.phone == "+447400123456"  # E.164; the existing client gained the phone number
        first, second = s.scalars(select(Booking).where(Booking.id != known).order_by(Booking.id)).all()
        assert first.client_id == hannah.id and first.relationship_id == s.get(Booking, known).relationship_id
        assert first.starts_at == datetime(2026, 12, 1, 14, 0)  # stored in UTC
        assert first.requested_at == datetime(2026, 11, 24, 9, 30)
        assert [a.name for a in first.attendees] == ["Hannah Whitfield"]
        assert second.starts_at == datetime(2026, 12, 2, 14, 0) and second.requested_at == clock.now()
        assert [a.name for a in second.attendees] == ["Tomás Ferreira", "Inês Ferreira"]
        assert (second.delivery, second.address, second.video_service) == (
            "in_person", "12 Harley Street, London W1G 9PF", None)
        assert second.client.email == "tomas@example.org" and second.duration_minutes == 90
        rules = Rules.load(s)
        for b in (first, second):
            assert b.status == "unconfirmed" and b.requested_by == "client"
            assert b.response_due_at == rules.response_due_at(b.requested_at, b.starts_at)
            events = s.scalars(select(BookingEvent).where(BookingEvent.booking_id == b.id)).all()
            assert [(e.kind, e.actor, e.at) for e in events] == [("requested", "client", b.requested_at)]


def test_new_booking_messages_are_written_and_the_assessment_link_works(practice):
    _import(practice, [row(), row(therapist="bob", client_name="Grace O'Neill", client_email="grace@example.org")])
    with unit_of_work() as s:
        sent = s.execute(select(Notification.recipient, Notification.channel, Notification.template)
                         .order_by(Notification.id)).all()
        mail = s.scalar(select(Notification.body_text).where(Notification.template == "booking_received",
                                                            Notification.recipient == "grace@example.org"))
    assert [tuple(m) for m in sent] == [
        ("hannah@example.org", "email", "booking_received"), ("alice@practice.example", "email", "new_booking"),
        ("+447911123456", "sms", "new_booking_sms"),  # alice opted in to texts
        ("grace@example.org", "email", "booking_received"), ("bob@practice.example", "email", "new_booking"),
    ]
    token = mail.split("/assessment?token=")[1].split()[0]
    assert assessment_for(token).first_name == "Grace"


# Every rule, one row each (line numbers: the header is line 1, the good row line 2).
BAD_ROWS = [
    (row(therapist="carol"), "therapist", "no therapist with the username 'carol'"),
    (row(therapist="morgan"), "therapist", "practice manager, not a therapist"),
    (row(therapist=""), "therapist", "No therapist given"),
    (row(client_name=""), "client_name", "No client name"),
    (row(client_email=""), "client_email", "No client email"),
    (row(client_email="hannah.example.org"), "client_email", "not a valid email address"),
    (row(client_phone="12345"), "client_phone", "not a valid phone number"),
    (row(session_type="workshop"), "session_type", "'workshop' is not a session type"),
    (row(delivery="carrier pigeon"), "delivery", "not a delivery"),
    (row(starts_at="2026-12-01T14:00"), "starts_at", "has no time-zone offset"),
    (row(starts_at="next Tuesday"), "starts_at", "not a date and time"),
    (row(starts_at="2026-11-20T14:00+00:00"), "starts_at", "is in the past"),
    (row(duration_minutes="10"), "duration_minutes", "15 to 240"),
    (row(duration_minutes="300"), "duration_minutes", "15 to 240"),
    (row(duration_minutes="fifty"), "duration_minutes", "not a number of minutes"),
    (row(delivery="in_person", video_service=""), "address", "needs an address"),
    (row(video_service=""), "video_service", "needs a video service"),
    (row(session_type="couple", attendees="Hannah Whitfield"), "attendees", "at least two attendees"),
    (row(session_type="group"), "attendees", "none are named"),
    (row(attendees="Ann; Bo"), "attendees", "individual session is for one person"),
    (row(requested_at="2026-11-25T09:00+00:00"), "requested_at", "in the future"),
    (row(starts_at="2026-12-05T14:00+00:00", client_email="dup@example.org"), None, None),  # good...
    (row(starts_at="2026-12-05T14:00+00:00", client_email="dup@example.org"), "starts_at", "already on line"),
    (row(starts_at="2026-12-09T11:00+00:00"), "starts_at", "Already imported"),
]


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_imported(practice):
    book(practice.alice, "Hannah Whitfield", email="hannah@example.org", starts_at=datetime(2026, 12, 9, 11))
    before = _counts()
    report = _import(practice, [row()] + [r for r, _, _ in BAD_ROWS])
    expected = [(line, column) for line, (_, column, _) in enumerate(BAD_ROWS, start=3) if column]
    assert [(p.line, p.column) for p in report.problems] == expected
    for problem, (_, _, words) in zip(report.problems, [b for b in BAD_ROWS if b[1]]):
        assert words in problem.message, (problem, words)
    assert report.bookings == 0 and report.summary().startswith(f"Nothing was imported: {len(expected)} rows")
    assert _counts() == before


def test_a_bad_row_after_written_chunks_still_imports_nothing(practice, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 2)
    rows = [row(client_email=f"c{i}@example.org", starts_at=f"2026-12-0{i + 1}T10:00+00:00") for i in range(5)]
    before = _counts()
    report = _import(practice, rows + [row(duration_minutes="500")])
    assert [(p.line, p.column) for p in report.problems] == [(7, "duration_minutes")]
    assert _counts() == before


def test_importing_the_same_file_twice_adds_nothing_and_says_so_calmly(practice):
    rows = [row(), row(therapist="bob", client_email="grace@example.org", client_name="Grace O'Neill")]
    assert _import(practice, rows).bookings == 2
    after_first = _counts()
    again = _import(practice, rows)
    assert again.problems == [] and again.nothing_new and again.bookings == 0
    assert again.summary() == ("All 2 sessions in this file were already imported. "
                               "Nothing was added and no messages were sent.")
    assert _counts() == after_first


def test_a_file_with_old_and_new_rows_is_refused_listing_the_old_ones(practice):
    _import(practice, [row()])
    after_first = _counts()
    report = _import(practice, [row(), row(client_email="new@example.org", client_name="New Client")])
    assert [(p.line, p.column) for p in report.problems] == [(2, "starts_at")]
    assert "Already imported: alice already has session #" in report.problems[0].message
    assert _counts() == after_first


def test_only_managers_may_import(practice):
    with pytest.raises(Forbidden):
        importer.import_csv(practice.alice, io.BytesIO(csv_bytes([row()])), "export.csv")
    assert _counts()["Booking"] == 0


def test_an_import_is_in_the_audit_trail(practice):
    _import(practice, [row()])
    with unit_of_work() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "import_bookings"))
    assert entry.username == "morgan" and "Imported 1 session" in entry.detail and "export.csv" in entry.detail


def test_two_managers_importing_the_same_file_at_once_import_it_once(practice):
    import threading

    content = csv_bytes([row(client_email=f"c{i}@example.org", starts_at=f"2026-12-0{i + 1}T10:00+00:00")
                         for i in range(5)])
    start, results = threading.Barrier(2), []

    def run():
        start.wait()
        results.append(importer.import_csv(practice.morgan, io.BytesIO(content), "export.csv"))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted((r.bookings, r.nothing_new) for r in results) == [(0, True), (5, False)]
    assert _counts()["Booking"] == 5
