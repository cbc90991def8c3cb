"""Edit date/time, offer times (and the client's pick), not the best fit, cancel — real database."""
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from icalendar import Calendar
from sqlalchemy import select

from lib.bookings import answers, client_links
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.bookings.tokens import BadToken
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput, NotFound
from lib.core.models import Booking, Notification
from tests.factories import book

DAY = timedelta(days=1)


def _msgs(bid, template=None):
    with unit_of_work() as s:
        stmt = select(Notification).where(Notification.booking_id == bid).order_by(Notification.id)
        rows = s.scalars(stmt).all()
    return [m for m in rows if template is None or m.template == template]


def _booking(bid):
    with unit_of_work() as s:
        return s.get(Booking, bid)


def _token_from(message) -> str:
    url = next(w for w in message.body_text.split() if "/respond?token=" in w or "/assessment?token=" in w)
    return parse_qs(urlparse(url).query)["token"][0]


def at11(days):
    return clock.now().replace(hour=11, minute=0) + days * DAY


def test_agreed_new_time_confirms_there_and_updates_the_same_calendar_entry(practice):
    bid = book(practice.alice, email="hannah@client.example", starts_at=at11(2))
    answers.reschedule_agreed(practice.alice, bid, 1, at11(3).replace(hour=14))
    b = _booking(bid)
    assert (b.status, b.starts_at) == ("confirmed", at11(3).replace(hour=14))
    assert b.first_response_at == clock.now()
    mail = _msgs(bid, "rescheduled")[0]
    assert mail.recipient == "hannah@client.example"
    assert "Thu 26 Nov 2026, 11:00 GMT" in mail.body_text and "Fri 27 Nov 2026, 14:00 GMT" in mail.body_text
    event = Calendar.from_ical(mail.ics).walk("VEVENT")[0]
    assert str(event["UID"]) == f"session-{bid}@booking-desk" and int(event["SEQUENCE"]) == b.version


def test_agreed_new_time_is_checked_for_clashes_and_the_past(practice):
    other = book(practice.alice, "Oliver Bennett", starts_at=at11(3))
    bookings.confirm(practice.alice, other, 1)
    bid = book(practice.alice, starts_at=at11(2))
    with pytest.raises(InvalidInput, match="clashes"):
        answers.reschedule_agreed(practice.alice, bid, 1, at11(3))
    with pytest.raises(InvalidInput, match="past"):
        answers.reschedule_agreed(practice.alice, bid, 1, clock.now() - DAY)
    assert _booking(bid).status == "unconfirmed" and _msgs(bid, "rescheduled") == []


def test_offer_times_then_client_picks_one(practice):
    bid = book(practice.alice, email="hannah@client.example", client_phone="+447700900456", starts_at=at11(2))
    times = [at11(3), at11(6).replace(hour=15)]  # Friday and Monday: Alice works weekdays
    answers.offer_times(practice.alice, bid, 1, times)
    assert _booking(bid).status == "awaiting_client"
    email = _msgs(bid, "times_offered")[0]
    sms = _msgs(bid, "times_offered_sms")[0]
    assert "Fri 27 Nov 2026, 11:00 GMT" in email.body_text and sms.recipient == "+447700900456"
    assert "Whitfield" not in sms.body_text
    token = _token_from(email)

    view = client_links.offer_for(token)
    assert [t for _, t in view.offers] == times and view.first_name == "Hannah"
    # Offered times count as busy for other sessions while the offer is open.
    other = book(practice.alice, "Fatima Zahra", starts_at=times[0])
    assert [c.what for c in session_view.get_for(practice.alice, other).availability.clashes] == ["offered time"]

    assert client_links.respond(token, view.offers[1][0]) == "confirmed"
    b = _booking(bid)
    assert (b.status, b.starts_at) == ("confirmed", times[1])
    assert [m.recipient for m in _msgs(bid, "client_picked")] == ["alice@practice.example"]
    assert len(_msgs(bid, "confirmed")) == 1
    # Single use: the same link can't be used twice, and says so kindly.
    with pytest.raises(BadToken):
        client_links.respond(token, view.offers[0][0])
    assert session_view.get_for(practice.alice, other).availability.clashes == []


def test_client_says_none_fit_cancels_and_tells_managers(practice):
    bid = book(practice.alice, starts_at=at11(2))
    answers.offer_times(practice.alice, bid, 1, [at11(3)])
    token = _token_from(_msgs(bid, "times_offered")[0])
    assert client_links.respond(token, None) == "none_fits"
    assert _booking(bid).status == "cancelled"
    assert [m.recipient for m in _msgs(bid, "none_fits")] == ["morgan@practice.example"]


def test_offer_link_expires_after_24_hours_and_is_bound_to_its_purpose(practice):
    bid = book(practice.alice, starts_at=at11(3))
    answers.offer_times(practice.alice, bid, 1, [at11(6)])
    token = _token_from(_msgs(bid, "times_offered")[0])
    with pytest.raises(BadToken):
        client_links.assessment_for(token)  # a respond link is not an assessment link
    with pytest.raises(BadToken):
        client_links.offer_for(token[:-2] + "xx")  # tampered signature
    clock.freeze(clock.now() + timedelta(hours=24, minutes=1))
    with pytest.raises(BadToken):
        client_links.offer_for(token)


def test_offers_must_be_one_to_three_future_separate_times(practice):
    bid = book(practice.alice, starts_at=at11(2))
    with pytest.raises(InvalidInput, match="one and three"):
        answers.offer_times(practice.alice, bid, 1, [])
    with pytest.raises(InvalidInput, match="one and three"):
        answers.offer_times(practice.alice, bid, 1, [at11(3), at11(4), at11(5), at11(6)])
    with pytest.raises(InvalidInput, match="overlap"):
        answers.offer_times(practice.alice, bid, 1, [at11(3), at11(3) + timedelta(minutes=20)])
    assert _booking(bid).status == "unconfirmed"


def test_not_the_best_fit_declines_tells_managers_and_client_without_clinical_detail(practice):
    bid = book(practice.alice, email="hannah@client.example")
    with pytest.raises(InvalidInput, match="reason"):
        answers.decline_not_fit(practice.alice, bid, 1, "  ", "", "")
    answers.decline_not_fit(practice.alice, bid, 1, "I don't work with eating disorders",
                            "Restrictive eating, low mood", "A specialist in eating disorders")
    assert _booking(bid).status == "declined"
    to_client = _msgs(bid, "declined_client")[0]
    assert to_client.recipient == "hannah@client.example" and "another therapist" in to_client.body_text
    to_team = _msgs(bid, "declined_manager")[0]
    assert to_team.recipient == "morgan@practice.example"
    assert "I don't work with eating disorders" in to_team.body_text
    assert "Restrictive eating" not in to_team.body_text  # presenting issues stay behind the login
    detail = session_view.get_for(practice.morgan, bid)
    declined = [e for e in detail.history if e.kind == "declined"][0]
    assert declined.detail["presenting_issues"] == "Restrictive eating, low mood"


def test_cancel_with_short_notice_needs_a_refund_decision(practice):
    soon = book(practice.alice, email="grace@client.example", starts_at=clock.now() + timedelta(hours=30))
    bookings.confirm(practice.alice, soon, 1)
    with pytest.raises(InvalidInput, match="48 hours"):
        answers.cancel(practice.alice, soon, 2, "Therapist unwell")
    answers.cancel(practice.alice, soon, 2, "Therapist unwell", full_refund=True)
    assert _booking(soon).status == "cancelled"
    mail = _msgs(soon, "cancelled")[0]
    assert "full refund" in mail.body_text
    assert Calendar.from_ical(mail.ics)["METHOD"] == "CANCEL"
    later = book(practice.alice, "Chen Wei", starts_at=at11(6))
    answers.cancel(practice.morgan, later, 1, "Practice closed")  # long notice: always a full refund
    assert [e.detail["full_refund"] for e in session_view.get_for(practice.morgan, later).history
            if e.kind == "cancelled"] == [True]


def test_answers_respect_access_and_versions(practice):
    bid = book(practice.alice, starts_at=at11(2))
    with pytest.raises(NotFound):
        answers.cancel(practice.bob, bid, 1, "not mine")
    with pytest.raises(NotFound):
        answers.offer_times(practice.bob, bid, 1, [at11(3)])
    answers.decline_not_fit(practice.alice, bid, 1, "Not my area", "", "")
    with pytest.raises(Conflict):
        answers.offer_times(practice.alice, bid, 1, [at11(3)])
    with pytest.raises(Conflict, match="declined"):
        answers.offer_times(practice.alice, bid, 2, [at11(3)])


def test_assessment_link_saves_partial_answers_and_tells_therapist_when_complete(practice):
    bid = book(practice.alice, email="hannah@client.example")
    token = _token_from(_msgs(bid, "booking_received")[0])
    form = client_links.assessment_for(token)
    assert form.status == "not started" and form.first_name == "Hannah"
    assert client_links.save_assessment(token, [1, 2], [], [], "") == "partial"
    assert session_view.get_for(practice.alice, bid).assessment.phq9[:3] == [1, 2, None]
    assert _msgs(bid, "assessment_ready") == []
    status = client_links.save_assessment(token, [1] * 9, [0] * 7, ["Anxiety", "Not a topic"], "Work stress")
    assert status == "complete"
    a = session_view.get_for(practice.alice, bid).assessment
    assert a.help_with == ["Anxiety"] and a.free_text == "Work stress"
    assert [m.recipient for m in _msgs(bid, "assessment_ready")] == ["alice@practice.example"]
    client_links.save_assessment(token, [1] * 9, [0] * 7, ["Anxiety"], "More detail")
    assert len(_msgs(bid, "assessment_ready")) == 1
    with pytest.raises(BadToken):
        client_links.assessment_for("made-up.token")
