"""Confirm Session on a real database (SQLite and PostgreSQL): rules, access, outbox, history."""
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput, NotFound
from lib.core.models import Booking, BookingEvent, Notification
from tests.factories import assess, book


def _rows(model, **where):
    with unit_of_work() as s:
        stmt = select(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return s.scalars(stmt).all()


def test_confirm_moves_session_out_of_queue_and_records_who_and_when(practice):
    bid = book(practice.alice, "Hannah Whitfield", attendees=["Hannah Whitfield"])
    assert [i.id for i in bookings.queue(practice.alice).items] == [bid]
    version = session_view.get_for(practice.alice, bid).version

    bookings.confirm(practice.alice, bid, version)

    assert bookings.queue(practice.alice).items == []
    detail = session_view.get_for(practice.alice, bid)
    assert detail.status == "confirmed"
    confirmed = [e for e in detail.history if e.kind == "confirmed"]
    assert [(e.actor, e.at) for e in confirmed] == [("alice", clock.now())]
    booking = _rows(Booking, id=bid)[0]
    assert booking.first_response_at == clock.now()
    assert booking.response_business_seconds == 3600  # requested 09:00, confirmed 10:00 on a Tuesday


def test_confirmation_email_is_written_with_everything_the_client_needs(practice):
    bid = book(practice.alice, "Tomás Ferreira", email="tomas@client.example", session_type="couple",
               attendees=["Tomás Ferreira", "Inês Ferreira"], delivery="in_person", video_service=None,
               address="12 Harley Street, London W1G 9PF", join_details=None, client_timezone="America/New_York",
               starts_at=clock.now().replace(hour=15) + timedelta(days=2))
    bookings.confirm(practice.alice, bid, 1)

    mails = _rows(Notification, booking_id=bid, template="confirmed")
    assert len(mails) == 1
    mail = mails[0]
    assert mail.recipient == "tomas@client.example" and mail.channel == "email" and mail.status == "pending"
    text = mail.body_text
    assert "Thu 26 Nov 2026, 10:00 EST" in text  # 15:00 UTC in the client's timezone
    for expected in ("Couple", "Tomás Ferreira, Inês Ferreira", "In person at 12 Harley Street", "Alice Moreno",
                     "alice@practice.example", "+442079460123", "48 hours", "50 minutes"):
        assert expected in text
    assert "Inês Ferreira" in mail.body_html
    event = Calendar.from_ical(mail.ics).walk("VEVENT")[0]
    assert str(event["UID"]) == f"session-{bid}@booking-desk"
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=-5)


def test_online_confirmation_says_how_to_join_and_html_escapes_client_text(practice):
    bid = book(practice.alice, "<b>Zoë</b> & co", email="zoe@client.example", join_details="https://zoom.test/j/42")
    bookings.confirm(practice.alice, bid, 1)
    mail = _rows(Notification, booking_id=bid, template="confirmed")[0]
    assert "Online (Zoom) — https://zoom.test/j/42" in mail.body_text
    assert "<b>Zoë</b>" not in mail.body_html and "&lt;b&gt;Zoë&lt;/b&gt; &amp; co" in mail.body_html


def test_another_therapists_session_is_not_found_like_a_missing_one(practice):
    bid = book(practice.alice)
    for bad in (bid, 999999, "abc", None, "-1"):
        with pytest.raises(NotFound) as err:
            session_view.get_for(practice.bob, bad)
        assert err.value.message == NotFound.message
    with pytest.raises(NotFound):
        bookings.confirm(practice.bob, bid, 1)
    assert _rows(Booking, id=bid)[0].status == "unconfirmed"
    assert bookings.queue(practice.bob).items == []


def test_manager_sees_every_queue_and_can_filter_by_therapist(practice):
    a = book(practice.alice, requested_ago=timedelta(hours=1))
    b = book(practice.bob, "Grace O'Neill", requested_ago=timedelta(hours=26))
    assert [i.id for i in bookings.queue(practice.morgan).items] == [b, a]  # most urgent first
    assert [i.id for i in bookings.queue(practice.morgan, therapist_id=practice.bob.id).items] == [b]
    # A therapist can't widen their view with a filter.
    assert [i.id for i in bookings.queue(practice.alice, therapist_id=practice.bob.id).items] == [a]


def test_queue_marks_overdue_and_orders_by_due_time(practice):
    late = book(practice.alice, "Daniel Kowalski", requested_ago=timedelta(days=2))
    fresh = book(practice.alice, "Zoë Lambert", requested_ago=timedelta(minutes=5))
    q = bookings.queue(practice.alice)
    assert [i.id for i in q.items] == [late, fresh]
    assert (q.total, q.overdue) == (2, 1)
    assert q.items[0].overdue(clock.now()) and not q.items[1].overdue(clock.now())


def test_stale_version_and_changed_status_are_conflicts(practice):
    bid = book(practice.alice)
    bookings.confirm(practice.alice, bid, 1)
    with pytest.raises(Conflict):
        bookings.confirm(practice.alice, bid, 1)  # the other tab still has version 1
    with pytest.raises(Conflict, match="already confirmed"):
        bookings.confirm(practice.alice, bid, 2)
    assert len(_rows(Notification, booking_id=bid, template="confirmed")) == 1


def test_cancelled_session_cannot_be_confirmed(practice):
    bid = book(practice.alice)
    with unit_of_work(write=True) as s:
        s.get(Booking, bid).status = "cancelled"
    with pytest.raises(Conflict, match="cancelled"):
        bookings.confirm(practice.alice, bid, 2)


def test_clash_with_a_confirmed_session_is_shown_and_blocks_confirming(practice):
    start = clock.now().replace(hour=11) + timedelta(days=2)
    first = book(practice.alice, "Oliver Bennett", starts_at=start)
    bookings.confirm(practice.alice, first, 1)
    second = book(practice.alice, "Fatima Zahra", starts_at=start + timedelta(minutes=30))
    avail = session_view.get_for(practice.alice, second).availability
    assert [c.booking_id for c in avail.clashes] == [first]
    with pytest.raises(InvalidInput, match="clashes"):
        bookings.confirm(practice.alice, second, 1)
    assert _rows(Booking, id=second)[0].status == "unconfirmed"
    # Back to back is fine.
    third = book(practice.alice, "Chen Wei", starts_at=start + timedelta(minutes=50))
    assert session_view.get_for(practice.alice, third).availability.clashes == []


def test_a_session_that_ends_as_a_confirmed_one_starts_is_free_and_one_minute_later_clashes(practice):
    start = (clock.now() + timedelta(days=2)).replace(hour=11, minute=0, second=0, microsecond=0)
    later = book(practice.alice, "Oliver Bennett", starts_at=start + timedelta(minutes=50))
    bookings.confirm(practice.alice, later, 1)
    ends_as_it_starts = book(practice.alice, "Fatima Zahra", starts_at=start)  # 11:00–11:50
    assert session_view.get_for(practice.alice, ends_as_it_starts).availability.clashes == []
    overlaps = book(practice.alice, "Chen Wei", starts_at=start + timedelta(minutes=1))  # 11:01–11:51
    assert [c.booking_id for c in session_view.get_for(practice.alice, overlaps).availability.clashes] == [later]
    # Long sessions reach far: one four hours earlier that runs into this one is found too.
    long_one = book(practice.bob, "Ada Lovelace", starts_at=start - timedelta(minutes=180), duration_minutes=240)
    bookings.confirm(practice.bob, long_one, 1)
    bobs = book(practice.bob, "Grace Hopper", starts_at=start)
    assert [c.booking_id for c in session_view.get_for(practice.bob, bobs).availability.clashes] == [long_one]


def test_outside_working_hours_is_a_warning_not_a_block(practice):
    saturday = clock.now().replace(hour=11) + timedelta(days=4)  # Sat 28 Nov
    bid = book(practice.alice, starts_at=saturday)
    avail = session_view.get_for(practice.alice, bid).availability
    assert avail.outside_hours and "Sat" in avail.working_hours_text
    bookings.confirm(practice.alice, bid, 1)
    assert _rows(Booking, id=bid)[0].status == "confirmed"


def test_a_failure_mid_confirm_leaves_no_half_change(practice, monkeypatch):
    bid = book(practice.alice)
    from lib.notify import outbox

    def broken(*a, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "enqueue", broken)
    with pytest.raises(RuntimeError):
        bookings.confirm(practice.alice, bid, 1)
    assert _rows(Booking, id=bid)[0].status == "unconfirmed"
    assert _rows(BookingEvent, booking_id=bid, kind="confirmed") == []
    assert _rows(Notification, booking_id=bid, template="confirmed") == []


def test_new_booking_emails_the_therapist_and_texts_only_if_opted_in(practice):
    a = book(practice.alice, "Hannah Whitfield")
    b = book(practice.bob, "Grace O'Neill")
    def to_therapist(bid):
        return {(m.channel, m.recipient) for m in _rows(Notification, booking_id=bid) if m.template.startswith("new_")}

    assert to_therapist(a) == {("email", "alice@practice.example"), ("sms", "+447911123456")}
    assert to_therapist(b) == {("email", "bob@practice.example")}
    received = _rows(Notification, booking_id=a, template="booking_received")
    assert [m.recipient for m in received] == ["hannah@client.example"]
    assert "http://desk.test/assessment?token=" in received[0].body_text
    sms = [m for m in _rows(Notification, booking_id=a) if m.channel == "sms"][0]
    assert "Whitfield" not in sms.body_text and "Hannah" not in sms.body_text
    assert f"http://desk.test/session?id={a}" in sms.body_text


def test_viewing_records_audit_and_first_view_event_once(practice):
    bid = book(practice.alice)
    session_view.get_for(practice.alice, bid, "browser-1", record_view=True)
    session_view.get_for(practice.alice, bid, "browser-1", record_view=True)
    session_view.get_for(practice.morgan, bid, "browser-2", record_view=True)
    from lib.core.models import AuditEntry

    views = _rows(AuditEntry, action="view_session")
    assert [(v.username, v.booking_id, v.browser_session) for v in views] == [
        ("alice", bid, "browser-1"), ("alice", bid, "browser-1"), ("morgan", bid, "browser-2")]
    assert len(_rows(BookingEvent, booking_id=bid, kind="viewed")) == 1


def test_assessment_shown_with_scores_bands_and_risk(practice):
    bid = book(practice.alice)
    assess(bid, phq9=[2, 2, 1, 2, 1, 2, 1, 0, 1], gad7=[2, 3, 2, 2, 1, 2, 1], help_with=["Depression"],
           free_text="Since losing my job")
    a = session_view.get_for(practice.alice, bid).assessment
    assert (a.status, a.phq9_score.total, a.phq9_score.severity) == ("complete", 12, "moderate")
    assert (a.gad7_score.total, a.gad7_score.severity) == (13, "moderate")
    assert a.risk and a.free_text == "Since losing my job"


def test_session_page_lists_come_in_order_with_their_types(practice):
    """Attendees, history and messages come with the booking in one query, as JSON: same values on both databases."""
    from datetime import datetime

    from lib.bookings import answers
    from lib.bookings import detail as session_view

    bid = book(practice.alice, "Tomás Ferreira", attendees=["Tomás Ferreira", "Inês Ferreira", "Zé Ferreira"],
               session_type="family", starts_at=clock.now().replace(hour=11) + timedelta(days=3))
    answers.cancel(practice.alice, bid, 1, "Unwell — \"sorry\" & <regrets>", None)
    detail = session_view.get_for(practice.alice, bid)

    assert detail.attendees == ["Tomás Ferreira", "Inês Ferreira", "Zé Ferreira"]
    assert [e.kind for e in detail.history] == ["requested", "cancelled"]
    assert all(isinstance(e.at, datetime) and e.at.tzinfo is None for e in detail.history)
    assert detail.history[-1].at == clock.now() and detail.history[-1].actor == "alice"
    assert detail.history[-1].detail["reason"] == "Unwell — \"sorry\" & <regrets>"  # a dict, text unchanged
    assert detail.history[0].detail is None or isinstance(detail.history[0].detail, dict)
    written = [m for m in detail.messages if m.template.startswith("cancel")]
    assert written and all(m.created_at == clock.now() and m.sent_at is None for m in written)
    assert [m.id for m in detail.messages] == sorted(m.id for m in detail.messages)  # written in this order
    assert all(isinstance(m.attempts, int) and m.status == "pending" for m in detail.messages)


def test_a_session_with_no_messages_or_attendees_reads_as_empty_lists(practice):
    from lib.core.db import unit_of_work as uow
    from lib.core.models import Attendee

    bid = book(practice.alice, "Hannah Whitfield")
    with uow(write=True) as s:
        for model in (Notification, Attendee):
            for row in s.scalars(select(model).where(model.booking_id == bid)):
                s.delete(row)
    detail = session_view.get_for(practice.alice, bid)
    assert detail.messages == [] and detail.attendees == [] and [e.kind for e in detail.history] == ["requested"]
