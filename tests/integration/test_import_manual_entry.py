"""Manual entry (a phone booking): the import's checks, the clash check before saving, the same result."""
from datetime import datetime

import pytest
from sqlalchemy import select

from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Forbidden, InvalidInput
from lib.core.models import AuditEntry, Booking, Notification
from lib.imports import manual_entry as manual_booking
from tests.factories import book
from tests.integration.import_data import row


def test_review_gives_one_message_per_field_in_the_import_words(practice):
    review = manual_booking.review(practice.morgan, row(client_email="hannah-at-example", client_phone="123",
                                                       session_type="couple", starts_at=""))
    assert not review.ok
    assert set(review.problems) == {"client_email", "client_phone", "attendees", "starts_at"}
    assert "not a valid email address" in review.problems["client_email"]
    assert review.problems["starts_at"] == "No start time given."


def test_review_shows_a_clash_with_a_confirmed_session_before_saving(practice):
    taken = book(practice.alice, "Oliver Bennett", email="oliver@example.org", starts_at=datetime(2026, 12, 1, 13, 30))
    bookings.confirm(practice.alice, taken, 1)
    review = manual_booking.review(practice.morgan, row())  # 14:00-14:50 overlaps 13:30-14:20
    assert review.ok and review.therapist_name == "Alice Moreno"
    assert [c.booking_id for c in review.availability.clashes] == [taken]
    free = manual_booking.review(practice.morgan, row(starts_at="2026-12-01T15:00+00:00"))
    assert free.availability.clashes == [] and not free.availability.outside_hours


def test_save_makes_the_same_booking_an_import_would(practice):
    saved = manual_booking.save(practice.morgan, row(client_phone="07400 123456"), "browser-1")
    detail = session_view.get_for(practice.morgan, saved.booking_id)
    assert (detail.status, detail.starts_at, detail.attendees, detail.client_phone) == (
        "unconfirmed", datetime(2026, 12, 1, 14, 0), ["Hannah Whitfield"], "+447400123456")
    assert detail.requested_by == "morgan" and detail.requested_at == clock.now()
    assert [h.kind for h in detail.history] == ["requested"]
    assert saved.client_created and saved.messages == 3  # client's link, alice's email and text
    with unit_of_work() as s:
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.booking_id == saved.booking_id)) == "add_booking"
        assert len(s.scalars(select(Notification).where(Notification.booking_id == saved.booking_id)).all()) == 3


def test_save_refuses_a_duplicate_and_bad_values_naming_the_field(practice):
    manual_booking.save(practice.morgan, row())
    with pytest.raises(InvalidInput) as dup:
        manual_booking.save(practice.morgan, row())
    assert dup.value.field == "starts_at" and "Already booked" in dup.value.message
    with pytest.raises(InvalidInput) as bad:
        manual_booking.save(practice.morgan, row(duration_minutes="5"))
    assert bad.value.field == "duration_minutes"
    with unit_of_work() as s:
        assert len(s.scalars(select(Booking)).all()) == 1


def test_therapists_may_not_enter_bookings(practice):
    for call in (lambda: manual_booking.therapist_choices(practice.alice),
                 lambda: manual_booking.review(practice.alice, row()),
                 lambda: manual_booking.save(practice.alice, row())):
        with pytest.raises(Forbidden):
            call()


def test_therapist_choices_offer_active_therapists_only(practice):
    assert [t.username for t in manual_booking.therapist_choices(practice.morgan)] == ["alice", "bob"]
