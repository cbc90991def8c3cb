"""The queue's order on both databases: by due time, then the client who has waited longest (issue 20)."""
from datetime import datetime, timedelta

from lib.bookings import dashboard as bookings
from lib.core import clock
from tests.factories import book

MONDAY_EVENING = datetime(2026, 12, 7, 22, 30)  # every request made tonight is due at 13:00 tomorrow


def test_requests_due_at_the_same_moment_come_in_waiting_order(practice):
    clock.freeze(MONDAY_EVENING)
    # Made in an order that differs from both the waiting order and the id order.
    ids = {name: book(practice.alice, name, requested_ago=timedelta(minutes=ago))
           for name, ago in (("Sam Patel", 30), ("Hannah Whitfield", 200), ("Zoë Lambert", 90))}
    soon = book(practice.alice, "Daniel Kowalski", requested_ago=timedelta(days=3))  # due earlier: first
    queue = bookings.queue(practice.alice)
    assert [i.id for i in queue.items] == [soon, ids["Hannah Whitfield"], ids["Zoë Lambert"], ids["Sam Patel"]]
    assert len({i.response_due_at for i in queue.items[1:]}) == 1
