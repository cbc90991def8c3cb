"""The practice team's worklist: every request that needs the team appears with why and since when, and
leaves only by a recorded action — real database (SQLite and PostgreSQL)."""
from datetime import timedelta

import pytest

from lib import worker
from lib.bookings import (
    answers,
    client_links,
)
from lib.bookings import (
    dashboard as bookings,
)
from lib.bookings import (
    deadlines as timers,
)
from lib.bookings import (
    detail as session_view,
)
from lib.bookings import (
    worklist as team_worklist,
)
from lib.bookings.reassign import reassign
from lib.bookings.worklist import Reason
from lib.core import clock
from lib.core.errors import Conflict, Forbidden, InvalidInput
from lib.notify.delivery import PermanentFailure
from tests.factories import assess, book
from tests.integration.test_answers import _booking, _msgs, _token_from, at11


def _lines(practice):
    return [(i.booking_id, i.reason) for i in team_worklist.worklist(practice.morgan)]


def test_a_declined_request_waits_for_the_team_until_it_is_reassigned(practice):
    bid = book(practice.alice, "Hannah Whitfield", starts_at=at11(3))
    assess(bid, phq9=[3, 3, 2, 2, 2, 2, 2, 2, 1], gad7=[3, 3, 3, 3, 2, 2, 2], help_with=["Anxiety"])
    answers.decline_not_fit(practice.alice, bid, 1, "Not my area", "Anxiety", "CBT")
    [item] = team_worklist.worklist(practice.morgan)
    assert (item.booking_id, item.reason, item.since) == (bid, Reason.DECLINED, clock.now())
    assert (item.phq9_band, item.gad7_band, item.risk) == ("moderately severe", "severe", True)
    assert item.therapist == "Alice Moreno" and item.attendees == ["Hannah Whitfield"]
    assert team_worklist.waiting(practice.morgan) == team_worklist.Waiting(1, clock.now())
    # It stays however long it waits: nothing leaves by itself.
    clock.freeze(clock.now() + timedelta(days=10))
    timers.tick()
    assert _lines(practice) == [(bid, Reason.DECLINED)]
    new_id = reassign(practice.morgan, bid, practice.bob.id, at11(13))
    assert _lines(practice) == []
    assert [i.id for i in bookings.queue(practice.bob).items] == [new_id]


def test_expired_requests_and_lapsed_offers_are_put_in_front_of_the_team(practice):
    unanswered = book(practice.alice, "Oliver Bennett", starts_at=clock.now() + timedelta(hours=8))
    offered = book(practice.alice, "Fatima Zahra", starts_at=at11(2))
    answers.offer_times(practice.alice, offered, 1, [at11(6)])
    clock.freeze(clock.now() + timedelta(hours=25))
    assert set(timers.tick().expired) == {unanswered, offered}
    assert sorted(_lines(practice)) == sorted([(unanswered, Reason.EXPIRED), (offered, Reason.OFFER_LAPSED)])
    timers.tick()  # a second pass adds nothing
    assert len(_lines(practice)) == 2


def test_none_of_the_times_fit_puts_the_client_on_the_list(practice):
    bid = book(practice.alice, starts_at=at11(2))
    answers.offer_times(practice.alice, bid, 1, [at11(3)])
    client_links.respond(_token_from(_msgs(bid, "times_offered")[0]), None)
    assert _lines(practice) == [(bid, Reason.NONE_FITS)]


def test_only_a_late_cancellation_by_the_practice_needs_a_refund_check(practice):
    soon = book(practice.alice, "Grace Lee", starts_at=clock.now() + timedelta(hours=30))
    later = book(practice.alice, "Chen Wei", starts_at=at11(6))
    answers.cancel(practice.alice, soon, 1, "Therapist unwell", full_refund=False)
    answers.cancel(practice.alice, later, 1, "Therapist unwell")
    assert _lines(practice) == [(soon, Reason.LATE_CANCEL)]


def test_a_message_that_fails_for_good_goes_on_the_list(practice):
    bid = book(practice.alice, email="nobody@client.example", starts_at=at11(2))

    class Refusing:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def send(self, msg):
            raise PermanentFailure("550 no such mailbox")

    counts = worker.deliver(factories={"email": Refusing, "sms": Refusing})
    assert counts.failed >= 1
    assert _lines(practice) == [(bid, Reason.MESSAGE_FAILED)]  # once per request, however many failed


def test_an_item_leaves_only_by_a_recorded_action(practice):
    bid = book(practice.alice, starts_at=at11(2))
    answers.decline_not_fit(practice.alice, bid, 1, "Not my area", "", "")
    with pytest.raises(Forbidden):
        team_worklist.record_contact(practice.alice, bid, "Called her")  # therapists can't close team items
    with pytest.raises(InvalidInput, match="what you and the client agreed"):
        team_worklist.record_contact(practice.morgan, bid, "   ")
    assert _lines(practice) == [(bid, Reason.DECLINED)]
    team_worklist.record_contact(practice.morgan, bid, "Called Hannah: she will book with Bob next week")
    assert _lines(practice) == []
    history = session_view.get_for(practice.morgan, bid).history
    contact = [e for e in history if e.kind == "team_contacted"][0]
    assert contact.actor == "morgan" and "she will book with Bob" in contact.detail["note"]
    with pytest.raises(Conflict):
        team_worklist.close(practice.morgan, bid, "Found help elsewhere")  # already dealt with

    other = book(practice.alice, "Oliver Bennett", starts_at=at11(3))
    answers.decline_not_fit(practice.alice, other, 1, "Not my area", "", "")
    team_worklist.close(practice.morgan, other, "The client found help elsewhere")
    assert [e.kind for e in session_view.get_for(practice.morgan, other).history][-1] == "team_closed"
    assert team_worklist.waiting(practice.morgan) == team_worklist.Waiting(0, None)


def test_therapists_see_their_own_recently_closed_requests(practice):
    declined = book(practice.alice, "Hannah Whitfield", starts_at=at11(2))
    answers.decline_not_fit(practice.alice, declined, 1, "Not my area", "", "")
    clock.freeze(clock.now() + timedelta(hours=1))
    cancelled = book(practice.alice, "Oliver Bennett", starts_at=at11(6))
    answers.cancel(practice.alice, cancelled, 1, "Practice closed")
    bobs = book(practice.bob, "Fatima Zahra", starts_at=at11(3))
    answers.decline_not_fit(practice.bob, bobs, 1, "Not my area", "", "")
    assert [(c.booking_id, c.status) for c in team_worklist.recently_closed(practice.alice)] == [
        (cancelled, "cancelled"), (declined, "declined")]
    assert [c.booking_id for c in team_worklist.recently_closed(practice.bob)] == [bobs]
    assert team_worklist.waiting(practice.alice) == team_worklist.Waiting(0, None)  # the team's list is theirs
    with pytest.raises(Forbidden):
        team_worklist.worklist(practice.alice)
    clock.freeze(clock.now() + timedelta(days=15))
    assert team_worklist.recently_closed(practice.alice) == []
    assert _booking(declined).status == "declined"
