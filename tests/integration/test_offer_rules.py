"""Offering other times and agreeing a new one: every rule refused with a clear message, nothing written
or sent; suggested free times; changing and withdrawing an offer — real database (SQLite and PostgreSQL)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lib.bookings import answers, client_links
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.bookings.client_links import OfferWithdrawn
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import AuditEntry, Booking, BookingEvent, Notification, TimeOffer, User
from lib.practice import rules as practice_settings
from tests.factories import book
from tests.integration.test_answers import _booking, _msgs, _token_from, at11

HOUR = timedelta(hours=1)


def _written(bid) -> tuple:
    """Everything an answer would write about a booking: status, version, offers, events, messages, audit."""
    with unit_of_work() as s:
        b = s.get(Booking, bid)
        count = lambda model, col: s.scalar(select(func.count()).select_from(model).where(col == bid))  # noqa: E731
        return (b.status, b.version, b.starts_at, count(TimeOffer, TimeOffer.booking_id),
                count(BookingEvent, BookingEvent.booking_id), count(Notification, Notification.booking_id),
                count(AuditEntry, AuditEntry.booking_id))


def _refused(call, match: str, bid) -> None:
    before = _written(bid)
    with pytest.raises(InvalidInput, match=match):
        call()
    assert _written(bid) == before  # no row, event, message or audit entry


def test_an_offer_may_not_repeat_the_requested_time_or_a_time_twice(practice):
    bid = book(practice.alice, starts_at=at11(2))
    offer = lambda times: lambda: answers.offer_times(practice.alice, bid, 1, times)  # noqa: E731
    _refused(offer([at11(2)]), "the time the client asked for", bid)
    _refused(offer([at11(3), at11(2)]), "the time the client asked for", bid)
    _refused(offer([at11(3), at11(3)]), "offered twice", bid)


def test_an_offer_respects_the_practices_minimum_notice(practice):
    bid = book(practice.alice, starts_at=at11(2))
    tomorrow_morning = clock.now() + timedelta(hours=23)  # Wednesday 09:00, inside Alice's hours
    _refused(lambda: answers.offer_times(practice.alice, bid, 1, [tomorrow_morning]), "at least 24 hours ahead", bid)
    with unit_of_work(write=True) as s:
        practice_settings.set_value(s, "minimum_notice_hours", 48)
    _refused(lambda: answers.offer_times(practice.alice, bid, 1, [clock.now() + timedelta(hours=30)]),
             "at least 48 hours ahead", bid)
    answers.offer_times(practice.alice, bid, 1, [at11(6)])  # Monday: fine
    assert _booking(bid).status == "awaiting_client"


def test_an_offer_may_not_clash_with_a_confirmed_session_or_another_live_offer(practice):
    confirmed = book(practice.alice, "Oliver Bennett", starts_at=at11(3))
    bookings.confirm(practice.alice, confirmed, 1)
    offered = book(practice.alice, "Fatima Zahra", starts_at=at11(2).replace(hour=15))
    answers.offer_times(practice.alice, offered, 1, [at11(6)])
    bid = book(practice.alice, starts_at=at11(2))
    _refused(lambda: answers.offer_times(practice.alice, bid, 1, [at11(3) + timedelta(minutes=30)]), "clashes", bid)
    _refused(lambda: answers.offer_times(practice.alice, bid, 1, [at11(6)]), "clashes with another offered time",
             bid)


def test_a_time_outside_working_hours_needs_an_explicit_yes(practice):
    bid = book(practice.alice, starts_at=at11(2))
    saturday = at11(4)
    _refused(lambda: answers.offer_times(practice.alice, bid, 1, [saturday]), "outside your usual working hours", bid)
    _refused(lambda: answers.offer_times(practice.alice, bid, 1, [at11(3).replace(hour=19)]), "Fri: 09:00–18:00", bid)
    # A manager offering on the therapist's behalf is told whose hours they are.
    _refused(lambda: answers.offer_times(practice.morgan, bid, 1, [saturday]), "the therapist's usual", bid)
    answers.offer_times(practice.alice, bid, 1, [saturday], outside_hours_ok=True)
    assert session_view.get_for(practice.alice, bid).open_offers == [saturday]


def test_an_agreed_new_time_must_change_be_in_the_future_and_be_free(practice):
    other = book(practice.alice, "Oliver Bennett", starts_at=at11(3))
    bookings.confirm(practice.alice, other, 1)
    bid = book(practice.alice, starts_at=at11(2))
    move = lambda when: lambda: answers.reschedule_agreed(practice.alice, bid, 1, when)  # noqa: E731
    _refused(move(at11(2)), "the session's current time", bid)
    _refused(move(clock.now() - HOUR), "in the past", bid)
    _refused(move(at11(3)), "clashes", bid)
    answers.reschedule_agreed(practice.alice, bid, 1, at11(6))
    moved = [e for e in session_view.get_for(practice.alice, bid).history if e.kind == "rescheduled"][0]
    assert moved.detail["confirmed"] is True  # an unconfirmed request is confirmed by the move, and says so


def test_suggested_times_are_free_working_times_after_the_notice(practice):
    confirmed = book(practice.alice, "Oliver Bennett", starts_at=at11(1).replace(hour=10))  # Wed 10:00
    bookings.confirm(practice.alice, confirmed, 1)
    bid = book(practice.alice, starts_at=at11(1).replace(hour=11, minute=30))  # the client asked for Wed 11:30
    found = answers.suggested_times(practice.alice, bid)
    assert len(found) == 6
    for t in found:
        assert t >= clock.now() + timedelta(hours=24)
        assert t.weekday() < 5 and t.hour >= 9 and t + timedelta(minutes=50) <= t.replace(hour=18, minute=0)
    # Wed 10:00-10:50 is taken, so 10:00 and 10:30 are not offered; the asked-for 11:30 never is.
    assert found[:2] == [at11(1).replace(hour=11, minute=0), at11(1).replace(hour=12, minute=0)]
    assert at11(1).replace(hour=11, minute=30) not in found
    assert max(sum(1 for t in found if t.date() == d) for d in {t.date() for t in found}) <= 2
    assert all(b - a >= timedelta(minutes=50) for a, b in zip(found, found[1:]))  # any of them can go together
    # The suggestions pass the offer's own rules as they are.
    answers.offer_times(practice.alice, bid, 1, found[:3])
    assert _booking(bid).status == "awaiting_client"


def test_no_working_hours_means_no_suggestions_rather_than_a_guess(practice):
    with unit_of_work(write=True) as s:
        s.get(User, practice.bob.id).working_hours = None
    bid = book(practice.bob, starts_at=at11(2))
    assert answers.suggested_times(practice.bob, bid) == []


def test_changing_an_offer_replaces_it_the_old_link_stops_and_the_client_gets_one_email(practice):
    bid = book(practice.alice, email="hannah@client.example", starts_at=at11(2))
    answers.offer_times(practice.alice, bid, 1, [at11(3)])
    old_token = _token_from(_msgs(bid, "times_offered")[0])
    answers.offer_times(practice.alice, bid, 2, [at11(6), at11(6).replace(hour=15)])
    with pytest.raises(OfferWithdrawn, match="changed or withdrawn"):
        client_links.offer_for(old_token)
    changed = _msgs(bid, "times_changed")
    assert [m.recipient for m in changed] == ["hannah@client.example"]
    assert "no longer work" in changed[0].body_text and "Mon 30 Nov 2026, 15:00 GMT" in changed[0].body_text
    new = client_links.offer_for(_token_from(changed[0]))
    assert [t for _, t in new.offers] == [at11(6), at11(6).replace(hour=15)]
    assert [e.kind for e in session_view.get_for(practice.alice, bid).history][-2:] == ["offered", "offer_changed"]
    # The old times no longer count as busy.
    assert session_view.get_for(practice.alice, bid).open_offers == [at11(6), at11(6).replace(hour=15)]


def test_withdrawing_an_offer_puts_the_request_back_and_tells_the_client_once(practice):
    bid = book(practice.alice, email="hannah@client.example", starts_at=at11(2))
    answers.offer_times(practice.alice, bid, 1, [at11(3)])
    token = _token_from(_msgs(bid, "times_offered")[0])
    answers.withdraw_offer(practice.morgan, bid, 2)  # a manager may do it too
    assert _booking(bid).status == "unconfirmed"
    assert [i.id for i in bookings.queue(practice.alice).items] == [bid]
    with pytest.raises(OfferWithdrawn):
        client_links.offer_for(token)
    with pytest.raises(OfferWithdrawn):
        client_links.respond(token, None)  # nor can it answer
    withdrawn = _msgs(bid, "offer_withdrawn")
    assert [m.recipient for m in withdrawn] == ["hannah@client.example"]
    assert "Thu 26 Nov 2026, 11:00 GMT" in withdrawn[0].body_text  # the request that is back with Alice
    assert "offer_withdrawn" in [e.kind for e in session_view.get_for(practice.alice, bid).history]
    # Nothing left to withdraw, and a client's pick can't be withdrawn.
    with pytest.raises(Conflict):
        answers.withdraw_offer(practice.alice, bid, 3)


def test_an_offer_the_client_picked_can_no_longer_be_changed_or_withdrawn(practice):
    bid = book(practice.alice, starts_at=at11(2))
    answers.offer_times(practice.alice, bid, 1, [at11(3)])
    token = _token_from(_msgs(bid, "times_offered")[0])
    client_links.respond(token, client_links.offer_for(token).offers[0][0])
    version = _booking(bid).version
    with pytest.raises(Conflict, match="confirmed"):
        answers.withdraw_offer(practice.alice, bid, version)
    with pytest.raises(Conflict, match="confirmed"):
        answers.offer_times(practice.alice, bid, version, [at11(6)])
    view = client_links.offer_for(token)  # reopened: the chosen time, not "may have expired"
    assert view.chosen == at11(3) and view.offers == []
