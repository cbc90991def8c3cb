"""A failure in the middle of any action (here: writing its message) leaves no half change."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lib.bookings import answers, client_links
from lib.bookings import dashboard as bookings
from lib.bookings import deadlines as timers
from lib.bookings.reassign import reassign
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.models import Booking, BookingEvent, ClientToken, Notification, TimeOffer
from lib.notify import outbox
from tests.factories import book
from tests.integration.test_answers import _msgs, _token_from, at11


def _snapshot():
    with unit_of_work() as s:
        return (tuple(s.execute(select(Booking.id, Booking.status, Booking.starts_at, Booking.version)
                                .order_by(Booking.id)).all()),
                *(s.scalar(select(func.count()).select_from(m))
                  for m in (BookingEvent, Notification, TimeOffer, ClientToken)))


def _respond_setup(p):
    bid = book(p.alice, starts_at=at11(2))
    answers.offer_times(p.alice, bid, 1, [at11(3)])
    return _token_from(_msgs(bid, "times_offered")[0])


ACTIONS = {
    "confirm": (lambda p: book(p.alice), lambda p, x: bookings.confirm(p.alice, x, 1)),
    "reschedule": (lambda p: book(p.alice), lambda p, x: answers.reschedule_agreed(p.alice, x, 1, at11(3))),
    "offer": (lambda p: book(p.alice), lambda p, x: answers.offer_times(p.alice, x, 1, [at11(3)])),
    "decline": (lambda p: book(p.alice), lambda p, x: answers.decline_not_fit(p.alice, x, 1, "r", "", "")),
    "cancel": (lambda p: book(p.alice), lambda p, x: answers.cancel(p.alice, x, 1, "r", True)),
    "client_pick": (_respond_setup, lambda p, tok: client_links.respond(tok, client_links.offer_for(tok).offers[0][0])),
    "reassign": (lambda p: book(p.alice, starts_at=at11(3)),
                 lambda p, x: reassign(p.morgan, x, p.bob.id)),
    "expire": (lambda p: book(p.alice, starts_at=clock.now() + timedelta(hours=3)),
               lambda p, x: (clock.freeze(clock.now() + timedelta(hours=3)), timers.tick())),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_failure_mid_action_changes_nothing(practice, monkeypatch, action):
    setup, act = ACTIONS[action]
    subject = setup(practice)
    before = _snapshot()

    def broken(*args, **kwargs):
        raise ConnectionError("the database went away mid-transaction")

    monkeypatch.setattr(outbox, "enqueue", broken)
    with pytest.raises(ConnectionError):
        act(practice, subject)
    assert _snapshot() == before


def test_a_read_only_page_leaves_the_next_action_all_or_nothing(practice):
    """On PostgreSQL a page's reads run without a transaction; the pooled connection must not keep that."""
    from lib.practice.rules import get_all, set_value

    with unit_of_work(read_only=True) as s:  # used one after the other: the pool hands back the same connection
        name = get_all(s)["practice_name"]
    with pytest.raises(RuntimeError), unit_of_work(write=True) as s:
        set_value(s, "practice_name", "Half-renamed practice")
        s.flush()
        raise RuntimeError("the message could not be written")
    with unit_of_work(read_only=True) as s:
        assert get_all(s)["practice_name"] == name
